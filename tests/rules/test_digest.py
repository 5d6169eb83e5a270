"""When scheduled mail is due, and what the digest says about the projected date."""

import datetime
import zoneinfo

from tracker.rules.digest import (
    date_move,
    iso_week,
    last_week,
    next_stage_date,
    reminder_due,
    this_weeks_next,
    weekly_mail_due,
)
from tracker.rules.projection import PlanMilestone, PlanStage, project_plan

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
TODAY = datetime.date(2026, 12, 9)  # a Wednesday


def test_iso_weeks_name_the_period_including_the_year_turn():
    assert iso_week(datetime.date(2026, 12, 7)) == "2026-W50"
    assert iso_week(datetime.date(2027, 1, 1)) == "2026-W53"
    assert iso_week(datetime.date(2027, 1, 4)) == "2027-W01"


def test_a_weekly_mail_is_due_from_its_hour_until_its_day_ends():
    monday = datetime.datetime(2026, 12, 7, 7, 59, tzinfo=TOKYO)
    assert not weekly_mail_due(local_now=monday, weekday=1, hour=8)
    assert weekly_mail_due(local_now=monday.replace(minute=0, hour=8), weekday=1, hour=8)
    assert weekly_mail_due(local_now=monday.replace(hour=23), weekday=1, hour=8)
    assert not weekly_mail_due(local_now=monday + datetime.timedelta(days=1), weekday=1, hour=0)
    assert weekly_mail_due(local_now=monday.replace(hour=0), weekday=1, hour=0)


def test_a_reminder_needs_the_quiet_days_and_the_hour():
    now = datetime.datetime(2026, 12, 9, 10, tzinfo=datetime.UTC)
    local = now.astimezone(TOKYO)  # 19:00 in Tokyo
    week_ago = now - datetime.timedelta(days=7)
    assert reminder_due(now=now, local_now=local, spell_start=week_ago, days=7, hour=18)
    assert not reminder_due(now=now, local_now=local, spell_start=week_ago, days=8, hour=18)
    assert not reminder_due(now=now, local_now=local, spell_start=week_ago, days=7, hour=20)
    assert not reminder_due(now=now, local_now=local, spell_start=week_ago, days=None, hour=0)


def test_last_week_runs_monday_to_monday():
    assert last_week(TODAY) == (datetime.date(2026, 11, 30), datetime.date(2026, 12, 7))
    assert last_week(datetime.date(2026, 12, 7)) == (
        datetime.date(2026, 11, 30),
        datetime.date(2026, 12, 7),
    )


def test_the_date_move_reads_in_days_and_says_when_there_is_nothing_to_compare():
    one, two = datetime.date(2027, 3, 1), datetime.date(2027, 3, 6)
    assert date_move(stage_id=1, projected=one, previous_stage_id=1, previous=two).sentence == (
        "That is 5 days earlier than last week. Well done!"
    )
    later = date_move(stage_id=1, projected=two, previous_stage_id=1, previous=one)
    assert (later.kind, later.days) == ("later", 5)
    day = date_move(
        stage_id=1, projected=one + datetime.timedelta(days=1), previous_stage_id=1, previous=one
    )
    assert "1 day later" in day.sentence
    assert date_move(stage_id=1, projected=one, previous_stage_id=1, previous=one).kind == "same"
    assert (
        date_move(stage_id=1, projected=one, previous_stage_id=None, previous=None).kind == "first"
    )
    assert (
        date_move(stage_id=2, projected=one, previous_stage_id=1, previous=two).kind == "new-stage"
    )
    assert (
        date_move(stage_id=1, projected=None, previous_stage_id=1, previous=two).kind == "no-date"
    )
    done = date_move(
        stage_id=None, projected=None, previous_stage_id=1, previous=two, everything_done=True
    )
    assert done.kind == "done"


def plan(pace, hours=(4, 4, 4, 20, 4, 4, 4)):
    milestones = [
        PlanMilestone(id=n, title=f"M{n}", hours=h, level_rank=0 if n < 3 else 1, sort_key=(n,))
        for n, h in enumerate(hours)
    ]
    stages = [
        PlanStage(id="start", name="Getting started", order=0, level_rank=None),
        PlanStage(id="entry", name="Entry-level ready", order=1, level_rank=0),
        PlanStage(id="mid", name="Mid-level ready", order=2, level_rank=1),
    ]
    return project_plan(milestones=milestones, stages=stages, today=TODAY, declared_pace=pace)


def test_this_week_covers_what_the_pace_fits_at_least_one_at_most_five():
    assert [i.milestone.id for i in this_weeks_next(plan(8))] == [0, 1]
    assert [i.milestone.id for i in this_weeks_next(plan(None))] == [0]
    assert [i.milestone.id for i in this_weeks_next(plan(2))] == [0]
    assert len(this_weeks_next(plan(80, hours=(1,) * 9))) == 5


def test_the_next_stage_and_its_date_or_nothing_when_all_is_done():
    stage, day = next_stage_date(plan(12))
    assert stage.stage.name == "Entry-level ready"
    assert day == TODAY + datetime.timedelta(days=7)
    assert next_stage_date(plan(12, hours=())) == (None, None)
    stage, day = next_stage_date(plan(None))
    assert stage.stage.id == "entry"
    assert day is None
