"""Writes of a learner's progress: a milestone's status, their notes and evidence.

Each service is one transaction that locks the row it changes, so two requests arriving at
once can never create two rows for one milestone or a history that disagrees with the row.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tracker.caching import versions
from tracker.models import (
    Milestone,
    Profile,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewStatus,
    is_finished,
    profile_if_loaded,
)
from tracker.selectors.prepared import PreparedQuery

# The row of every status change, locked: compiled once (``PreparedQuery``), in the
# transaction of the first change (``FOR UPDATE`` is refused outside one).
_progress_locked = PreparedQuery(
    lambda learner_id, milestone_id: Progress.objects.select_for_update().filter(
        learner_id=learner_id, milestone_id=milestone_id
    ),
    "learner_id",
    "milestone_id",
)


def progress_get_locked(*, learner: AbstractBaseUser, milestone: Milestone) -> Progress:
    """The learner's row for the milestone, locked until the transaction ends; created
    (by one of two requests at once) when there is none."""
    found = _progress_locked(learner_id=learner.pk, milestone_id=milestone.pk)
    if found:
        return found[0]
    progress, _ = Progress.objects.select_for_update().get_or_create(
        learner=learner, milestone=milestone
    )
    return progress


@transaction.atomic
def progress_set_status(
    *,
    learner: AbstractBaseUser,
    milestone: Milestone,
    status: ProgressStatus | str,
    actor: AbstractBaseUser | None = None,
) -> Progress:
    """Record the learner's status on one milestone, and the change in the history.

    Setting the status it already has changes nothing. *Already know it* counts like done
    and can be verified like it; moving between the two keeps the verification. Leaving
    both withdraws a mentor's verification and closes review requests still waiting: the
    history keeps both.
    """
    status = ProgressStatus(status)
    progress = progress_get_locked(learner=learner, milestone=milestone)
    if progress.status == status:
        return progress
    now = timezone.now()
    ProgressEvent.objects.create(
        learner=learner,
        milestone=milestone,
        actor=actor or learner,
        old_status=progress.status,
        new_status=status,
    )
    progress_was = progress.status
    progress.status = status
    if status == ProgressStatus.NOT_STARTED:
        progress.started_at = None
    elif progress.started_at is None:
        progress.started_at = now
    if is_finished(status):
        if not is_finished(progress_was) or progress.completed_at is None:
            progress.completed_at = now
    else:
        progress.completed_at = None
        progress.verified_at = None
        progress.verified_by = None
        # Only a finished milestone can have a review waiting (``review_request``).
        closed = is_finished(progress_was) and (
            progress.reviews.filter(status=ReviewStatus.WAITING).update(
                status=ReviewStatus.CLOSED,
                decided_at=now,
                closed_reason="The milestone was marked as not done any more.",
            )
        )
        if closed:
            # The row's own save tells the learner's pages of the status, not of these.
            versions.learner_data_changed(learner_ids=[learner.pk], history=True)
    # The fields' own checks; the table's constraints are the database's to enforce, and
    # checking each here first costs a query and a savepoint.
    progress.full_clean(exclude=["learner", "milestone"], validate_constraints=False)
    progress.save(
        update_fields=[
            "status",
            "started_at",
            "completed_at",
            "verified_at",
            "verified_by",
            "updated_at",
        ]
    )
    _mark_active(learner=learner, moment=now)
    return progress


# How exactly "last active" is kept: mentors see it in days, reminders count it in weeks.
ACTIVITY_PRECISION = datetime.timedelta(minutes=1)


def _mark_active(*, learner: AbstractBaseUser, moment) -> None:
    """Record that the learner was active at ``moment``. Their profile comes with the
    session's user (``tracker.auth``): when it was recorded less than
    ``ACTIVITY_PRECISION`` before, as on every click of a run of them, nothing is written."""
    profile = profile_if_loaded(learner)
    known = profile.last_active_at if profile is not None else None
    if known is not None and moment - ACTIVITY_PRECISION < known <= moment:
        return
    Profile.objects.filter(user=learner).update(last_active_at=moment)


@transaction.atomic
def progress_update_notes(
    *, learner: AbstractBaseUser, milestone: Milestone, note: str, evidence_url: str
) -> Progress | None:
    """Save the learner's note and evidence link; an empty form on an untouched milestone
    creates no row."""
    untouched = not Progress.objects.filter(learner=learner, milestone=milestone).exists()
    if not note and not evidence_url and untouched:
        return None
    progress = progress_get_locked(learner=learner, milestone=milestone)
    progress.note = note
    progress.evidence_url = evidence_url
    progress.full_clean(exclude=["learner", "milestone"])
    progress.save(update_fields=["note", "evidence_url", "updated_at"])
    _mark_active(learner=learner, moment=progress.updated_at)
    return progress
