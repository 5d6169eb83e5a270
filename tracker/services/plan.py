"""Writes of a learner's plan: their pace, aim and time zone, and what they already know."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tracker.models import (
    CareerStage,
    Milestone,
    PlanSnapshot,
    Profile,
    Progress,
    ProgressStatus,
    is_finished,
)
from tracker.services.progress import progress_set_status

PLAN_FIELDS = ("hours_per_week", "target_stage", "target_date", "time_zone", "onboarded_at")


@transaction.atomic
def profile_plan_set(  # noqa: PLR0913 (each answer of the plan form, keyword-only)
    *,
    user: AbstractBaseUser,
    hours_per_week: int | None,
    target_stage: CareerStage | None,
    target_date,
    time_zone: str,
    offered: Iterable[Milestone] = (),
    known_ids: Iterable[int] = (),
) -> Profile:
    """Save the learner's answers. Of the milestones ``offered`` (the foundations listed),
    those in ``known_ids`` become "Already know it" unless finished already, and those
    unticked that were "Already know it" go back to not started; done work is never touched."""
    profile = Profile.objects.select_for_update().get(user=user)
    profile.hours_per_week = hours_per_week
    profile.target_stage = target_stage
    profile.target_date = target_date
    profile.time_zone = time_zone
    profile.onboarded_at = profile.onboarded_at or timezone.now()
    profile.full_clean(exclude=["user", "current_guide"])
    profile.save(update_fields=PLAN_FIELDS)

    offered = list(offered)
    known = set(known_ids)
    statuses = dict(
        Progress.objects.filter(learner=user, milestone__in=offered).values_list(
            "milestone_id", "status"
        )
    )
    for milestone in offered:
        status = statuses.get(milestone.pk)
        if milestone.pk in known and not is_finished(status):
            progress_set_status(learner=user, milestone=milestone, status=ProgressStatus.KNOWN)
        elif milestone.pk not in known and status == ProgressStatus.KNOWN:
            progress_set_status(
                learner=user, milestone=milestone, status=ProgressStatus.NOT_STARTED
            )
    return profile


@transaction.atomic
def plan_snapshot_record(*, learner: AbstractBaseUser, guide, milestone_ids) -> None:
    """Remember the milestones the learner's dashboard has just shown them, and the plan's
    version (``Profile.plan_seen``), which spares the next visits any query until the
    guide's content changes. Two first visits at once cannot collide (the insert ignores
    a conflict)."""
    Profile.objects.filter(user=learner).update(plan_seen=plan_seen_key(guide))
    values = {"milestone_ids": sorted(milestone_ids), "seen_at": timezone.now()}
    if PlanSnapshot.objects.filter(learner=learner, guide=guide).update(**values):
        return
    PlanSnapshot.objects.bulk_create(
        [PlanSnapshot(learner=learner, guide=guide, **values)], ignore_conflicts=True
    )


def plan_seen_key(guide) -> str:
    """What ``Profile.plan_seen`` holds once the learner has seen this guide's plan."""
    return f"{guide.pk}.{guide.content_version}"
