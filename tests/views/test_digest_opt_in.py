"""The weekly digest is chosen explicitly in onboarding: off until the learner says yes,
and a page left unanswered records no choice at all."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from tracker.models import MailPreferences

pytestmark = pytest.mark.django_db
ONBOARDING = reverse("tracker:onboarding")


def answers(**changes):
    data = {"hours_per_week": "6", "target_stage": "", "target_date": "", "time_zone": "UTC"}
    data.update(changes)
    return data


def test_onboarding_asks_yes_or_no_with_neither_ticked(client, learner, guide):
    client.force_login(learner)
    html = client.get(ONBOARDING).content.decode()
    assert "A weekly digest by mail?" in html
    assert 'name="weekly_digest" value="yes"' in html
    assert 'name="weekly_digest" value="no"' in html
    assert "checked" not in html.split('name="weekly_digest"')[1][:60]
    assert "checked" not in html.split('name="weekly_digest"')[2][:60]


@pytest.mark.parametrize(("answer", "wanted"), [("yes", True), ("no", False)])
def test_the_answer_is_saved_as_an_explicit_choice(client, learner, guide, answer, wanted):
    client.force_login(learner)
    response = client.post(ONBOARDING, answers(weekly_digest=answer))
    assert response.status_code == HTTPStatus.FOUND
    preferences = MailPreferences.objects.get(user=learner)
    assert preferences.weekly_digest is wanted
    assert preferences.digest_chosen_at is not None
    page = client.get(ONBOARDING).content.decode()
    assert f'name="weekly_digest" value="{answer}"' in page
    assert "checked" in page.split(f'name="weekly_digest" value="{answer}"')[1][:40]


def test_no_answer_leaves_the_digest_off_and_unchosen(client, learner, guide):
    client.force_login(learner)
    assert client.post(ONBOARDING, answers()).status_code == HTTPStatus.FOUND
    preferences = MailPreferences.objects.get(user=learner)
    assert not preferences.weekly_digest
    assert preferences.digest_chosen_at is None


def test_a_made_up_answer_is_a_form_error_and_saves_nothing(client, learner, guide):
    client.force_login(learner)
    response = client.post(ONBOARDING, answers(weekly_digest="maybe", hours_per_week="9"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Answer yes or no, or leave it for later." in response.content.decode()
    assert 'value="9"' in response.content.decode()
    assert not MailPreferences.objects.get(user=learner).weekly_digest
