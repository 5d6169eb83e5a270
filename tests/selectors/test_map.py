"""The guide map (tracker.selectors.map): what it holds, and what it costs in queries, the
same for a guide of five milestones as for one of sixty, for a visitor and a learner."""

import re
from http import HTTPStatus

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.urls import reverse

from tracker.caching.content import clear as clear_content_cache
from tracker.models import Milestone
from tracker.selectors.map import guide_map_get

pytestmark = pytest.mark.django_db

# Exact counts with cold caches, the most the page can cost: a visitor's are the guide, its
# plan (milestones, resources, prerequisites) and its extras (stages, bands, advice, impact
# areas); a learner adds their session, their user and one query for their progress.
# A learner: one more than before issue 12, the header's count of waiting conversations
# (read once, then cached: tracker.caching.pages.nav_attention).
BUDGET = {"visitor": 8, "learner": 12}


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize("who", ["visitor", "learner"])
def test_the_map_costs_the_same_for_any_guide_size(
    client, make_guide, make_user, complete, django_assert_max_num_queries, size, who
):
    guide = make_guide(milestones=size, slug="sized")
    if who == "learner":
        learner = make_user()
        milestones = list(Milestone.objects.filter(guide=guide).order_by("order"))
        complete(learner, milestones[:3])
        complete(learner, milestones[3:4], status="in_progress")
        client.force_login(learner)
    clear_content_cache()
    cache.clear()

    with django_assert_max_num_queries(BUDGET[who]):
        response = client.get(reverse("tracker:guide_map", kwargs={"guide_slug": "sized"}))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert len(re.findall(r'<a class="map-node ', html)) == size
    assert len(re.findall(r'<path class="map-edge map-edge-', html)) == size - 3  # chains


def test_the_map_holds_every_milestone_once_with_its_prerequisites_and_status(
    make_guide, make_user, complete
):
    guide = make_guide(milestones=6)
    learner = make_user()
    m = {ms.slug: ms for ms in Milestone.objects.filter(guide=guide)}
    complete(learner, [m["milestone-0"]])
    complete(learner, [m["milestone-3"]], status="in_progress")

    page = guide_map_get(guide=guide, learner=learner)

    nodes = {node.milestone.slug: node for lane in page["lanes"] for node in lane.nodes}
    assert sorted(nodes) == sorted(m)
    assert [lane.plan.pillar.slug for lane in page["lanes"]] == ["pillar-0", "pillar-1", "pillar-2"]
    assert nodes["milestone-0"].status == "done"
    assert nodes["milestone-3"].status == "in_progress"
    assert nodes["milestone-1"].status == "not_started"
    needs = [(p.milestone.slug, p.status) for p in nodes["milestone-3"].prerequisites]
    assert needs == [("milestone-0", "done")]
    assert {(e.source, e.target) for e in page["layout"].edges} == {
        (m[f"milestone-{n - 3}"].pk, m[f"milestone-{n}"].pk) for n in (3, 4, 5)
    }
    assert (page["overall"].done, page["overall"].total) == (1, 6)


def test_a_visitor_s_map_has_no_status_and_archived_milestones_are_left_out(make_guide):
    guide = make_guide(milestones=6)
    Milestone.objects.filter(guide=guide, slug="milestone-0").update(archived=True)

    page = guide_map_get(guide=guide, learner=AnonymousUser())

    nodes = [node for lane in page["lanes"] for node in lane.nodes]
    assert len(nodes) == 5
    assert {node.status for node in nodes} == {""}
    assert not page["with_status"]
    assert "milestone-0" not in {p.milestone.slug for node in nodes for p in node.prerequisites}
