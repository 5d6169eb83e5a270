"""When a scheduled mail is due, and what a learner's weekly digest says: pure rules over
plain data (no queries). ``tracker.services.reminders`` loads the data and sends.

Weeks are ISO weeks (Monday to Sunday) in the person's own time zone; a weekly mail is due
from its chosen local hour on its chosen local weekday until that day ends, so a scheduler
that was down for a few hours still sends it, and a later run the same week never does.
"""

import datetime
from dataclasses import dataclass

from tracker.rules.charts import week_start
from tracker.rules.projection import MilestoneDate, Projection

NEXT_UP_MAX = 5


def iso_week(day: datetime.date) -> str:
    """``2026-W49``: the period a weekly mail is recorded for."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_mail_due(*, local_now: datetime.datetime, weekday: int, hour: int) -> bool:
    """The chosen ISO weekday (Monday is 1) has come, and its chosen hour has struck."""
    return local_now.isoweekday() == weekday and local_now.hour >= hour


def quiet_spell_start(
    *, last_active: datetime.datetime | None, joined: datetime.datetime
) -> datetime.datetime:
    """Where the current spell without progress began: the last change, or sign-up."""
    return last_active or joined


def reminder_due(
    *,
    now: datetime.datetime,
    local_now: datetime.datetime,
    spell_start: datetime.datetime,
    days: int | None,
    hour: int,
) -> bool:
    """Quiet for at least ``days`` days, at or after the person's chosen hour."""
    if days is None:
        return False
    return now - spell_start >= datetime.timedelta(days=days) and local_now.hour >= hour


def last_week(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Monday that started last week and the Monday that starts this one."""
    this_monday = week_start(today)
    return this_monday - datetime.timedelta(weeks=1), this_monday


def this_weeks_next(projection: Projection) -> list[MilestoneDate]:
    """What this week's hours cover, in the plan's order: the milestones whose hours fit in
    one week at the pace kept (or else declared), at least one and at most five."""
    pace = projection.kept_pace or projection.declared_pace or 0
    fitting = [item for item in projection.remaining if item.hours_until_done <= pace]
    return list(projection.remaining[: max(1, min(len(fitting), NEXT_UP_MAX))])


@dataclass(frozen=True)
class DateMove:
    """How the next stage's projected date moved since the last digest."""

    kind: str  # "first", "earlier", "later", "same", "new-stage", "no-date", "done"
    days: int = 0

    @property
    def sentence(self) -> str:
        days = f"{self.days} day{'s' if self.days != 1 else ''}"
        return {
            "first": "This is your first digest: next week's will say how this date moves.",
            "earlier": f"That is {days} earlier than last week. Well done!",
            "later": f"That is {days} later than last week: a steady hour or two gets it back.",
            "same": "That is the same date as last week: you are holding your pace.",
            "new-stage": "That is a new goal: you reached a stage since the last digest.",
            "no-date": "Set how many hours a week you have in your settings to see a date.",
            "done": "You have finished every milestone of the guide.",
        }[self.kind]


def date_move(  # noqa: PLR0911 (one answer per case, read top to bottom)
    *,
    stage_id,
    projected: datetime.date | None,
    previous_stage_id,
    previous: datetime.date | None,
    everything_done: bool = False,
) -> DateMove:
    """Compare the next stage's projected date with the one the last digest told."""
    if everything_done:
        return DateMove("done")
    if projected is None:
        return DateMove("no-date")
    if previous_stage_id is None or previous is None:
        return DateMove("first")
    if previous_stage_id != stage_id:
        return DateMove("new-stage")
    shift = (projected - previous).days
    if shift < 0:
        return DateMove("earlier", -shift)
    if shift > 0:
        return DateMove("later", shift)
    return DateMove("same")


def next_stage_date(projection: Projection) -> tuple[object, datetime.date | None]:
    """The next stage not reached yet and its projected date (at the pace kept, or else
    the pace declared): (None, None) when every stage is reached."""
    if not projection.stages:
        return None, None
    upcoming = projection.stages[0]
    return upcoming, upcoming.kept or upcoming.declared
