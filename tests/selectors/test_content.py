"""What each public page costs in queries (tracker.selectors.content): the same for a guide
of five milestones as for one of sixty."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

# Exact counts, measured on a guide of five milestones; they must not grow with its size.
BUDGETS = [
    pytest.param("tracker:landing", {}, 3, id="landing"),
    pytest.param("tracker:guides", {}, 1, id="guides"),
    pytest.param("tracker:guide", {"guide_slug": "sized"}, 8, id="guide"),
    pytest.param(
        "tracker:milestone",
        {"guide_slug": "sized", "milestone_slug": "milestone-4"},
        5,
        id="milestone",
    ),
    # A write that must commit (the disk takes writes) and the task queue's oldest entry.
    pytest.param("tracker:healthz", {}, 2, id="healthz"),
]


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize(("name", "kwargs", "queries"), BUDGETS)
def test_public_pages_cost_the_same_for_any_guide_size(
    client, make_guide, django_assert_num_queries, size, name, kwargs, queries
):
    make_guide(milestones=size, slug="sized")
    url = reverse(name, kwargs=kwargs)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    if name == "tracker:guide":
        # The large guide's page really lists its sixty milestones (and links prerequisites).
        assert len(re.findall(r'id="m-milestone-\d+"', response.content.decode())) == size
        assert "After: <a href" in response.content.decode()
