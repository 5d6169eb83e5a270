"""The dashboard and the mentoring page are cached per person (tracker.caching.pages):
never stale, never shared; and their relative dates ("3 days ago") move on with the day."""

import datetime
import re
from http import HTTPStatus
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import DASHBOARD
from tracker.models import Progress, ReviewStatus
from tracker.services.mentoring import review_decide, review_request
from tracker.templatetags.tracker_tags import days_ago

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def signed_in(client, learner, milestones):
    client.force_login(learner)
    return client


def page(client) -> str:
    response = client.get(DASHBOARD)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def without_tokens(html: str) -> str:
    return TOKEN.sub("", re.sub(r'"X-CSRFToken": "[^"]+"', "", html))


def test_a_warm_dashboard_costs_two_queries_and_shows_the_same(
    signed_in, learner, milestones, django_assert_max_num_queries
):
    learner.profile.current_guide = milestones[0].guide  # as sign-up sets it
    learner.profile.save()
    first = page(signed_in)

    # The session, and the user with their profile and guide.
    with django_assert_max_num_queries(2):
        again = page(signed_in)

    assert without_tokens(again) == without_tokens(first)
    assert "0 of 6 milestones" in again


def test_a_status_change_shows_at_once(signed_in, learner, milestones, complete):
    assert "0 of 6 milestones" in page(signed_in)

    complete(learner, milestones[:2])

    assert "2 of 6 milestones" in page(signed_in)


def test_an_htmx_tick_swaps_in_the_new_figures(signed_in, milestones):
    page(signed_in)

    response = signed_in.post(
        milestones[0].status_url,
        {"status": "done", "view": "dashboard"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == HTTPStatus.OK
    assert "1 of 6 milestones" in response.content.decode()
    assert "1 of 6 milestones" in page(signed_in)


def test_a_row_deleted_in_the_admin_leaves_the_dashboard(signed_in, learner, milestones, complete):
    complete(learner, milestones[:1])
    assert "1 of 6 milestones" in page(signed_in)

    Progress.objects.get(learner=learner, milestone=milestones[0]).delete()

    assert "0 of 6 milestones" in page(signed_in)


def test_a_mentors_verdict_shows_on_a_cached_dashboard(
    signed_in, learner, milestones, complete, make_user, make_mentorship
):
    complete(learner, milestones[:1])
    mentorship = make_mentorship(make_user("mentor"), learner)
    review = review_request(
        mentee=learner, milestone=milestones[0], mentorship=mentorship, message="Please"
    )
    assert "Waiting</span>" in page(signed_in)

    review_decide(review=review, verdict=ReviewStatus.APPROVED, comment="Nicely done")

    html = page(signed_in)
    assert "✓ Approved" in html
    assert "Nicely done" in html


def test_a_new_display_name_shows_at_once(signed_in, learner):
    assert "Welcome! Your plan is ready." in page(signed_in)

    response = signed_in.post(
        reverse("tracker:settings"),
        {"display_name": "Ada", "region": "", "share_notes_with_mentors": "on"},
    )
    assert response.status_code == HTTPStatus.FOUND

    assert "Welcome, Ada! Your plan is ready." in page(signed_in)


def test_each_learner_sees_their_own_dashboard(client, learner, make_user, milestones, complete):
    other = make_user("other")
    complete(other, milestones[:3])
    client.force_login(learner)
    assert "0 of 6 milestones" in page(client)

    client.force_login(other)

    assert "3 of 6 milestones" in page(client)


def test_a_cached_page_carries_the_sessions_own_csrf_token(learner, milestones):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    page(browser)
    browser.logout()
    browser.force_login(learner)  # a new session and a new CSRF secret

    html = page(browser)

    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1
    response = browser.post(
        milestones[0].status_url,
        {"status": "in_progress", "csrfmiddlewaretoken": tokens.pop(), "next": DASHBOARD},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Progress.objects.get(learner=learner, milestone=milestones[0]).status == "in_progress"


def test_a_message_shows_once_then_the_cached_page_returns(signed_in, milestones):
    signed_in.post(milestones[0].status_url, {"status": "done", "next": DASHBOARD})

    shown = page(signed_in)
    assert "is now marked as done" in shown
    assert "1 of 6 milestones" in shown

    again = page(signed_in)
    assert "is now marked as done" not in again
    assert "1 of 6 milestones" in again


def test_relative_dates_move_on_with_the_day(signed_in, learner, milestones, complete):
    complete(learner, milestones[:1])
    assert "Last activity today." in page(signed_in)

    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        assert "Last activity yesterday." in page(signed_in)


@pytest.mark.parametrize(
    ("days", "shown"),
    [(0, "today"), (1, "yesterday"), (5, "5 days ago"), (13, "13 days ago")],
)
def test_days_ago_counts_calendar_days(days, shown):
    assert days_ago(timezone.now() - datetime.timedelta(days=days)) == shown


def test_days_ago_names_the_date_after_two_weeks():
    now = datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=now):
        assert days_ago(now - datetime.timedelta(days=20)) == "on 5 Nov"
        assert days_ago(now - datetime.timedelta(days=400)) == "on 21 Oct 2025"


def test_a_renamed_mentor_shows_beside_their_verdicts(
    signed_in, learner, milestones, complete, mentor, make_mentorship
):
    complete(learner, milestones[:1])
    mentorship = make_mentorship(mentor, learner)
    review = review_request(
        mentee=learner, milestone=milestones[0], mentorship=mentorship, message=""
    )
    review_decide(review=review, verdict=ReviewStatus.APPROVED, comment="")
    mentorship.status = "ended"
    mentorship.save()
    assert "· mentor</span>" in page(signed_in)

    mentor.username = "grace"
    mentor.save()

    assert "· grace</span>" in page(signed_in)


def test_after_an_htmx_tick_the_page_reuses_the_swapped_in_body(
    signed_in, learner, milestones, django_assert_max_num_queries
):
    learner.profile.current_guide = milestones[0].guide
    learner.profile.save()
    page(signed_in)
    signed_in.post(
        milestones[0].status_url,
        {"status": "done", "view": "dashboard"},
        headers={"HX-Request": "true"},
    )

    with django_assert_max_num_queries(1):  # the session, with the user and their profile
        html = page(signed_in)

    assert "1 of 6 milestones" in html
    assert len(set(TOKEN.findall(html))) == 1


# --- the mentoring page ------------------------------------------------------------------


MENTORING = reverse("tracker:mentoring")


@pytest.fixture
def mentor_page(client, mentor, learner, milestones, make_mentorship):
    mentorship = make_mentorship(mentor, learner)
    client.force_login(mentor)

    def load() -> str:
        response = client.get(MENTORING)
        assert response.status_code == HTTPStatus.OK
        return response.content.decode()

    load.mentorship = mentorship
    return load


def test_a_warm_mentoring_page_costs_three_queries(mentor_page, django_assert_max_num_queries):
    first = mentor_page()

    # The session, the user with their profile, and the page's fingerprint.
    with django_assert_max_num_queries(3):
        again = mentor_page()

    assert without_tokens(again) == without_tokens(first)


def test_a_mentees_progress_shows_at_once(mentor_page, learner, milestones, complete):
    assert "0% · 0/6" in mentor_page()

    complete(learner, milestones[:3])

    assert "49% · 3/6 milestones" in mentor_page()  # by hours: 34 of 70 h (issue 11)


def test_a_review_request_joins_the_queue_at_once(mentor_page, learner, milestones, complete):
    complete(learner, milestones[:1])
    assert "Review queue" not in mentor_page()

    review_request(
        mentee=learner, milestone=milestones[0], mentorship=mentor_page.mentorship, message="Hi"
    )

    assert "Review queue" in mentor_page()


def test_a_mentees_new_name_shows_at_once(mentor_page, learner):
    assert ">learner</a>" in mentor_page()

    learner.profile.display_name = "Grace"
    learner.profile.save()

    assert ">Grace</a>" in mentor_page()


def test_new_and_ended_mentorships_show_at_once(mentor_page, mentor, make_user, make_mentorship):
    assert "Invitations for you" not in mentor_page()

    invitation = make_mentorship(mentor, make_user("newcomer"), status="pending")
    assert "newcomer" in mentor_page()

    invitation.status = "ended"
    invitation.save()
    mentor_page.mentorship.status = "ended"
    mentor_page.mentorship.save()
    html = mentor_page()
    assert "newcomer" not in html
    assert "Nobody has asked you to mentor them yet." in html


def test_a_renamed_milestone_shows_in_the_queue(mentor_page, learner, milestones, complete):
    complete(learner, milestones[:1])
    review_request(
        mentee=learner, milestone=milestones[0], mentorship=mentor_page.mentorship, message=""
    )
    assert "Linear algebra, again" not in mentor_page()

    milestones[0].title = "Linear algebra, again"
    milestones[0].save()

    assert "Linear algebra, again" in mentor_page()


def test_a_verdict_shows_in_the_learners_own_requests(
    client, learner, milestones, complete, mentor, make_mentorship
):
    complete(learner, milestones[:1])
    review = review_request(
        mentee=learner,
        milestone=milestones[0],
        mentorship=make_mentorship(mentor, learner),
        message="",
    )
    client.force_login(learner)
    assert "Waiting</span>" in client.get(MENTORING).content.decode()

    review_decide(review=review, verdict=ReviewStatus.APPROVED, comment="Great")

    assert "✓ Approved" in client.get(MENTORING).content.decode()


def test_a_mentors_new_name_shows_on_the_mentees_page(client, learner, mentor, make_mentorship):
    make_mentorship(mentor, learner)
    client.force_login(learner)
    assert "<strong>mentor</strong>" in client.get(MENTORING).content.decode()

    mentor.profile.display_name = "Dr. Hopper"
    mentor.profile.save()

    assert "<strong>Dr. Hopper</strong>" in client.get(MENTORING).content.decode()
