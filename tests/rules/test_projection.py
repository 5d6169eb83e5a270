"""The plan with dates (tracker.rules.projection): pure rules, no database."""

import datetime

from tracker.rules.projection import (
    Completion,
    PlanMilestone,
    PlanStage,
    date_at,
    kept_pace,
    ordered_remaining,
    project_plan,
)

TODAY = datetime.date(2026, 12, 3)
FOUNDATION, INTERMEDIATE, ADVANCED = 1, 2, 3

STAGES = (
    PlanStage(id="start", name="Getting started", order=0, level_rank=None),
    PlanStage(id="entry", name="Entry level", order=1, level_rank=FOUNDATION),
    PlanStage(id="mid", name="Mid-level", order=2, level_rank=INTERMEDIATE),
    PlanStage(id="senior", name="Experienced", order=3, level_rank=ADVANCED),
)


def milestone(pk, hours, level=FOUNDATION, order=0, requires=(), **state):
    return PlanMilestone(
        id=pk,
        title=f"M{pk}",
        hours=hours,
        level_rank=level,
        sort_key=(level, 0, order),
        prerequisites=frozenset(requires),
        **state,
    )


def plan(**state_by_id):
    """Two foundations (10 h, 20 h), one intermediate (30 h) that needs the first, one
    advanced (40 h) that needs the intermediate."""
    base = [
        milestone(1, 10, order=1),
        milestone(2, 20, order=2),
        milestone(3, 30, INTERMEDIATE, order=1, requires={1}),
        milestone(4, 40, ADVANCED, order=1, requires={3}),
    ]
    return [PlanMilestone(**{**m.__dict__, **state_by_id.get(f"m{m.id}", {})}) for m in base]


def ids(milestones):
    return [m.id for m in milestones]


# --- order -------------------------------------------------------------------------------


def test_order_puts_foundations_first_then_what_they_open():
    assert ids(ordered_remaining(plan())) == [1, 2, 3, 4]


def test_order_never_puts_a_milestone_before_its_prerequisite_whatever_its_level():
    # An intermediate milestone whose prerequisite is a later-sorted foundation one.
    milestones = [
        milestone(1, 5, INTERMEDIATE, order=0, requires={2}),
        milestone(2, 5, FOUNDATION, order=9),
        milestone(3, 5, FOUNDATION, order=1, requires={1}),
    ]
    assert ids(ordered_remaining(milestones)) == [2, 1, 3]


def test_order_puts_work_in_progress_first_and_skips_finished_milestones():
    milestones = plan(m1={"finished": True}, m2={"in_progress": True})
    assert ids(ordered_remaining(milestones)) == [2, 3, 4]


def test_order_ignores_prerequisites_outside_the_plan_and_keeps_a_circle_at_the_end():
    milestones = [
        milestone(1, 5, order=1, requires={99}),  # 99 is archived: not in the plan
        milestone(2, 5, order=2, requires={3}),
        milestone(3, 5, order=3, requires={2}),
    ]
    assert ids(ordered_remaining(milestones)) == [1, 2, 3]


# --- dates -------------------------------------------------------------------------------


def test_each_milestone_and_stage_gets_a_date_at_the_declared_pace():
    projection = project_plan(milestones=plan(), stages=STAGES, today=TODAY, declared_pace=10)

    dates = projection.milestone_dates
    assert [dates[pk].hours_until_done for pk in (1, 2, 3, 4)] == [10, 30, 60, 100]
    assert dates[1].declared == TODAY + datetime.timedelta(weeks=1)
    assert dates[4].declared == TODAY + datetime.timedelta(weeks=10)
    assert dates[4].kept is None  # no kept pace yet

    stages = projection.stage_dates
    assert list(stages) == ["entry", "mid", "senior"]  # the first stage asks for nothing
    assert stages["entry"].declared == TODAY + datetime.timedelta(weeks=3)
    assert stages["mid"].remaining_hours == 60
    assert stages["senior"].declared == TODAY + datetime.timedelta(weeks=10)
    assert projection.remaining_hours == 100


def test_a_part_week_rounds_up_to_the_day_the_work_is_done():
    assert date_at(TODAY, 1, 3) == TODAY + datetime.timedelta(days=3)  # 2.33 days
    assert date_at(TODAY, 0, 3) == TODAY


def test_dates_at_the_kept_pace_sit_beside_the_declared_ones():
    projection = project_plan(
        milestones=plan(), stages=STAGES, today=TODAY, declared_pace=10, kept=5.0
    )
    entry = projection.stage_dates["entry"]
    assert entry.declared == TODAY + datetime.timedelta(weeks=3)
    assert entry.kept == TODAY + datetime.timedelta(weeks=6)


def test_a_reached_stage_has_no_date_and_finished_work_moves_the_rest_earlier():
    projection = project_plan(
        milestones=plan(m1={"finished": True}, m2={"finished": True}),
        stages=STAGES,
        today=TODAY,
        declared_pace=10,
    )
    assert list(projection.stage_dates) == ["mid", "senior"]
    assert projection.stage_dates["mid"].declared == TODAY + datetime.timedelta(weeks=3)
    assert 1 not in projection.milestone_dates


def test_no_pace_gives_the_order_and_hours_but_no_dates():
    projection = project_plan(milestones=plan(), stages=STAGES, today=TODAY, declared_pace=None)
    assert not projection.has_pace
    assert projection.stage_dates["senior"].remaining_hours == 100
    assert projection.stage_dates["senior"].declared is None
    assert all(item.declared is None and item.kept is None for item in projection.remaining)


def test_a_pace_of_zero_gives_no_dates_rather_than_dividing_by_it():
    projection = project_plan(
        milestones=plan(), stages=STAGES, today=TODAY, declared_pace=0, kept=0.0
    )
    assert projection.stage_dates["entry"].declared is None
    assert projection.stage_dates["entry"].kept is None


def test_everything_done_leaves_nothing_to_date():
    done = {f"m{pk}": {"finished": True} for pk in (1, 2, 3, 4)}
    projection = project_plan(
        milestones=plan(**done),
        stages=STAGES,
        today=TODAY,
        declared_pace=10,
        target_stage_id="senior",
        target_date=TODAY + datetime.timedelta(weeks=1),
    )
    assert projection.everything_done
    assert projection.stages == ()
    assert projection.remaining_hours == 0
    assert projection.target.reached
    assert projection.target.on_track is True


# --- kept pace ---------------------------------------------------------------------------


def test_kept_pace_is_the_hours_finished_over_the_last_four_weeks():
    completions = [
        Completion(on=TODAY, hours=8),
        Completion(on=TODAY - datetime.timedelta(days=27), hours=4),
        Completion(on=TODAY - datetime.timedelta(days=28), hours=100),  # five weeks ago
    ]
    since = TODAY - datetime.timedelta(weeks=10)
    assert kept_pace(completions, TODAY, since) == 3.0


def test_kept_pace_waits_for_four_weeks_of_history():
    completions = [Completion(on=TODAY, hours=8)]
    assert kept_pace(completions, TODAY, TODAY - datetime.timedelta(days=27)) is None
    assert kept_pace(completions, TODAY, None) is None
    assert kept_pace(completions, TODAY, TODAY - datetime.timedelta(days=28)) == 2.0


def test_kept_pace_is_zero_after_four_quiet_weeks():
    assert kept_pace([], TODAY, TODAY - datetime.timedelta(weeks=8)) == 0.0


# --- target date -------------------------------------------------------------------------


def project_to(target_date, declared=10, kept=None, stage="mid"):
    return project_plan(
        milestones=plan(),
        stages=STAGES,
        today=TODAY,
        declared_pace=declared,
        kept=kept,
        target_stage_id=stage,
        target_date=target_date,
    ).target


def test_target_date_gives_the_hours_per_week_it_needs():
    target = project_to(TODAY + datetime.timedelta(weeks=12))
    assert target.hours_needed == 60
    assert target.hours_per_week_needed == 5.0
    assert (target.on_track, target.judged_by) == (True, "declared")


def test_target_is_judged_by_the_kept_pace_once_there_is_one():
    target = project_to(TODAY + datetime.timedelta(weeks=12), declared=10, kept=4.0)
    assert (target.on_track, target.judged_by) == (False, "kept")


def test_target_too_close_for_the_pace_is_not_on_track():
    target = project_to(TODAY + datetime.timedelta(weeks=3), declared=10)
    assert target.hours_per_week_needed == 20.0
    assert target.on_track is False


def test_target_in_the_past_needs_no_figure_and_is_not_on_track():
    target = project_to(TODAY - datetime.timedelta(days=1))
    assert target.past
    assert target.hours_per_week_needed is None
    assert target.on_track is False


def test_target_without_any_pace_says_the_hours_needed_but_cannot_judge():
    target = project_to(TODAY + datetime.timedelta(weeks=6), declared=None)
    assert target.hours_per_week_needed == 10.0
    assert target.on_track is None
    assert target.judged_by == ""


def test_target_without_a_stage_aims_at_the_whole_plan():
    target = project_to(TODAY + datetime.timedelta(weeks=10), stage=None)
    assert target.stage is None
    assert target.hours_needed == 100
    assert target.hours_per_week_needed == 10.0


def test_no_target_date_no_target_check():
    projection = project_plan(
        milestones=plan(), stages=STAGES, today=TODAY, declared_pace=10, target_stage_id="mid"
    )
    assert projection.target is None
