"""The plan with dates: when each remaining milestone and each career stage not yet reached
would be done, at the pace the learner declared and at the pace they actually kept.

Pure rules over plain data (no queries, no model instances): the selector
``tracker.selectors.plan.plan_projection_for`` turns a learner's plan into
:class:`PlanMilestone` and :class:`PlanStage` values and calls :func:`project_plan`.

How a date is found: the remaining milestones are walked in an order that respects their
prerequisites (:func:`ordered_remaining`); a milestone is done once the hours of everything
walked so far, itself included, are spent at the pace (hours per week), counted from today.
A stage is reached on the date of the last milestone it requires in that walk.
"""

import datetime
import heapq
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace

KEPT_PACE_WEEKS = 4


@dataclass(frozen=True)
class PlanMilestone:
    """One active milestone of the plan, as the projection sees it."""

    id: Hashable
    title: str
    hours: int
    level_rank: int
    # Where it sits among milestones open at the same time: (level rank, pillar order, order).
    sort_key: tuple = ()
    prerequisites: frozenset = frozenset()
    finished: bool = False  # done, or already known
    in_progress: bool = False
    slug: str = ""


@dataclass(frozen=True)
class PlanStage:
    """A career stage: reached when every milestone up to ``level_rank`` is finished; a
    ``level_rank`` of None is the first stage, which asks for nothing."""

    id: Hashable
    name: str
    order: int
    level_rank: int | None


@dataclass(frozen=True)
class Completion:
    """A milestone finished by the learner (not one they already knew): when, and its hours."""

    on: datetime.date
    hours: int


@dataclass(frozen=True)
class MilestoneDate:
    milestone: PlanMilestone
    hours_until_done: int  # the hours of the walk up to and including this milestone
    declared: datetime.date | None
    kept: datetime.date | None


@dataclass(frozen=True)
class StageDate:
    stage: PlanStage
    remaining_hours: int  # hours of the walk until its last required milestone
    declared: datetime.date | None
    kept: datetime.date | None


@dataclass(frozen=True)
class TargetCheck:
    """Whether the learner reaches the stage they aim for by the date they chose."""

    date: datetime.date
    stage: PlanStage | None  # None: the whole plan
    hours_needed: int
    weeks_left: float
    hours_per_week_needed: float | None  # None when the date is today or past
    on_track: bool | None  # None when no pace is known to judge by
    judged_by: str  # "kept", "declared" or "" (no pace)

    @property
    def past(self) -> bool:
        return self.weeks_left <= 0

    @property
    def reached(self) -> bool:
        return self.hours_needed == 0


@dataclass(frozen=True)
class Projection:
    today: datetime.date
    declared_pace: int | None  # hours per week the learner said; None when not said
    kept_pace: float | None  # None until there are four weeks of history
    remaining: tuple[MilestoneDate, ...] = ()
    stages: tuple[StageDate, ...] = ()  # the stages not reached yet, in order
    target: TargetCheck | None = None
    remaining_hours: int = 0
    by_milestone: dict = field(default_factory=dict)

    @property
    def everything_done(self) -> bool:
        return not self.remaining

    @property
    def milestone_dates(self) -> dict:
        """Each remaining milestone's :class:`MilestoneDate`, by milestone id."""
        return self.by_milestone

    @property
    def stage_dates(self) -> dict:
        """Each stage not reached yet's :class:`StageDate`, by stage id."""
        return {item.stage.id: item for item in self.stages}

    @property
    def has_pace(self) -> bool:
        return bool(self.declared_pace) or bool(self.kept_pace)


def kept_pace(
    completions: Iterable[Completion], today: datetime.date, history_since: datetime.date | None
) -> float | None:
    """Hours per week of the milestones finished over the last four weeks (today included),
    once the learner's history is at least four weeks old; None before that."""
    window_start = today - datetime.timedelta(weeks=KEPT_PACE_WEEKS)
    if history_since is None or history_since > window_start:
        return None
    hours = sum(item.hours for item in completions if window_start < item.on <= today)
    return hours / KEPT_PACE_WEEKS


def ordered_remaining(milestones: Sequence[PlanMilestone]) -> list[PlanMilestone]:
    """The unfinished milestones in an order that respects prerequisites: work in progress
    first, then whatever is open, by level, pillar and order. A prerequisite outside the
    plan (archived) or already finished does not hold anything back; milestones caught in a
    circle of prerequisites come last, in their own order, so none is ever dropped."""
    remaining = [m for m in milestones if not m.finished]
    ids = {m.id for m in remaining}
    waiting_on = {m.id: {p for p in m.prerequisites if p in ids} for m in remaining}
    unlocks: dict[Hashable, list[PlanMilestone]] = {m.id: [] for m in remaining}
    for milestone in remaining:
        for prerequisite in waiting_on[milestone.id]:
            unlocks[prerequisite].append(milestone)

    def priority(position: int, milestone: PlanMilestone) -> tuple:
        return (not milestone.in_progress, milestone.sort_key, position)

    position_of = {m.id: position for position, m in enumerate(remaining)}
    heap = [priority(position_of[m.id], m) for m in remaining if not waiting_on[m.id]]
    heapq.heapify(heap)
    ordered: list[PlanMilestone] = []
    while heap:
        milestone = remaining[heapq.heappop(heap)[2]]
        ordered.append(milestone)
        for follower in unlocks[milestone.id]:
            waiting_on[follower.id].discard(milestone.id)
            if not waiting_on[follower.id]:
                heapq.heappush(heap, priority(position_of[follower.id], follower))
    if len(ordered) < len(remaining):
        placed = {m.id for m in ordered}
        stuck = [m for m in remaining if m.id not in placed]
        ordered.extend(sorted(stuck, key=lambda m: priority(position_of[m.id], m)))
    return ordered


def date_at(today: datetime.date, hours: float, pace: float | None) -> datetime.date | None:
    """The day ``hours`` of work are done at ``pace`` hours per week; None without a pace."""
    if not pace or pace <= 0:
        return None
    return today + datetime.timedelta(days=math.ceil(hours * 7 / pace))


def project_plan(  # noqa: PLR0913 (plain data in, each named: keyword-only)
    *,
    milestones: Sequence[PlanMilestone],
    stages: Sequence[PlanStage],
    today: datetime.date,
    declared_pace: int | None,
    kept: float | None = None,
    target_stage_id: Hashable | None = None,
    target_date: datetime.date | None = None,
) -> Projection:
    """The plan with dates; see the module's docstring for how dates are found."""
    walk = ordered_remaining(milestones)
    dates = []
    spent = 0
    for milestone in walk:
        spent += milestone.hours
        dates.append(
            MilestoneDate(
                milestone=milestone,
                hours_until_done=spent,
                declared=date_at(today, spent, declared_pace),
                kept=date_at(today, spent, kept),
            )
        )
    stage_dates = []
    for stage in sorted(stages, key=lambda stage: stage.order):
        last = _last_required(stage, dates)
        if last is None:
            continue  # reached already (or asks for nothing)
        stage_dates.append(
            StageDate(
                stage=stage,
                remaining_hours=last.hours_until_done,
                declared=last.declared,
                kept=last.kept,
            )
        )
    projection = Projection(
        today=today,
        declared_pace=declared_pace,
        kept_pace=kept,
        remaining=tuple(dates),
        stages=tuple(stage_dates),
        remaining_hours=spent,
        by_milestone={item.milestone.id: item for item in dates},
    )
    if target_date is None:
        return projection
    target_stage = next((stage for stage in stages if stage.id == target_stage_id), None)
    return replace(
        projection,
        target=target_check(
            projection=projection, stage=target_stage, date=target_date, today=today
        ),
    )


def _last_required(stage: PlanStage, dates: Sequence[MilestoneDate]) -> MilestoneDate | None:
    if stage.level_rank is None:
        return None
    last = None
    for item in dates:
        if item.milestone.level_rank <= stage.level_rank:
            last = item
    return last


def target_check(
    *,
    projection: Projection,
    stage: PlanStage | None,
    date: datetime.date,
    today: datetime.date,
) -> TargetCheck:
    """The hours per week a target date needs, and whether the pace kept (or else the pace
    declared) gets there in time. A stage already reached is on track whatever the date; a
    date today or past with work left is not."""
    if stage is None:
        hours_needed = projection.remaining_hours
    else:
        stage_date = projection.stage_dates.get(stage.id)
        hours_needed = stage_date.remaining_hours if stage_date else 0
    weeks_left = (date - today).days / 7
    pace, judged_by = (
        (projection.kept_pace, "kept")
        if projection.kept_pace is not None
        else (projection.declared_pace, "declared" if projection.declared_pace else "")
    )
    if hours_needed == 0:
        needed, on_track = 0.0, True
    elif weeks_left <= 0:
        needed, on_track = None, False
    else:
        needed = hours_needed / weeks_left
        on_track = None if not judged_by else (pace or 0) >= needed
    return TargetCheck(
        date=date,
        stage=stage,
        hours_needed=hours_needed,
        weeks_left=weeks_left,
        hours_per_week_needed=needed,
        on_track=on_track,
        judged_by=judged_by,
    )
