"""Which of a guide's advice applies to a learner right now: pure rules, no queries."""

import datetime
from collections.abc import Sequence

from django.utils import timezone

from tracker.models import Advice, AdviceRule, Level, Milestone, ProgressStatus, is_finished

STARTED = {ProgressStatus.IN_PROGRESS, ProgressStatus.DONE, ProgressStatus.KNOWN}


def _applies(
    item: Advice,
    milestones: Sequence[Milestone],
    statuses: dict[int, str],
    last_activity: datetime.datetime | None,
    now: datetime.datetime,
) -> bool:
    def status(milestone: Milestone) -> str:
        return statuses.get(milestone.pk, ProgressStatus.NOT_STARTED)

    match item.rule:
        case AdviceRule.FOUNDATIONS_UNFINISHED_ADVANCED_STARTED:
            foundations_open = any(
                m.level == Level.FOUNDATION and not is_finished(status(m)) for m in milestones
            )
            advanced_started = any(
                m.level == Level.ADVANCED and status(m) in STARTED for m in milestones
            )
            return foundations_open and advanced_started
        case AdviceRule.NO_PROJECT_STARTED:
            # Only once the learner is under way: on the first day it would read as a
            # reproach before anything could have been done.
            projects = [m for m in milestones if m.is_project]
            under_way = any(status(m) in STARTED for m in milestones)
            return bool(projects) and under_way and not any(status(m) in STARTED for m in projects)
        case AdviceRule.INACTIVE:
            # Whole calendar days, like the dashboard's "last activity": true all day long.
            return (
                last_activity is not None
                and (timezone.localdate(now) - timezone.localdate(last_activity)).days
                >= item.inactive_days
            )
    return False


def advice_for(
    advice: Sequence[Advice],
    milestones: Sequence[Milestone],
    statuses: dict[int, str],
    last_activity: datetime.datetime | None,
    now: datetime.datetime,
) -> list[Advice]:
    """The specific advice whose rule matches; the always-on advice when none does."""
    specific = [
        item
        for item in advice
        if item.rule != AdviceRule.ALWAYS
        and _applies(item, milestones, statuses, last_activity, now)
    ]
    return specific or [item for item in advice if item.rule == AdviceRule.ALWAYS]
