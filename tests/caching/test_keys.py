"""The mentoring page's versions change with every change the page shows, including the
combinations a sum could hide."""

import pytest
from django.db.models import F

from tracker.caching.keys import mentoring_versions
from tracker.models import Guide, Mentorship, MentorshipStatus
from tracker.services.mentoring import mentorship_end, mentorship_respond

pytestmark = pytest.mark.django_db


def test_a_deleted_guide_is_seen_though_another_rises_by_its_version(make_guide, mentor):
    kept = make_guide(slug="kept")
    draft = make_guide(slug="draft", published=False)
    Guide.objects.filter(pk=draft.pk).update(content_version=3)
    before = mentoring_versions(user=mentor)

    draft.delete()
    Guide.objects.filter(pk=kept.pk).update(content_version=F("content_version") + 3)

    assert mentoring_versions(user=mentor) != before


def test_publishing_one_guide_while_unpublishing_another_is_seen(make_guide, mentor):
    first, second = make_guide(slug="first"), make_guide(slug="second", published=False)
    before = mentoring_versions(user=mentor)

    first.published, second.published = False, True
    first.save()
    second.save()

    assert mentoring_versions(user=mentor) != before


def test_a_mentorship_that_ends_while_another_starts_is_seen(mentor, make_user, make_mentorship):
    make_mentorship(mentor, make_user("ada"))
    leaving = make_mentorship(mentor, make_user("grace"))
    before = mentoring_versions(user=mentor)

    mentorship_end(mentorship=leaving)
    make_mentorship(mentor, make_user("linus"))

    assert mentoring_versions(user=mentor) != before


def test_an_accepted_invitation_is_seen(mentor, learner, make_mentorship):
    pending = make_mentorship(mentor, learner, status=MentorshipStatus.PENDING)
    before = mentoring_versions(user=mentor)

    mentorship_respond(mentorship=pending, accept=True)

    assert mentoring_versions(user=mentor) != before


def test_a_mentees_change_is_seen(mentor, learner, make_mentorship):
    mentorship = make_mentorship(mentor, learner)
    before = mentoring_versions(user=mentor)

    Mentorship.objects.filter(pk=mentorship.pk).update(data_version=F("data_version") + 1)

    assert mentoring_versions(user=mentor) != before
