"""A mentor's capacity: how many mentees they take, set in their settings."""

import threading
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from tracker.models import Mentorship, MentorshipStatus, Profile
from tracker.rules.invitation_links import make_token
from tracker.services.invitations import invitation_accept
from tracker.services.mentoring import (
    INVITE_SENT_BY_EMAIL,
    MentoringError,
    mentor_room,
    mentorship_invite,
    mentorship_respond,
)

pytestmark = pytest.mark.django_db


def take(mentor, capacity):
    Profile.objects.filter(user=mentor).update(mentee_capacity=capacity)


@pytest.fixture
def full_mentor(mentor, make_user, make_mentorship):
    """A mentor who takes one mentee and has one."""
    make_mentorship(mentor, make_user("first-mentee"))
    take(mentor, 1)
    return mentor


def test_no_capacity_means_no_limit(mentor, make_user, make_mentorship):
    for _ in range(5):
        make_mentorship(mentor, make_user())
    pending = make_mentorship(mentor, make_user(), status=MentorshipStatus.PENDING)

    assert mentorship_respond(mentorship=pending, accept=True).status == MentorshipStatus.ACTIVE


def test_accepting_beyond_capacity_is_refused_with_a_message(full_mentor, learner):
    pending = Mentorship.objects.create(mentor=full_mentor, mentee=learner)

    with pytest.raises(MentoringError, match=r"You mentor 1 of the learners you take \(1 at most"):
        mentorship_respond(mentorship=pending, accept=True)
    pending.refresh_from_db()
    assert pending.status == MentorshipStatus.PENDING
    # Declining is always possible.
    assert mentorship_respond(mentorship=pending, accept=False).status == "declined"


def test_a_capacity_of_zero_takes_nobody_new(mentor, learner):
    take(mentor, 0)
    pending = Mentorship.objects.create(mentor=mentor, mentee=learner)

    with pytest.raises(MentoringError, match="nobody new"):
        mentorship_respond(mentorship=pending, accept=True)


def test_accepting_through_a_link_respects_capacity_too(full_mentor, learner):
    invitation = mentorship_invite(mentee=learner, identifier="someone-new@example.com")

    with pytest.raises(MentoringError, match="Raise that number in your settings"):
        invitation_accept(mentorship_id=invitation.pk, person=full_mentor)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.mentor) == (MentorshipStatus.PENDING, None)


def test_the_mentoring_page_shows_the_refusal_to_the_mentor(client, full_mentor, learner):
    pending = Mentorship.objects.create(mentor=full_mentor, mentee=learner)
    client.force_login(full_mentor)

    response = client.post(reverse("tracker:respond", args=[pending.pk]), {"answer": "accept"})

    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == HTTPStatus.FOUND
    assert any("Raise that number in your settings" in m for m in shown)


def test_the_link_page_shows_the_refusal_to_the_mentor(client, full_mentor, learner):
    invitation = mentorship_invite(mentee=learner, identifier="mentor@example.com")
    token = make_token(mentorship_id=invitation.pk, address=invitation.invited_as)
    client.force_login(full_mentor)

    response = client.post(reverse("tracker:invitation", args=[token]), {"answer": "accept"})

    assert response.status_code == HTTPStatus.CONFLICT
    assert "Raise that number in your settings" in response.content.decode()


def test_inviting_a_full_mentor_by_username_tells_the_learner(client, full_mentor, learner):
    client.force_login(learner)

    response = client.post(reverse("tracker:invite"), {"identifier": "mentor"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "mentor already mentors as many learners as they take" in response.content.decode()
    assert not Mentorship.objects.filter(mentee=learner).exists()


def test_inviting_a_full_mentor_by_address_reveals_nothing_and_tells_the_mentor(
    full_mentor, learner, django_capture_on_commit_callbacks
):
    """Saying "full" to an address would tell that it has an account: the learner gets
    the answer any address gets, and the mentor learns they must make room to accept."""
    client = Client()
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        full = client.post(reverse("tracker:invite"), {"identifier": "mentor@example.com"})
    full_shown = [str(m) for m in get_messages(full.wsgi_request)]
    client = Client()
    client.force_login(learner)
    unknown = client.post(reverse("tracker:invite"), {"identifier": "nobody@example.com"})
    unknown_shown = [str(m) for m in get_messages(unknown.wsgi_request)]

    assert full.status_code == unknown.status_code == HTTPStatus.FOUND
    assert full_shown == unknown_shown == [INVITE_SENT_BY_EMAIL]
    [to_mentor] = [m for m in mail.outbox if m.to == ["mentor@example.com"]]
    assert "as many learners as your settings say you take" in to_mentor.body


@pytest.mark.parametrize("mentees", [1, 40])
def test_capacity_is_counted_in_a_constant_number_of_queries(
    mentor, make_user, make_mentorship, mentees, django_assert_num_queries
):
    for _ in range(mentees):
        make_mentorship(mentor, make_user())
    take(mentor, 50)

    with django_assert_num_queries(2):
        assert mentor_room(mentor=mentor, lock=True) == (50, mentees)
    take(mentor, None)
    with django_assert_num_queries(1):
        assert mentor_room(mentor=mentor) == (None, 0)


# The setting -----------------------------------------------------------------------


def _settings_post(client, **changes):
    data = {"display_name": "", "region": "", **changes}
    return client.post(reverse("tracker:settings"), data)


def test_a_mentor_sets_and_clears_their_capacity_in_settings(client, mentor, ml_guide):
    client.force_login(mentor)
    assert "Mentees you take" in client.get(reverse("tracker:settings")).content.decode()

    assert _settings_post(client, mentee_capacity="3").status_code == HTTPStatus.FOUND
    assert Profile.objects.get(user=mentor).mentee_capacity == 3
    assert _settings_post(client, mentee_capacity="").status_code == HTTPStatus.FOUND
    assert Profile.objects.get(user=mentor).mentee_capacity is None


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("-1", "Enter 0 or more mentees"),
        ("many", "Enter a whole number of mentees"),
        ("100000", "Enter at most 500 mentees"),
        ("2.5", "Enter a whole number of mentees"),
    ],
)
def test_a_bad_capacity_is_a_clear_error_that_keeps_what_was_typed(
    client, mentor, ml_guide, typed, error
):
    client.force_login(mentor)

    response = _settings_post(client, mentee_capacity=typed, display_name="Mentor M")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert error in html
    assert 'value="Mentor M"' in html
    assert Profile.objects.get(user=mentor).mentee_capacity is None


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_at_once_cannot_both_take_the_last_place(mentor, make_user):
    """The mentor's profile is locked while their mentees are counted (on PostgreSQL;
    SQLite lets one writer at a time anyway): one acceptance wins, the other is told."""
    take(mentor, 1)
    invitations = [
        mentorship_invite(mentee=make_user(f"racer{n}"), identifier=f"seat{n}@example.com")
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work(invitation):
        try:
            barrier.wait(timeout=10)
            invitation_accept(mentorship_id=invitation.pk, person=mentor)
            outcomes.append("accepted")
        except MentoringError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in invitations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("accepted") == 1
    [refusal] = [outcome for outcome in outcomes if outcome != "accepted"]
    assert "Raise that number in your settings" in refusal
    assert Mentorship.objects.filter(mentor=mentor, status=MentorshipStatus.ACTIVE).count() == 1
