"""What the learner's pages cost in queries (tracker.selectors.progress): the dashboard and
the guide page, whatever the size of the guide or of the learner's history."""

import datetime
from http import HTTPStatus
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import DASHBOARD, status_url
from tracker.caching.content import clear as clear_content_cache
from tracker.models import (
    Milestone,
    PlanSnapshot,
    Profile,
    Progress,
    ProgressEvent,
    ProgressStatus,
)
from tracker.services.plan import plan_snapshot_record
from tracker.services.threads import message_post

pytestmark = pytest.mark.django_db


# What each page costs today (session, user, profile and the page's own reads); a change
# that needs more queries should say why here. Issue 12 adds one to the guide page: the
# header's count of waiting conversations, read once and then cached. The dashboard's
# sections, cached apart, each read only what they show (tracker.selectors.progress).
QUERY_BUDGET = {"dashboard": 15, "guide": 12}


def mark_some(learner, guide, complete):
    # With a pace, an aim and a date (issue 11): the dashboard dates the whole plan.
    Profile.objects.filter(user=learner).update(
        hours_per_week=5,
        target_stage=guide.stages.order_by("-order").first(),
        target_date=timezone.localdate() + datetime.timedelta(weeks=30),
        time_zone="Europe/Paris",
    )
    # Seen before: the dashboard has no plan change to tell (the first visit's write is
    # measured on its own, below).
    guide.refresh_from_db()  # its content version went up with every milestone made
    plan_snapshot_record(
        learner=learner, guide=guide, milestone_ids=guide.milestones.values_list("pk", flat=True)
    )
    milestones = list(Milestone.objects.filter(guide=guide).order_by("order")[:4])
    complete(learner, milestones[:3])
    complete(learner, milestones[3:], status="in_progress")


def count_queries(client, url) -> tuple[int, str]:
    """Queries of one request with cold caches: the most a page can cost."""
    clear_content_cache()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("page_name", ["dashboard", "guide"])
def test_page_costs_the_same_for_5_or_60_milestones(
    client, make_guide, make_user, complete, page_name, django_assert_max_num_queries
):
    small_guide = make_guide(milestones=5, slug="small")
    big_guide = make_guide(milestones=60, slug="big")
    small_learner, big_learner = make_user("small"), make_user("big")
    for user, guide in [(small_learner, small_guide), (big_learner, big_guide)]:
        user.profile.current_guide = guide
        user.profile.save()
        mark_some(user, guide, complete)

    def url(guide):
        if page_name == "dashboard":
            return DASHBOARD
        return reverse("tracker:guide", args=[guide.slug])

    client.force_login(small_learner)
    small, small_sql = count_queries(client, url(small_guide))
    assert small <= QUERY_BUDGET[page_name], small_sql
    client.force_login(big_learner)
    clear_content_cache()
    cache.clear()
    with django_assert_max_num_queries(small):
        response = client.get(url(big_guide))
    assert response.status_code == HTTPStatus.OK
    assert response.context["overall"].total == 60
    big, big_sql = count_queries(client, url(big_guide))
    assert big == small, f"small:\n{small_sql}\n\nbig:\n{big_sql}"


def test_a_first_visit_or_a_plan_change_costs_the_same_whatever_the_plan(
    client, make_guide, make_user, complete
):
    """While the guide's content is unchanged, the plan check costs nothing; a first
    visit or a change reads and writes the snapshot (and the message in the session): a
    few queries more, the same few for any plan size."""
    costs = []
    for size in (3, 30):
        guide = make_guide(milestones=size, slug=f"guide-{size}")
        learner = make_user()
        learner.profile.current_guide = guide
        learner.profile.save()
        mark_some(learner, guide, complete)
        client.force_login(learner)
        seen, _ = count_queries(client, DASHBOARD)
        PlanSnapshot.objects.filter(learner=learner).delete()
        Profile.objects.filter(user=learner).update(plan_seen="")
        first, _ = count_queries(client, DASHBOARD)
        PlanSnapshot.objects.filter(learner=learner).update(milestone_ids=[])
        Profile.objects.filter(user=learner).update(plan_seen="")
        changed, _ = count_queries(client, DASHBOARD)
        assert seen < first <= seen + 6
        assert seen < changed <= seen + 6
        costs.append((seen, first, changed))
    assert costs[0] == costs[1]


def add_events(learner, guide, count):
    milestones = list(Milestone.objects.filter(guide=guide))
    now = timezone.now()
    per_week = 10
    for week in range(count // per_week):
        moment = now - datetime.timedelta(weeks=week)
        # The explicit time holds for a default; the patched clock for an auto_now_add.
        with mock.patch("django.utils.timezone.now", return_value=moment):
            ProgressEvent.objects.bulk_create(
                ProgressEvent(
                    learner=learner,
                    milestone=milestones[(week * per_week + n) % len(milestones)],
                    actor=learner,
                    old_status=ProgressStatus.IN_PROGRESS,
                    new_status=ProgressStatus.DONE,
                    created_at=moment,
                )
                for n in range(per_week)
            )


@pytest.mark.parametrize("page_name", ["dashboard", "guide"])
def test_page_costs_the_same_with_0_or_500_history_events(
    client, make_guide, make_user, complete, page_name, django_assert_max_num_queries
):
    guide = make_guide(milestones=5)
    quiet, busy = make_user("quiet"), make_user("busy")
    mark_some(quiet, guide, complete)
    mark_some(busy, guide, complete)
    ProgressEvent.objects.filter(learner=quiet).delete()
    add_events(busy, guide, 500)
    assert ProgressEvent.objects.filter(learner=busy).count() >= 500
    url = DASHBOARD if page_name == "dashboard" else reverse("tracker:guide", args=[guide.slug])

    client.force_login(quiet)
    small, small_sql = count_queries(client, url)
    assert small <= QUERY_BUDGET[page_name], small_sql
    client.force_login(busy)
    clear_content_cache()
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    big, big_sql = count_queries(client, url)
    assert big == small, f"no events:\n{small_sql}\n\n500 events:\n{big_sql}"
    if page_name == "dashboard":
        assert response.context["activity"].streak >= 50  # fifty weeks in a row, with events
        assert response.context["activity"].total == 12 * 10 + 3


# The public profile: the profile, the guide, the learner's rows and who verified them,
# plus the guide's plan and extras on a cold cache; nothing per milestone.
PUBLIC_PROFILE_BUDGET = 11


@pytest.mark.parametrize("done", [5, 60])
def test_the_public_profile_costs_the_same_for_5_or_60_milestones_done(
    client, make_guide, make_user, complete, done, django_assert_max_num_queries
):
    """Every milestone done, verified by a mentor who publishes a profile, with evidence:
    all that the portfolio shows per milestone, against one learner with a single one."""
    mentor = make_user("mentor")
    Profile.objects.filter(user=mentor).update(public_profile=True, display_name="Grace")
    learners = {}
    for count in (1, done):
        guide = make_guide(milestones=count, slug=f"guide-{count}")
        user = make_user(f"learner-{count}")
        Profile.objects.filter(user=user).update(public_profile=True, current_guide=guide)
        complete(user, guide.milestones.all())
        Progress.objects.filter(learner=user).update(
            verified_at=timezone.now(), verified_by=mentor, evidence_url="https://example.com/x"
        )
        learners[count] = user

    one, one_sql = count_queries(client, reverse("tracker:public_profile", args=["learner-1"]))
    assert one <= PUBLIC_PROFILE_BUDGET, one_sql
    url = reverse("tracker:public_profile", args=[f"learner-{done}"])
    clear_content_cache()
    cache.clear()
    with django_assert_max_num_queries(one):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response.context["verified_count"] == done
    assert response.content.decode().count(">Grace</a>") == done
    many, many_sql = count_queries(client, url)
    assert many == one, f"1 done:\n{one_sql}\n\n{done} done:\n{many_sql}"


# The dashboard right after a status change, its sections cached before it: the session,
# the user with their profile, the learner's rows and, for next up in a state it has not
# shown yet, the milestones a mentor sent back; a change to done adds the year's
# completions and the reviews (their sections show the learner's history).
AFTER_A_CHANGE = {"in_progress": 4, "done": 6}


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize("status", ["in_progress", "done"])
def test_the_dashboard_after_a_change_costs_the_same_few_queries_for_any_plan(
    client, make_guide, make_user, complete, size, status, django_assert_max_num_queries
):
    guide = make_guide(milestones=size, slug=f"guide-{size}")
    learner = make_user()
    learner.profile.current_guide = guide
    learner.profile.save()
    mark_some(learner, guide, complete)
    add_events(learner, guide, 100)
    client.force_login(learner)
    client.get(DASHBOARD)
    target = Milestone.objects.filter(guide=guide).order_by("-order").first()
    client.post(status_url(target), {"status": "not_started", "next": DASHBOARD})
    client.get(DASHBOARD)

    client.post(status_url(target), {"status": status, "next": DASHBOARD})
    with django_assert_max_num_queries(AFTER_A_CHANGE[status]):
        response = client.get(DASHBOARD)
    assert response.status_code == HTTPStatus.OK
    assert response.context["overall"].total == size


# The milestone page right after a status change, for a learner with a mentor and a
# conversation: the session, the user with their profile and chosen guide, their rows on
# the milestone and its prerequisites, its reviews, their mentors (who wrote the messages),
# the messages with their thread and the learner's read mark. The content comes from the
# guide's plan kept in the process; nothing per milestone, resource, prerequisite or
# message.
MILESTONE_PAGE_QUERIES = 6


def test_the_milestone_page_after_a_change_costs_the_same_for_any_guide(
    client, make_guide, make_user, make_mentorship, complete, django_assert_max_num_queries
):
    counts = []
    for size in (5, 60):
        guide = make_guide(milestones=size, pillars=2, slug=f"guide-{size}")
        learner, mentor = make_user(f"learner-{size}"), make_user(f"mentor-{size}")
        Profile.objects.filter(user=learner).update(current_guide=guide)
        make_mentorship(mentor, learner)
        milestone = Milestone.objects.filter(
            guide=guide, prerequisites__isnull=False, unlocks__isnull=False
        ).first()
        for n in range(size):
            milestone.resources.create(title=f"Extra {n}", url=f"https://example.com/x{n}")
        complete(learner, milestone.prerequisites.all())
        for n in range(size):
            author = mentor if n % 2 else learner
            message_post(author=author, learner=learner, milestone=milestone, body=f"Note {n}")
        client.force_login(learner)
        url = milestone.get_absolute_url()
        client.get(url)  # reads the messages: the one write, on the first visit
        client.get(url)  # the header's count of waiting conversations, read again once
        client.post(status_url(milestone), {"status": "done"})

        with django_assert_max_num_queries(MILESTONE_PAGE_QUERIES) as queries:
            response = client.get(url)

        assert response.status_code == HTTPStatus.OK
        html = response.content.decode()
        assert html.count('<li class="thread-message') == size
        assert html.count("https://example.com/x") == size
        assert "Done</span>" in html.split('id="milestone-status"', 1)[1]
        counts.append(len(queries))
    assert counts[0] == counts[1]
