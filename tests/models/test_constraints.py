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
def two_pillar_guide(make_guide):
    return make_guide(milestones=4, pillars=2)


@pytest.fixture
def other_guide(make_guide):
    return make_guide(milestones=2, pillars=1, slug="other-guide")


# --- slugs are unique within their parent ------------------------------------------------


def test_pillar_slug_is_unique_per_guide(two_pillar_guide, other_guide):
    with refused():
        Pillar.objects.create(guide=two_pillar_guide, slug="pillar-0", name="Again")
    Pillar.objects.create(guide=other_guide, slug="pillar-1", name="Fine elsewhere")
    assert two_pillar_guide.pillars.filter(slug="pillar-0").count() == 1


def test_milestone_slug_is_unique_across_the_whole_guide(two_pillar_guide, other_guide):
    second_pillar = two_pillar_guide.pillars.get(slug="pillar-1")
    assert two_pillar_guide.milestones.get(slug="milestone-0").pillar.slug == "pillar-0"
    with refused():
        # Another pillar of the same guide: still refused, slugs are part of the guide's URLs.
        Milestone.objects.create(pillar=second_pillar, slug="milestone-0", title="Again")
    Milestone.objects.create(
        pillar=other_guide.pillars.get(), slug="milestone-3", title="Fine elsewhere"
    )
    assert Milestone.objects.filter(slug="milestone-3").count() == 2


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (CareerStage, {"slug": "entry-level", "name": "Again", "order": 9}),
        (Advice, {"slug": "always", "title": "Again", "body": "Again"}),
        (ImpactArea, {"slug": "climate", "name": "Again"}),
    ],
    ids=["stage", "advice", "impact-area"],
)
def test_a_stage_advice_or_impact_area_slug_is_unique_per_guide(
    two_pillar_guide, other_guide, model, fields
):
    with refused():
        model.objects.create(guide=two_pillar_guide, **fields)
    assert model.objects.filter(slug=fields["slug"]).count() == 2  # one per guide


def test_a_resource_url_is_listed_once_per_milestone(two_pillar_guide):
    milestone = two_pillar_guide.milestones.get(slug="milestone-0")
    with refused():
        milestone.resources.create(title="Twice", url="https://example.com/0", kind="docs")
    two_pillar_guide.milestones.get(slug="milestone-1").resources.create(
        title="Fine elsewhere", url="https://example.com/0", kind="docs"
    )


# --- content values ----------------------------------------------------------------------


def test_estimated_hours_cannot_be_negative(two_pillar_guide):
    pillar = two_pillar_guide.pillars.first()
    with refused():
        Milestone.objects.create(pillar=pillar, slug="negative", title="N", estimated_hours=-1)
    with refused():
        two_pillar_guide.milestones.filter(slug="milestone-0").update(estimated_hours=-5)
    assert two_pillar_guide.milestones.get(slug="milestone-0").estimated_hours >= 0
    Milestone.objects.create(pillar=pillar, slug="zero", title="Zero", estimated_hours=0)


def band(two_pillar_guide, **values) -> SalaryBand:
    return SalaryBand.objects.create(
        guide=two_pillar_guide,
        stage=two_pillar_guide.stages.get(slug="getting-started"),
        region="Testland",
        source="Tests",
        as_of=datetime.date(2024, 2, 15),
        **values,
    )


def test_a_salary_band_low_cannot_be_above_high(two_pillar_guide):
    with refused(match="salary_low_not_above_high"):
        band(two_pillar_guide, low=200_000, high=100_000)
    band(two_pillar_guide, low=100_000, high=100_000)


def test_a_salary_band_needs_at_least_one_bound(two_pillar_guide):
    with refused(match="salary_band_has_a_bound"):
        band(two_pillar_guide, low=None, high=None)
    assert band(two_pillar_guide, low=None, high=90_000).high == 90_000


def test_a_salary_band_is_quoted_once_per_stage_and_region(two_pillar_guide):
    band(two_pillar_guide, low=1)
    with refused():
        band(two_pillar_guide, low=2)


def test_a_milestone_cannot_be_its_own_prerequisite(two_pillar_guide):
    milestone = two_pillar_guide.milestones.get(slug="milestone-0")
    with refused(match="milestone_not_its_own_prerequisite"):
        MilestonePrerequisite.objects.create(milestone=milestone, prerequisite=milestone)
    with refused():
        milestone.prerequisites.add(milestone)
    assert not milestone.prerequisites.exists()


def test_a_prerequisite_is_recorded_once(two_pillar_guide):
    # make_guide chains milestones of a pillar: milestone-2 comes after milestone-0.
    later = two_pillar_guide.milestones.get(slug="milestone-2")
    earlier = two_pillar_guide.milestones.get(slug="milestone-0")
    assert list(later.prerequisites.all()) == [earlier]
    with refused():
        MilestonePrerequisite.objects.create(milestone=later, prerequisite=earlier)


# --- learner data ------------------------------------------------------------------------


@pytest.fixture
def two_pillar_milestone(two_pillar_guide):
    return two_pillar_guide.milestones.get(slug="milestone-0")


def test_progress_is_one_row_per_learner_and_milestone(learner, stranger, two_pillar_milestone):
    Progress.objects.create(learner=learner, milestone=two_pillar_milestone)
    with refused():
        Progress.objects.create(learner=learner, milestone=two_pillar_milestone)
    Progress.objects.create(learner=stranger, milestone=two_pillar_milestone)
    assert Progress.objects.filter(milestone=two_pillar_milestone).count() == 2


@pytest.mark.parametrize(
    ("status", "completed"),
    [(ProgressStatus.DONE, False), (ProgressStatus.IN_PROGRESS, True)],
    ids=["done-without-date", "date-without-done"],
)
def test_progress_has_a_completion_date_exactly_when_done(
    learner, two_pillar_milestone, status, completed
):
    now = timezone.now()
    with refused(match="progress_completed_at_iff_done"):
        Progress.objects.create(
            learner=learner,
            milestone=two_pillar_milestone,
            status=status,
            started_at=now,
            completed_at=now if completed else None,
        )
    # The consistent version of the same row is accepted.
    Progress.objects.create(
        learner=learner,
        milestone=two_pillar_milestone,
        status=status,
        started_at=now,
        completed_at=now if status == ProgressStatus.DONE else None,
    )


def test_progress_status_must_be_a_known_status(learner, two_pillar_milestone):
    with refused(match="progress_status_valid"):
        Progress.objects.create(
            learner=learner,
            milestone=two_pillar_milestone,
            status="half_done",
            started_at=timezone.now(),
        )


def test_a_progress_note_longer_than_2000_characters_is_refused(learner, two_pillar_milestone):
    with refused(match="progress_note_at_most_2000"):
        Progress.objects.create(learner=learner, milestone=two_pillar_milestone, note="x" * 2001)
    row = Progress.objects.create(learner=learner, milestone=two_pillar_milestone, note="é" * 2000)
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


def test_a_milestone_with_progress_cannot_be_deleted(learner, two_pillar_milestone, complete):
    complete(learner, [two_pillar_milestone])

    with pytest.raises(ProtectedError):
        two_pillar_milestone.delete()
    with pytest.raises(ProtectedError):
        Milestone.objects.filter(pk=two_pillar_milestone.pk).delete()
    with pytest.raises(ProtectedError):
        two_pillar_milestone.guide.delete()

    assert Milestone.objects.filter(pk=two_pillar_milestone.pk).exists()
    assert Progress.objects.get(learner=learner, milestone=two_pillar_milestone).status == "done"
    assert (
        ProgressEvent.objects.filter(learner=learner, milestone=two_pillar_milestone).count() == 1
    )


def test_a_milestone_without_progress_can_be_deleted(two_pillar_guide, two_pillar_milestone):
    two_pillar_milestone.delete()
    assert not two_pillar_guide.milestones.filter(slug="milestone-0").exists()


def test_started_progress_has_a_start_date(learner, two_pillar_milestone):
    with refused(match="progress_started_at_once_started"):
        Progress.objects.create(
            learner=learner, milestone=two_pillar_milestone, status=ProgressStatus.IN_PROGRESS
        )
