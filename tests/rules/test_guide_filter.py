"""Which milestones the guide page lists (tracker.rules.guide_filter): the filters read from
the query string, and what they let through. Pure: no database."""

from types import SimpleNamespace

import pytest

from tracker.rules.guide_filter import (
    GuideFilter,
    guide_filter_from,
    guide_listing,
    pillars_filter,
)


def milestone(pk, level, hours=10):
    return SimpleNamespace(pk=pk, level=level, estimated_hours=hours)


def pillar(*groups):
    return SimpleNamespace(
        levels=[SimpleNamespace(level=lv, label=lv.title(), milestones=ms) for lv, ms in groups]
    )


M = [milestone(1, "foundation"), milestone(2, "foundation"), milestone(3, "advanced", 30)]
PILLARS = [pillar(("foundation", M[:2]), ("advanced", M[2:])), pillar(("foundation", []))]
STATUSES = {1: "done", 3: "in_progress"}  # 2 has no row: not started


@pytest.mark.parametrize(
    ("query", "learner", "expected"),
    [
        ({}, True, GuideFilter()),
        ({"status": "done", "level": "foundation"}, True, GuideFilter("done", "foundation")),
        ({"status": "not_started"}, True, GuideFilter("not_started", "")),
        ({"status": "done", "level": "foundation"}, False, GuideFilter("", "foundation")),
        ({"status": "finished", "level": "expert"}, True, GuideFilter()),
        ({"status": "DONE", "level": " foundation"}, True, GuideFilter()),
        ({"status": "\x00", "level": "x" * 10_000}, True, GuideFilter()),
    ],
    ids=["none", "both", "not-started", "visitor-has-no-status", "unknown", "case", "junk"],
)
def test_only_known_values_filter_and_statuses_only_for_a_learner(query, learner, expected):
    assert guide_filter_from(query, with_statuses=learner) == expected


@pytest.mark.parametrize(
    ("chosen", "kept"),
    [
        (GuideFilter(), [1, 2, 3]),
        (GuideFilter(status="done"), [1]),
        (GuideFilter(status="not_started"), [2]),
        (GuideFilter(status="in_progress"), [3]),
        (GuideFilter(level="foundation"), [1, 2]),
        (GuideFilter(status="done", level="advanced"), []),
    ],
)
def test_the_filters_let_through_the_milestones_that_match_both(chosen, kept):
    shown = pillars_filter(PILLARS, STATUSES, chosen)

    listed = [m.pk for p in shown for level in p.levels for m in level.milestones]
    assert listed == kept


def test_a_level_with_nothing_left_goes_a_pillar_with_nothing_left_stays():
    shown = pillars_filter(PILLARS, STATUSES, GuideFilter(level="advanced"))

    assert len(shown) == 2
    assert [level.level for level in shown[0].levels] == ["advanced"]
    assert (shown[0].count, shown[0].hours) == (1, 30)
    assert (shown[1].count, shown[1].levels) == (0, [])


def test_the_listing_says_what_it_shows():
    page = guide_listing(
        {"status": "done", "level": "foundation"},
        pillars=PILLARS,
        statuses=STATUSES,
        with_statuses=True,
    )

    assert page["shown_count"] == 1
    assert page["filters_described"] == "done, foundation level"
    offered = {value for value, _ in page["status_options"]}
    assert {"not_started", "in_progress", "done"} <= offered
    assert [value for value, _ in page["level_options"]] == [
        "foundation",
        "intermediate",
        "advanced",
    ]

    visitor = guide_listing({"status": "done"}, pillars=PILLARS, statuses={}, with_statuses=False)
    assert (visitor["status_options"], visitor["shown_count"]) == ([], 3)
    assert not visitor["filters"].active
