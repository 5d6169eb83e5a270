"""The mentoring page renders again only the mentees whose data changed
(tracker.caching.pages.mentee_parts): what it shows is still true for every mentee, at
every moment, in every session."""

import datetime
import re
from http import HTTPStatus
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tracker.models import Message, ReviewRequest, ReviewStatus, Thread
from tracker.services.mentoring import review_request
from tracker.services.threads import message_post

pytestmark = pytest.mark.django_db

MENTORING = reverse("tracker:mentoring")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def rows(html: str) -> dict[str, str]:
    """Each mentee's row of the table, by username."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return {
        re.search(r'href="/mentoring/mentees/([\w-]+)/"', row).group(1): row.split("</tr>")[0]
        for row in body.split("<tr>")[1:]
    }


@pytest.fixture
def mentees(mentor, make_user, make_mentorship):
    return [make_mentorship(mentor, make_user(name)).mentee for name in ["ada", "bob", "cy"]]


def test_one_mentees_change_shows_in_their_row_and_leaves_the_others_as_they_were(
    client, mentor, mentees, complete, short_milestones
):
    client.force_login(mentor)
    before = rows(client.get(MENTORING).content.decode())
    assert "0/" in before["bob"]

    complete(mentees[1], short_milestones[:1])
    after = rows(client.get(MENTORING).content.decode())

    assert f"1/{len(short_milestones)} milestones" in after["bob"]
    assert after["ada"] == before["ada"]
    assert after["cy"] == before["cy"]
    # Bob, active just now, goes after those never active.
    assert list(after)[-1] == "bob" != list(before)[-1]


def test_a_mentees_new_review_request_joins_the_queue_at_once(
    client, mentor, mentees, complete, short_milestones
):
    client.force_login(mentor)
    client.get(MENTORING)
    complete(mentees[2], short_milestones[:1])
    mentorship = mentees[2].mentorships_as_mentee.get()

    review_request(
        mentee=mentees[2], milestone=short_milestones[0], mentorship=mentorship, message=""
    )
    html = client.get(MENTORING).content.decode()

    assert "Review queue" in html
    assert short_milestones[0].title in html.split('id="queue-heading"', 1)[1]
    assert "<strong>1</strong>" in rows(html)["cy"]


def test_a_conversation_is_flagged_overdue_when_its_time_comes_the_same_day(
    client, settings, mentor, mentees, short_milestones
):
    """No write marks the moment a question turns overdue: the part rendered before it
    must not be shown after it."""
    asked = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    message_post(author=mentees[0], learner=mentees[0], milestone=short_milestones[0], body="?")
    Message.objects.update(created_at=asked)
    Thread.objects.update(last_message_at=asked)
    due = asked + datetime.timedelta(days=settings.REVIEW_OVERDUE_DAYS)
    client.force_login(mentor)

    with mock.patch("django.utils.timezone.now", return_value=due - datetime.timedelta(hours=1)):
        waiting = client.get(MENTORING).content.decode().split('id="waiting-threads-heading"')[1]
        assert "Overdue" not in waiting
    with mock.patch("django.utils.timezone.now", return_value=due + datetime.timedelta(hours=1)):
        waiting = client.get(MENTORING).content.decode().split('id="waiting-threads-heading"')[1]
        assert "Overdue" in waiting


def test_a_review_form_kept_from_another_session_carries_this_sessions_token(
    mentor, mentees, complete, short_milestones
):
    complete(mentees[0], short_milestones[:1])
    review = review_request(
        mentee=mentees[0],
        milestone=short_milestones[0],
        mentorship=mentees[0].mentorships_as_mentee.get(),
        message="",
    )
    first = Client(enforce_csrf_checks=True)
    assert first.login(username=mentor.username, password=PASSWORD)
    first.get(MENTORING)
    complete(mentees[1], short_milestones[:1])  # the page changes, Ada's parts do not

    second = Client(enforce_csrf_checks=True)
    assert second.login(username=mentor.username, password=PASSWORD)
    html = second.get(MENTORING).content.decode()
    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1
    response = second.post(
        reverse("tracker:decide_review", args=[review.pk]),
        {
            "verdict": "approved",
            "comment": "",
            "back": "mentoring",
            "csrfmiddlewaretoken": tokens.pop(),
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    assert ReviewRequest.objects.get(pk=review.pk).status == ReviewStatus.APPROVED
