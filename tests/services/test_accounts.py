"""Deleting an account (tracker.services.accounts): everything of the learner's goes,
nothing of anyone else's."""

from http import HTTPStatus

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from tests.conftest import PASSWORD, messages_of
from tracker.models import Profile, Progress, ProgressEvent, ProgressStatus
from tracker.services.progress import progress_set_status

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_a_wrong_password_deletes_nothing_and_says_so(logged_in, learner, history):
    before = (
        Progress.objects.filter(learner=learner).count(),
        ProgressEvent.objects.filter(learner=learner).count(),
    )

    response = logged_in.post(reverse("tracker:delete_account"), {"password": "not-mine"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "That is not your password. Nothing was deleted." in response.content.decode()
    assert User.objects.filter(pk=learner.pk).exists()
    assert Profile.objects.filter(user=learner).exists()
    after = (
        Progress.objects.filter(learner=learner).count(),
        ProgressEvent.objects.filter(learner=learner).count(),
    )
    assert after == before
    assert logged_in.session.get(SESSION_KEY) == str(learner.pk), "still logged in"


def test_the_right_password_deletes_everything_and_logs_out(
    logged_in, learner, stranger, m, history
):
    progress_set_status(learner=stranger, milestone=m[0], status=ProgressStatus.DONE)
    others = (
        Progress.objects.filter(learner=stranger).count(),
        ProgressEvent.objects.filter(learner=stranger).count(),
    )

    response = logged_in.post(
        reverse("tracker:delete_account"), {"password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(reverse("tracker:landing"), HTTPStatus.FOUND)]
    assert "Your account and all of its data have been deleted." in messages_of(response)
    assert not User.objects.filter(pk=learner.pk).exists()
    assert not Profile.objects.filter(user_id=learner.pk).exists()
    assert not Progress.objects.filter(learner_id=learner.pk).exists()
    assert not ProgressEvent.objects.filter(learner_id=learner.pk).exists()
    assert logged_in.session.get(SESSION_KEY) is None
    assert logged_in.get(reverse("tracker:dashboard")).status_code == HTTPStatus.FOUND
    assert (
        Progress.objects.filter(learner=stranger).count(),
        ProgressEvent.objects.filter(learner=stranger).count(),
    ) == others, "other learners keep their data"


def test_deleting_a_mentor_keeps_the_mentees_verified_progress(
    client, learner, make_user, make_mentorship, m
):
    mentor = make_user("mentor")
    make_mentorship(mentor, learner)
    row = progress_set_status(learner=learner, milestone=m[0], status=ProgressStatus.DONE)
    Progress.objects.filter(pk=row.pk).update(verified_at=row.completed_at, verified_by=mentor)
    client.force_login(mentor)

    client.post(reverse("tracker:delete_account"), {"password": PASSWORD})

    assert not User.objects.filter(pk=mentor.pk).exists()
    row.refresh_from_db()
    assert row.status == ProgressStatus.DONE
    assert row.verified_at is not None
    assert row.verified_by is None
