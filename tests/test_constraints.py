"""The database itself keeps the data consistent, whatever code (or admin) writes to it.

Each violation is written straight through the ORM, without ``full_clean()``, so only the
database can refuse it. Check constraints are matched by name (PostgreSQL and SQLite both
report it); unique constraints are paired with the same write under another parent, which
must succeed, so that the test shows the rule is "unique per parent" and nothing broader.
"""

import datetime
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from tracker.models import (
    Advice,
    CareerStage,
    ImpactArea,
    Mentorship,
    MentorshipStatus,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Progress,
    ProgressEvent,
    ProgressStatus,
    SalaryBand,
)


@contextmanager
def refused(match: str | None = None):
    """The write inside must fail in the database; its savepoint is rolled back."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        yield


@pytest.fixture
def guide(make_guide):
    return make_guide(milestones=4, pillars=2)


@pytest.fixture
def other_guide(make_guide):
    return make_guide(milestones=2, pillars=1, slug="other-guide")


# --- slugs are unique within their parent ------------------------------------------------


def test_pillar_slug_is_unique_per_guide(guide, other_guide):
    with refused():
        Pillar.objects.create(guide=guide, slug="pillar-0", name="Again")
    Pillar.objects.create(guide=other_guide, slug="pillar-1", name="Fine elsewhere")
    assert guide.pillars.filter(slug="pillar-0").count() == 1


def test_milestone_slug_is_unique_across_the_whole_guide(guide, other_guide):
    second_pillar = guide.pillars.get(slug="pillar-1")
    assert guide.milestones.get(slug="milestone-0").pillar.slug == "pillar-0"
    with refused():
        # Another pillar of the same guide: still refused, slugs are part of the guide's URLs.
        Milestone.objects.create(pillar=second_pillar, slug="milestone-0", title="Again")
    Milestone.objects.create(
        pillar=other_guide.pillars.get(), slug="milestone-3", title="Fine elsewhere"
    )
    assert Milestone.objects.filter(slug="milestone-3").count() == 2


def test_stage_slug_is_unique_per_guide(guide, other_guide):
    with refused():
        CareerStage.objects.create(guide=guide, slug="entry-level", name="Again", order=9)
    assert CareerStage.objects.filter(slug="entry-level").count() == 2  # one per guide


def test_advice_slug_is_unique_per_guide(guide, other_guide):
    with refused():
        Advice.objects.create(guide=guide, slug="always", title="Again", body="Again")
    assert Advice.objects.filter(slug="always").count() == 2


def test_impact_area_slug_is_unique_per_guide(guide, other_guide):
    with refused():
        ImpactArea.objects.create(guide=guide, slug="climate", name="Again")
    assert ImpactArea.objects.filter(slug="climate").count() == 2


def test_a_resource_url_is_listed_once_per_milestone(guide):
    milestone = guide.milestones.get(slug="milestone-0")
    with refused():
        milestone.resources.create(title="Twice", url="https://example.com/0", kind="docs")
    guide.milestones.get(slug="milestone-1").resources.create(
        title="Fine elsewhere", url="https://example.com/0", kind="docs"
    )


# --- content values ----------------------------------------------------------------------


def test_estimated_hours_cannot_be_negative(guide):
    pillar = guide.pillars.first()
    with refused():
        Milestone.objects.create(pillar=pillar, slug="negative", title="N", estimated_hours=-1)
    with refused():
        guide.milestones.filter(slug="milestone-0").update(estimated_hours=-5)
    assert guide.milestones.get(slug="milestone-0").estimated_hours >= 0
    Milestone.objects.create(pillar=pillar, slug="zero", title="Zero", estimated_hours=0)


def band(guide, **values) -> SalaryBand:
    return SalaryBand.objects.create(
        guide=guide,
        stage=guide.stages.get(slug="getting-started"),
        region="Testland",
        source="Tests",
        as_of=datetime.date(2024, 2, 15),
        **values,
    )


def test_a_salary_band_low_cannot_be_above_high(guide):
    with refused(match="salary_low_not_above_high"):
        band(guide, low=200_000, high=100_000)
    band(guide, low=100_000, high=100_000)


def test_a_salary_band_needs_at_least_one_bound(guide):
    with refused(match="salary_band_has_a_bound"):
        band(guide, low=None, high=None)
    assert band(guide, low=None, high=90_000).high == 90_000


def test_a_salary_band_is_quoted_once_per_stage_and_region(guide):
    band(guide, low=1)
    with refused():
        band(guide, low=2)


def test_a_milestone_cannot_be_its_own_prerequisite(guide):
    milestone = guide.milestones.get(slug="milestone-0")
    with refused(match="milestone_not_its_own_prerequisite"):
        MilestonePrerequisite.objects.create(milestone=milestone, prerequisite=milestone)
    with refused():
        milestone.prerequisites.add(milestone)
    assert not milestone.prerequisites.exists()


def test_a_prerequisite_is_recorded_once(guide):
    # make_guide chains milestones of a pillar: milestone-2 comes after milestone-0.
    later = guide.milestones.get(slug="milestone-2")
    earlier = guide.milestones.get(slug="milestone-0")
    assert list(later.prerequisites.all()) == [earlier]
    with refused():
        MilestonePrerequisite.objects.create(milestone=later, prerequisite=earlier)


# --- learner data ------------------------------------------------------------------------


@pytest.fixture
def milestone(guide):
    return guide.milestones.get(slug="milestone-0")


def test_progress_is_one_row_per_learner_and_milestone(learner, stranger, milestone):
    Progress.objects.create(learner=learner, milestone=milestone)
    with refused():
        Progress.objects.create(learner=learner, milestone=milestone)
    Progress.objects.create(learner=stranger, milestone=milestone)
    assert Progress.objects.filter(milestone=milestone).count() == 2


@pytest.mark.parametrize(
    ("status", "completed"),
    [(ProgressStatus.DONE, False), (ProgressStatus.IN_PROGRESS, True)],
    ids=["done-without-date", "date-without-done"],
)
def test_progress_has_a_completion_date_exactly_when_done(learner, milestone, status, completed):
    now = timezone.now()
    with refused(match="progress_completed_at_iff_done"):
        Progress.objects.create(
            learner=learner,
            milestone=milestone,
            status=status,
            started_at=now,
            completed_at=now if completed else None,
        )
    # The consistent version of the same row is accepted.
    Progress.objects.create(
        learner=learner,
        milestone=milestone,
        status=status,
        started_at=now,
        completed_at=now if status == ProgressStatus.DONE else None,
    )


def test_progress_status_must_be_a_known_status(learner, milestone):
    with refused(match="progress_status_valid"):
        Progress.objects.create(
            learner=learner, milestone=milestone, status="half_done", started_at=timezone.now()
        )


def test_a_progress_note_longer_than_2000_characters_is_refused(learner, milestone):
    with refused(match="progress_note_at_most_2000"):
        Progress.objects.create(learner=learner, milestone=milestone, note="x" * 2001)
    row = Progress.objects.create(learner=learner, milestone=milestone, note="é" * 2000)
    with refused(match="progress_note_at_most_2000"):
        Progress.objects.filter(pk=row.pk).update(note="y" * 2001)
    row.refresh_from_db()
    assert row.note == "é" * 2000


def test_only_one_open_mentorship_per_pair(make_user):
    mentor, mentee = make_user(), make_user()
    Mentorship.objects.create(mentor=mentor, mentee=mentee, status=MentorshipStatus.PENDING)
    with refused():
        Mentorship.objects.create(mentor=mentor, mentee=mentee, status=MentorshipStatus.ACTIVE)
    # Closed ones are history: a pair can start again after a decline or an end.
    Mentorship.objects.filter(mentor=mentor).update(status=MentorshipStatus.DECLINED)
    Mentorship.objects.create(mentor=mentor, mentee=mentee, status=MentorshipStatus.ACTIVE)
    # The reverse direction is a different pair.
    Mentorship.objects.create(mentor=mentee, mentee=mentor, status=MentorshipStatus.PENDING)
    assert Mentorship.objects.count() == 3


def test_nobody_mentors_themselves(learner):
    with refused(match="mentorship_not_with_oneself"):
        Mentorship.objects.create(mentor=learner, mentee=learner)


# --- history is never deleted with content ----------------------------------------------


def test_a_milestone_with_progress_cannot_be_deleted(learner, milestone, complete):
    complete(learner, [milestone])

    with pytest.raises(ProtectedError):
        milestone.delete()
    with pytest.raises(ProtectedError):
        Milestone.objects.filter(pk=milestone.pk).delete()
    with pytest.raises(ProtectedError):
        milestone.guide.delete()

    assert Milestone.objects.filter(pk=milestone.pk).exists()
    assert Progress.objects.get(learner=learner, milestone=milestone).status == "done"
    assert ProgressEvent.objects.filter(learner=learner, milestone=milestone).count() == 1


def test_a_milestone_without_progress_can_be_deleted(guide, milestone):
    milestone.delete()
    assert not guide.milestones.filter(slug="milestone-0").exists()


def test_started_progress_has_a_start_date(learner, milestone):
    with refused(match="progress_started_at_once_started"):
        Progress.objects.create(
            learner=learner, milestone=milestone, status=ProgressStatus.IN_PROGRESS
        )
