"""What to do next (tracker.rules.plan.next_up): the dashboard's "Next up", and the rule
on a built plan."""

from types import SimpleNamespace

import pytest

from tests.conftest import dashboard, section
from tracker.models import ProgressStatus
from tracker.rules.plan import next_up
from tracker.selectors.content import guide_plan_build

pytestmark = pytest.mark.django_db


def next_up_titles(html: str) -> list[str]:
    block = section(html, 'id="next-heading"', "</section>")
    titles = []
    for chunk in block.split('class="fw-semibold" href="')[1:]:
        titles.append(chunk[chunk.index(">") + 1 : chunk.index("</a>")])
    return titles


@pytest.mark.parametrize(
    ("done", "started", "expected"),
    [
        pytest.param(
            [], [], ["Milestone 0", "Milestone 1", "Milestone 2"], id="starts-with-open-foundations"
        ),
        pytest.param(
            [], [5], ["Milestone 5", "Milestone 0", "Milestone 1"], id="puts-work-in-progress-first"
        ),
        # m0 opens m3 (intermediate, pillar 0), before m1 in plan order.
        pytest.param(
            [0],
            [],
            ["Milestone 1", "Milestone 3", "Milestone 2"],
            id="puts-foundations-before-later-levels-whatever-the-pillar",
        ),
        # m1 opens m4 (advanced, pillar 1), before m2 in plan order.
        pytest.param(
            [1],
            [],
            ["Milestone 0", "Milestone 2", "Milestone 4"],
            id="puts-an-open-foundation-before-open-advanced-work",
        ),
        # Open now: m3 (intermediate, pillar 0), m4 (advanced, pillar 1), m2 (intermediate,
        # pillar 2). m5 waits for m2. Intermediate comes before advanced whatever the pillar.
        pytest.param(
            [0, 1],
            [],
            ["Milestone 3", "Milestone 2", "Milestone 4"],
            id="orders-by-level-and-skips-unfinished-prerequisites",
        ),
    ],
)
def test_next_up_on_the_dashboard(client, learner, m, complete, done, started, expected):
    complete(learner, [m[n] for n in done])
    complete(learner, [m[n] for n in started], status="in_progress")

    html = dashboard(client, learner).content.decode()

    assert next_up_titles(html) == expected


def test_next_up_never_suggests_a_milestone_whose_prerequisites_are_unfinished(guide):
    plan = guide_plan_build(guide=guide)
    by_slug = plan.by_slug
    statuses = {
        by_slug["milestone-0"].pk: ProgressStatus.IN_PROGRESS,
        by_slug["milestone-1"].pk: ProgressStatus.DONE,
        by_slug["milestone-2"].pk: ProgressStatus.DONE,
    }

    suggested = [m.slug for m in next_up(plan.milestones, statuses, limit=10)]

    assert suggested == ["milestone-0", "milestone-4", "milestone-5"]
    assert "milestone-3" not in suggested  # its prerequisite, milestone-0, is not done


def test_next_up_over_plain_data_puts_work_in_progress_first_and_respects_prerequisites():
    def node(pk, level_rank, order, requires=()):
        return SimpleNamespace(
            pk=pk,
            level=["foundation", "intermediate", "advanced"][level_rank - 1],
            pillar=SimpleNamespace(order=0),
            order=order,
            prerequisites=SimpleNamespace(all=lambda: list(requires)),
        )

    basics = node(1, 1, 1)
    stats = node(2, 1, 2)
    models = node(3, 2, 3, requires=[basics])
    deploy = node(4, 3, 4, requires=[models])
    plan = [deploy, models, stats, basics]

    assert [m.pk for m in next_up(plan, {})] == [1, 2]
    assert [m.pk for m in next_up(plan, {2: ProgressStatus.IN_PROGRESS})] == [2, 1]
    assert [m.pk for m in next_up(plan, {1: ProgressStatus.DONE})] == [2, 3]
    assert [m.pk for m in next_up(plan, dict.fromkeys([1, 2, 3], ProgressStatus.DONE))] == [4]
    assert next_up(plan, dict.fromkeys([1, 2, 3, 4], ProgressStatus.DONE)) == []
