"""Prerequisites that a learner could never satisfy (tracker.rules.prerequisites): circles
and milestones that require a later level. Pure rules over plain data: no database."""

import gc
import time
from types import SimpleNamespace

import pytest

from tracker.models import Level
from tracker.rules.prerequisites import (
    Cycle,
    LevelInversion,
    Node,
    prerequisite_problems,
)

F, M, A = Level.FOUNDATION, Level.INTERMEDIATE, Level.ADVANCED  # M for middle


def node(n: int, level: str = F, title: str | None = None) -> Node:
    return Node(id=n, slug=f"m{n}", title=title or f"Milestone {n}", level=level)


PANDAS = Node(id=1, slug="pandas", title="Pandas", level=F)
FEATURES = Node(id=2, slug="feature-engineering", title="Feature engineering", level=F)
PYTHON = Node(id=3, slug="python-fundamentals", title="Python fundamentals", level=F)
DEPLOYMENT = Node(id=4, slug="model-deployment", title="Model deployment", level=M)
RESEARCH = Node(id=5, slug="research", title="Research", level=A)


def messages(milestones, edges, **kwargs) -> list[str]:
    return [problem.message for problem in prerequisite_problems(milestones, edges, **kwargs)]


# --- what passes -------------------------------------------------------------------------


def test_a_guide_without_circles_or_later_levels_passes():
    # A diamond (two paths to the same milestone) is not a circle; a milestone may require
    # its own level or an earlier one.
    milestones = [PYTHON, PANDAS, FEATURES, DEPLOYMENT, RESEARCH]
    edges = [
        (PANDAS.id, PYTHON.id),
        (FEATURES.id, PYTHON.id),
        (FEATURES.id, PANDAS.id),
        (DEPLOYMENT.id, PANDAS.id),
        (DEPLOYMENT.id, FEATURES.id),
        (RESEARCH.id, DEPLOYMENT.id),
        (RESEARCH.id, PYTHON.id),
    ]
    assert prerequisite_problems(milestones, edges) == []


def test_no_milestones_and_no_edges_pass():
    assert prerequisite_problems([], []) == []


# --- circles -----------------------------------------------------------------------------


def test_two_milestones_that_require_each_other():
    problems = prerequisite_problems(
        [PANDAS, FEATURES], [(PANDAS.id, FEATURES.id), (FEATURES.id, PANDAS.id)]
    )

    assert problems == [Cycle(path=(PANDAS, FEATURES, PANDAS))]
    assert problems[0].message == (
        "“Pandas” and “Feature engineering” would require each other: "
        "pandas → feature-engineering → pandas. Remove one of these two prerequisites."
    )


def test_three_milestones_in_a_circle_name_each_one_in_the_order_they_require_each_other():
    one, two, three = node(1), node(2), node(3)

    problems = prerequisite_problems([one, two, three], [(1, 2), (2, 3), (3, 1)])

    assert problems == [Cycle(path=(one, two, three, one))]
    assert problems[0].message == (
        "“Milestone 1”, “Milestone 2” and “Milestone 3” would require one another in a "
        "circle: m1 → m2 → m3 → m1 (each one requires the next). "
        "Remove one of these prerequisites."
    )


def test_a_milestone_that_requires_itself():
    # The database refuses this row (milestone_not_its_own_prerequisite); the rule still
    # names it rather than miss it or fail.
    assert messages([PANDAS], [(PANDAS.id, PANDAS.id)]) == [
        "“Pandas” cannot require itself. Remove it from its own prerequisites."
    ]


def test_the_shortest_circle_is_named():
    # m1 → m2 → m1 and m1 → m2 → m3 → m1 are the same tangle: one problem, the short loop.
    one, two, three = node(1), node(2), node(3)
    problems = prerequisite_problems([one, two, three], [(1, 2), (2, 1), (2, 3), (3, 1)])
    assert problems == [Cycle(path=(one, two, one))]


def test_separate_circles_are_each_named():
    milestones = [node(n) for n in range(1, 6)]
    problems = prerequisite_problems(milestones, [(1, 2), (2, 1), (3, 4), (4, 5), (5, 3)])
    assert [[n.slug for n in problem.path] for problem in problems] == [
        ["m1", "m2", "m1"],
        ["m3", "m4", "m5", "m3"],
    ]


def test_a_circle_and_the_milestones_that_hang_off_it():
    # m4 requires m1 and m0 is required by m2: neither is part of the circle m1 → m2 → m3.
    milestones = [node(n) for n in range(5)]
    problems = prerequisite_problems(milestones, [(4, 1), (1, 2), (2, 3), (3, 1), (2, 0)])
    assert [[n.id for n in problem.path] for problem in problems] == [[1, 2, 3, 1]]


# --- levels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "required_level"),
    [(F, M), (F, A), (M, A)],
    ids=[
        "foundation-requires-intermediate",
        "foundation-requires-advanced",
        "intermediate-requires-advanced",
    ],
)
def test_a_milestone_cannot_require_a_later_level(level, required_level):
    milestone, required = node(1, level), node(2, required_level)

    problems = prerequisite_problems([milestone, required], [(1, 2)])

    assert problems == [LevelInversion(milestone=milestone, prerequisite=required)]
    assert problems[0].message == (
        f"“Milestone 1” ({level}) cannot require “Milestone 2” ({required_level}): a "
        "milestone can only require milestones of its own level or an earlier one."
    )


@pytest.mark.parametrize(
    ("level", "required_level"), [(F, F), (M, F), (M, M), (A, F), (A, M), (A, A)]
)
def test_a_milestone_may_require_its_own_level_or_an_earlier_one(level, required_level):
    assert prerequisite_problems([node(1, level), node(2, required_level)], [(1, 2)]) == []


def test_the_message_names_both_milestones_and_their_levels():
    assert messages([PYTHON, DEPLOYMENT], [(PYTHON.id, DEPLOYMENT.id)]) == [
        "“Python fundamentals” (foundation) cannot require “Model deployment” "
        "(intermediate): a milestone can only require milestones of its own level or an "
        "earlier one."
    ]


def test_circles_come_before_level_problems():
    milestones = [PYTHON, DEPLOYMENT, PANDAS, FEATURES]
    edges = [(PYTHON.id, DEPLOYMENT.id), (PANDAS.id, FEATURES.id), (FEATURES.id, PANDAS.id)]
    assert [type(problem) for problem in prerequisite_problems(milestones, edges)] == [
        Cycle,
        LevelInversion,
    ]


# --- the problems one edit could have caused -------------------------------------------------


def test_involving_keeps_the_problems_that_touch_the_edited_milestone():
    milestones = [PANDAS, FEATURES, PYTHON, DEPLOYMENT, node(6), node(7)]
    edges = [
        (PANDAS.id, FEATURES.id),
        (FEATURES.id, PANDAS.id),
        (PYTHON.id, DEPLOYMENT.id),
        (6, 7),
        (7, 6),
    ]

    assert prerequisite_problems(milestones, edges, involving={6}) == [
        Cycle(path=(node(6), node(7), node(6)))
    ]
    # A level problem concerns both ends: the milestone that requires and the one required.
    assert prerequisite_problems(milestones, edges, involving={PYTHON.id}) == [
        LevelInversion(milestone=PYTHON, prerequisite=DEPLOYMENT)
    ]
    assert prerequisite_problems(milestones, edges, involving={DEPLOYMENT.id}) == [
        LevelInversion(milestone=PYTHON, prerequisite=DEPLOYMENT)
    ]
    assert prerequisite_problems(milestones, edges, involving={RESEARCH.id}) == []


def test_a_circle_is_traced_from_the_edited_milestone():
    one, two, three = node(1), node(2), node(3)
    problems = prerequisite_problems([one, two, three], [(1, 2), (2, 3), (3, 1)], involving={3})
    assert problems == [Cycle(path=(three, one, two, three))]


def test_edges_to_milestones_outside_the_graph_are_ignored():
    assert prerequisite_problems([PANDAS], [(PANDAS.id, 99), (98, PANDAS.id)]) == []


def test_milestones_can_be_any_object_with_an_id_slug_title_and_level():
    first = SimpleNamespace(id=1, slug="a", title="A", level=F)
    second = SimpleNamespace(id=2, slug="b", title="B", level=M)
    assert messages([first, second], [(1, 2)]) == [
        "“A” (foundation) cannot require “B” (intermediate): a milestone can only require "
        "milestones of its own level or an earlier one."
    ]


# --- size --------------------------------------------------------------------------------


def test_a_very_long_chain_closed_into_a_circle_is_found_without_recursion():
    size = 20_000
    milestones = [node(n) for n in range(size)]
    edges = [(n, n + 1) for n in range(size - 1)] + [(size - 1, 0)]

    (problem,) = prerequisite_problems(milestones, edges)

    assert len(problem.path) == size + 1
    assert problem.path[0] == problem.path[-1] == milestones[0]


def test_many_milestones_are_checked_in_linear_time():
    def graph(size: int):
        levels = [F, M, A]
        milestones = [node(n, levels[3 * n // size]) for n in range(size)]
        # Each milestone requires up to three earlier ones: a DAG with ~3 edges a node.
        edges = [(n, p) for n in range(size) for p in (n - 1, n // 2, n - 7) if 0 <= p < n]
        return milestones, edges

    def seconds(size: int) -> float:
        """The best of three runs, without the garbage collector's pauses in the way."""
        milestones, edges = graph(size)
        best = float("inf")
        gc.disable()
        try:
            for _ in range(3):
                started = time.perf_counter()
                assert prerequisite_problems(milestones, edges) == []
                best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
        return best

    small, large = seconds(2_500), seconds(20_000)
    # Eight times the graph: a linear check takes about eight times as long, a quadratic
    # one sixty-four times. The bound leaves room for a noisy machine.
    assert large < max(small, 0.005) * 32
    assert large < 2
