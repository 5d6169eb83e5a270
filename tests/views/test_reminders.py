"""Settings → Reminders and calendar, the signed unsubscribe link and the secret calendar
feed: who may use each, what each changes, and that bad input never gives a 500."""

import datetime
import re
from http import HTTPStatus

import icalendar
import pytest
from django.urls import reverse

from tracker.models import MailKind, MailPreferences, Profile, ScheduledMail
from tracker.services.reminders import mail_preferences_get_or_create
from tracker.signed_links import unsubscribe_read, unsubscribe_token, unsubscribe_url

pytestmark = pytest.mark.django_db

SETTINGS = reverse("tracker:settings")
REMINDERS = reverse("tracker:reminders")
RESET = reverse("tracker:calendar_reset")


def feed_url(user) -> str:
    token = mail_preferences_get_or_create(user=user).calendar_token
    return reverse("tracker:calendar_feed", kwargs={"token": token})


def unsubscribe_path(user, kind=MailKind.WEEKLY_DIGEST) -> str:
    return reverse(
        "tracker:unsubscribe", kwargs={"token": unsubscribe_token(user_id=user.pk, kind=kind)}
    )


# --- settings -------------------------------------------------------------------------


def test_every_mail_is_off_until_chosen(client, learner):
    client.force_login(learner)
    page = client.get(SETTINGS).content.decode()
    assert "Reminders and calendar" in page
    digest_box = re.search(r'<input[^>]*name="weekly_digest"[^>]*>', page).group(0)
    assert "checked" not in digest_box
    preferences = MailPreferences.objects.get(user=learner)
    assert not preferences.weekly_digest
    assert preferences.inactivity_days is None
    assert not preferences.mentor_reviews
    assert preferences.digest_chosen_at is None


def test_the_learner_chooses_the_digest_day_hour_and_reminder(client, learner):
    client.force_login(learner)
    response = client.post(
        REMINDERS,
        {"weekly_digest": "on", "weekday": "5", "hour": "18", "inactivity_days": "7"},
        follow=True,
    )
    assert "Your weekly digest comes on Fridays at 18:00" in response.content.decode()
    preferences = MailPreferences.objects.get(user=learner)
    assert (preferences.weekly_digest, preferences.weekday, preferences.hour) == (True, 5, 18)
    assert preferences.inactivity_days == 7
    assert not preferences.mentor_reviews
    assert preferences.digest_chosen_at is not None

    client.post(REMINDERS, {"weekday": "5", "hour": "18", "inactivity_days": ""})
    preferences.refresh_from_db()
    assert not preferences.weekly_digest
    assert preferences.inactivity_days is None


@pytest.mark.parametrize(
    ("field", "value"), [("weekday", "9"), ("hour", "24"), ("inactivity_days", "5"), ("hour", "x")]
)
def test_bad_reminder_input_is_a_form_error_that_keeps_what_was_typed(
    client, learner, field, value
):
    client.force_login(learner)
    data = {"weekly_digest": "on", "weekday": "2", "hour": "7", "inactivity_days": "14"}
    data[field] = value
    response = client.post(REMINDERS, data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert "Your reminders were not saved" in page
    assert 'value="14" selected' in page or field == "inactivity_days"
    assert not MailPreferences.objects.get(user=learner).weekly_digest


def test_reminder_actions_need_a_login_and_a_post(client, learner):
    for url in (REMINDERS, RESET):
        assert "/accounts/login/" in client.post(url)["Location"]
    client.force_login(learner)
    for url in (REMINDERS, RESET):
        assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_settings_page_costs_the_same_with_preferences(
    client, learner, django_assert_max_num_queries
):
    client.force_login(learner)
    client.get(SETTINGS)  # makes the preferences
    with django_assert_max_num_queries(8):
        assert client.get(SETTINGS).status_code == HTTPStatus.OK


# --- unsubscribe ----------------------------------------------------------------------


def test_the_link_asks_first_then_turns_that_mail_off_without_a_login(client, learner):
    MailPreferences.objects.create(user=learner, weekly_digest=True, mentor_reviews=True)
    path = unsubscribe_path(learner)

    page = client.get(path)
    assert page.status_code == HTTPStatus.OK
    assert "Stop this mail?" in page.content.decode()
    assert "weekly digest" in page.content.decode()
    assert MailPreferences.objects.get(user=learner).weekly_digest  # a GET changes nothing

    done = client.post(path)
    assert done.status_code == HTTPStatus.OK
    assert "You are unsubscribed" in done.content.decode()
    preferences = MailPreferences.objects.get(user=learner)
    assert not preferences.weekly_digest
    assert preferences.mentor_reviews  # the other kind stays as chosen


def test_one_click_unsubscribe_works_without_csrf_token_or_session(learner):
    """RFC 8058: the mail client POSTs List-Unsubscribe=One-Click, nothing else."""
    from django.test import Client  # noqa: PLC0415

    MailPreferences.objects.create(user=learner, inactivity_days=7)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        unsubscribe_url(user_id=learner.pk, kind=MailKind.INACTIVITY),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == HTTPStatus.OK
    assert MailPreferences.objects.get(user=learner).inactivity_days is None


def test_other_forms_still_need_their_csrf_token(learner):
    from django.test import Client  # noqa: PLC0415

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.post(REMINDERS, {"weekday": "1", "hour": "8"}).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "eyJ1IjoyLCJrIjoid2Vla2x5X2RpZ2VzdCJ9" + token[token.index(":") :],
        lambda token: token.split(":")[0],
        lambda token: "not-a-signature",
    ],
)
def test_a_tampered_link_is_a_clear_404_and_changes_nothing(client, learner, make_user, tamper):
    make_user("second")
    MailPreferences.objects.create(user=learner, weekly_digest=True)
    token = tamper(unsubscribe_token(user_id=learner.pk, kind=MailKind.WEEKLY_DIGEST))
    path = reverse("tracker:unsubscribe", kwargs={"token": token})
    for response in (client.get(path), client.post(path)):
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert MailPreferences.objects.get(user=learner).weekly_digest


def test_a_link_signed_for_another_purpose_is_refused(learner):
    from django.core import signing  # noqa: PLC0415

    other = signing.Signer(salt="tracker.other").sign_object(
        {"u": learner.pk, "k": "weekly_digest"}
    )
    assert unsubscribe_read(other) is None
    assert unsubscribe_read(unsubscribe_token(user_id=learner.pk, kind="inactivity")).kind == (
        MailKind.INACTIVITY
    )


def test_the_link_of_a_deleted_account_is_a_404(client, learner):
    path = unsubscribe_path(learner)
    learner.delete()
    assert client.post(path).status_code == HTTPStatus.NOT_FOUND


# --- calendar -------------------------------------------------------------------------


def events(response) -> list:
    calendar = icalendar.Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_the_feed_holds_the_planned_milestones_and_stage_dates(client, guide, m, learner):
    Profile.objects.filter(user=learner).update(hours_per_week=10)
    response = client.get(feed_url(learner))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    found = events(response)
    summaries = [str(event["SUMMARY"]) for event in found]
    finishes = sorted(s for s in summaries if s.startswith("Finish: "))
    assert finishes == [f"Finish: Milestone {n}" for n in range(6)]
    assert {
        "Projected: Entry-level ready",
        "Projected: Mid-level ready",
        "Projected: Experienced",
    } <= set(summaries)
    for event in found:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert isinstance(start, datetime.date)
        assert not isinstance(start, datetime.datetime)
        assert end - start == datetime.timedelta(days=1)
    first = next(e for e in found if str(e["SUMMARY"]) == "Finish: Milestone 0")
    assert str(first["URL"]).endswith("/guides/test-guide/milestone-0/")
    # Milestone 0 (10 h) at 10 h a week: a week from today.
    assert first.decoded("DTSTART") > datetime.date.today()


def test_uids_are_stable_and_dates_move_with_progress(client, guide, m, learner, complete):
    Profile.objects.filter(user=learner).update(hours_per_week=10)
    url = feed_url(learner)
    before = {str(e["UID"]): e.decoded("DTSTART") for e in events(client.get(url))}
    complete(learner, [m[0]])
    after = {str(e["UID"]): e.decoded("DTSTART") for e in events(client.get(url))}

    assert len(set(before)) == len(before)
    assert set(after) == set(before) - {
        next(uid for uid in before if uid.endswith(f"milestone-{m[0].pk}@testserver"))
    }
    mid = next(uid for uid in after if "-stage-" in uid)
    assert after[mid] < before[mid]


def test_without_a_pace_the_feed_is_valid_and_empty(client, guide, learner):
    response = client.get(feed_url(learner))
    assert response.status_code == HTTPStatus.OK
    assert events(response) == []
    assert (
        icalendar.Calendar.from_ical(response.content)["X-WR-CALNAME"]
        == "CareerPath: Become a Test Engineer"
    )


def test_the_feed_is_reached_by_its_secret_only(client, guide, learner, stranger):
    url = feed_url(learner)
    wrong = reverse("tracker:calendar_feed", kwargs={"token": "x" * 43})
    assert client.get(wrong).status_code == HTTPStatus.NOT_FOUND
    client.force_login(stranger)
    assert client.get(wrong).status_code == HTTPStatus.NOT_FOUND
    client.force_login(learner)
    assert client.get(wrong).status_code == HTTPStatus.NOT_FOUND  # not even the owner's session
    client.logout()
    assert client.get(url).status_code == HTTPStatus.OK  # the secret alone is enough


def test_resetting_the_secret_makes_the_old_address_a_404(client, guide, learner):
    old = feed_url(learner)
    client.force_login(learner)
    response = client.post(RESET, follow=True)
    assert "the old one no longer works" in response.content.decode()
    new = feed_url(MailPreferences.objects.get(user=learner).user)
    assert new != old
    assert new in response.content.decode()
    assert f'href="webcal://testserver{new}"' in response.content.decode()
    client.logout()
    assert client.get(old).status_code == HTTPStatus.NOT_FOUND
    assert client.get(new).status_code == HTTPStatus.OK


@pytest.mark.parametrize("milestones", [1, 30])
def test_the_feed_costs_the_same_for_any_plan(
    client, make_guide, make_user, milestones, django_assert_max_num_queries
):
    make_guide(milestones=milestones)
    user = make_user("planner")
    Profile.objects.filter(user=user).update(hours_per_week=5)
    url = feed_url(user)
    client.get(url)  # the guide's plan is built once per content version
    with django_assert_max_num_queries(3):
        response = client.get(url)
    assert len(events(response)) >= milestones


def test_a_calendar_app_asking_again_gets_the_same_feed_without_recounting_the_plan(
    client, guide, m, learner, complete, django_assert_max_num_queries
):
    Profile.objects.filter(user=learner).update(hours_per_week=10)
    url = feed_url(learner)
    first = client.get(url).content

    with django_assert_max_num_queries(2):  # who holds the secret, and the guide
        assert client.get(url).content == first
    complete(learner, [m[0]])
    assert client.get(url).content != first


def test_a_digest_record_is_removed_with_its_account(learner):
    ScheduledMail.objects.create(user=learner, kind=MailKind.WEEKLY_DIGEST, period="2026-W50")
    learner.delete()
    assert not ScheduledMail.objects.exists()


def test_the_unsubscribe_page_costs_a_fixed_number_of_queries(
    client, learner, django_assert_max_num_queries
):
    MailPreferences.objects.create(user=learner, weekly_digest=True)
    path = unsubscribe_path(learner)
    with django_assert_max_num_queries(1):
        assert client.get(path).status_code == HTTPStatus.OK
    with django_assert_max_num_queries(5):
        assert client.post(path).status_code == HTTPStatus.OK
