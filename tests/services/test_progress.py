"""Marking milestones (tracker.services.progress): one row per learner and milestone, its
history and timestamps, and what leaving "done" withdraws."""

import itertools
import threading
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from tracker.models import (
    Milestone,
    Profile,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewRequest,
    ReviewStatus,
)
from tracker.services.progress import (
    ACTIVITY_PRECISION,
    progress_set_status,
    progress_update_notes,
)

DONE = ProgressStatus.DONE
IN_PROGRESS = ProgressStatus.IN_PROGRESS
NOT_STARTED = ProgressStatus.NOT_STARTED


def events_of(learner, milestone):
    return list(ProgressEvent.objects.filter(learner=learner, milestone=milestone).order_by("id"))


def test_first_status_creates_one_row_and_one_event(learner, milestone):
    progress_set_status(learner=learner, milestone=milestone, status=IN_PROGRESS)

    row = Progress.objects.get(learner=learner, milestone=milestone)
    assert row.status == IN_PROGRESS
    [event] = events_of(learner, milestone)
    assert (event.old_status, event.new_status) == (NOT_STARTED, IN_PROGRESS)
    assert event.actor == learner


def test_setting_the_same_status_again_records_nothing_new(learner, milestone):
    progress_set_status(learner=learner, milestone=milestone, status=DONE)
    progress_set_status(learner=learner, milestone=milestone, status=DONE)

    assert Progress.objects.filter(learner=learner, milestone=milestone).count() == 1
    assert len(events_of(learner, milestone)) == 1


def test_not_started_on_an_untouched_milestone_is_not_a_change(learner, milestone):
    progress_set_status(learner=learner, milestone=milestone, status=NOT_STARTED)

    assert events_of(learner, milestone) == []


def test_every_change_is_one_event_forming_a_chain(learner, milestone):
    for status in [IN_PROGRESS, DONE, IN_PROGRESS, NOT_STARTED, DONE]:
        progress_set_status(learner=learner, milestone=milestone, status=status)

    events = events_of(learner, milestone)
    assert [(e.old_status, e.new_status) for e in events] == [
        (NOT_STARTED, IN_PROGRESS),
        (IN_PROGRESS, DONE),
        (DONE, IN_PROGRESS),
        (IN_PROGRESS, NOT_STARTED),
        (NOT_STARTED, DONE),
    ]
    assert Progress.objects.get(learner=learner, milestone=milestone).status == DONE


def test_started_and_completed_timestamps_follow_the_status(learner, milestone):
    row = progress_set_status(learner=learner, milestone=milestone, status=IN_PROGRESS)
    assert row.started_at is not None
    assert row.completed_at is None
    started = row.started_at

    row = progress_set_status(learner=learner, milestone=milestone, status=DONE)
    assert row.started_at == started, "finishing keeps the moment the learner started"
    assert row.completed_at is not None

    row = progress_set_status(learner=learner, milestone=milestone, status=IN_PROGRESS)
    assert row.started_at == started
    assert row.completed_at is None

    row = progress_set_status(learner=learner, milestone=milestone, status=NOT_STARTED)
    assert row.started_at is None
    assert row.completed_at is None

    row.refresh_from_db()
    assert (row.started_at, row.completed_at) == (None, None)


def test_done_straight_from_not_started_sets_both_timestamps(learner, milestone):
    row = progress_set_status(learner=learner, milestone=milestone, status=DONE)
    row.refresh_from_db()
    assert row.started_at is not None
    assert row.completed_at is not None


def test_leaving_done_withdraws_verification_and_closes_waiting_reviews(
    learner, make_user, make_mentorship, milestone
):
    mentor = make_user("mentor")
    mentorship = make_mentorship(mentor, learner)
    other_mentorship = make_mentorship(make_user("other-mentor"), learner)
    row = progress_set_status(learner=learner, milestone=milestone, status=DONE)
    approved = ReviewRequest.objects.create(
        progress=row, mentorship=other_mentorship, status=ReviewStatus.APPROVED
    )
    waiting = ReviewRequest.objects.create(progress=row, mentorship=mentorship)
    Progress.objects.filter(pk=row.pk).update(verified_at=row.completed_at, verified_by=mentor)

    row = progress_set_status(learner=learner, milestone=milestone, status=IN_PROGRESS)

    row.refresh_from_db()
    assert row.verified_at is None
    assert row.verified_by is None
    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.CLOSED
    assert waiting.decided_at is not None
    assert waiting.closed_reason
    approved.refresh_from_db()
    assert approved.status == ReviewStatus.APPROVED, "a past verdict stays in the history"


def test_an_unknown_status_is_refused_and_writes_nothing(learner, milestone):
    with pytest.raises(ValueError, match="finished"):
        progress_set_status(learner=learner, milestone=milestone, status="finished")

    assert not Progress.objects.filter(learner=learner).exists()
    assert not ProgressEvent.objects.filter(learner=learner).exists()


def test_status_changes_and_notes_mark_the_learner_active(learner, milestones):
    before = timezone.now()
    progress_set_status(learner=learner, milestone=milestones[0], status="in_progress")
    learner.profile.refresh_from_db()
    ticked = learner.profile.last_active_at
    assert ticked >= before

    earlier = ticked - ACTIVITY_PRECISION * 2
    Profile.objects.filter(user=learner).update(last_active_at=earlier)
    learner.profile.refresh_from_db()
    progress_update_notes(
        learner=learner, milestone=milestones[1], note="Read ch. 1", evidence_url=""
    )
    learner.profile.refresh_from_db()
    assert learner.profile.last_active_at >= ticked


def test_a_run_of_clicks_records_the_activity_once_a_minute(learner, milestones):
    progress_set_status(learner=learner, milestone=milestones[0], status="in_progress")
    learner.profile.refresh_from_db()
    ticked = learner.profile.last_active_at
    progress_set_status(learner=learner, milestone=milestones[0], status="done")
    learner.profile.refresh_from_db()
    assert learner.profile.last_active_at == ticked

    later = ticked + ACTIVITY_PRECISION * 2
    with mock.patch("django.utils.timezone.now", return_value=later):
        progress_set_status(learner=learner, milestone=milestones[0], status="in_progress")
    learner.profile.refresh_from_db()
    assert learner.profile.last_active_at == later


# --- two requests at once ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_status_changes_keep_one_row_and_a_consistent_history(make_guide, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so nothing would race")
    guide = make_guide(milestones=3)
    learner = make_user("racer")
    milestone = Milestone.objects.get(guide=guide, slug="milestone-0")
    threads_count = 8
    statuses = [[IN_PROGRESS, DONE, NOT_STARTED][n % 3] for n in range(threads_count)]
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def work(status):
        try:
            barrier.wait(timeout=10)
            progress_set_status(learner=learner, milestone=milestone, status=status)
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(s,)) for s in statuses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    [row] = Progress.objects.filter(learner=learner, milestone=milestone)
    events = events_of(learner, milestone)
    assert events, "at least one thread changed the status"
    assert events[0].old_status == NOT_STARTED
    for before, after in itertools.pairwise(events):
        assert after.old_status == before.new_status
    for event in events:
        assert event.old_status != event.new_status
    assert events[-1].new_status == row.status
