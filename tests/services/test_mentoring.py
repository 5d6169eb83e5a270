"""Mentoring services: invitations, answers, ending, review requests and verdicts.

Each rule is checked on the service, and where a view adds to it (the neutral message for an
email address, a broken mail server) on the view as well.
"""

import logging
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from tracker.models import (
    Mentorship,
    MentorshipStatus,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewRequest,
    ReviewStatus,
)
from tracker.services.mentoring import (
    INVITE_SENT_BY_EMAIL,
    MentoringError,
    mentorship_end,
    mentorship_invite,
    mentorship_respond,
    review_decide,
    review_request,
)
from tracker.services.progress import progress_set_status


class BrokenMailBackend(BaseEmailBackend):
    """A mail server that is down: every message raises."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("The mail server is down.")


@pytest.fixture
def broken_mail(settings):
    """Django 6.1 reads MAILERS (EMAIL_BACKEND is deprecated) each time it sends."""
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.BrokenMailBackend"}}


@pytest.fixture
def first_milestone(short_guide):
    """The short guide's foundation milestone, the one the learner asks about."""
    return short_guide.milestones.order_by("order").first()


@pytest.fixture
def active(make_mentorship, mentor, learner):
    return make_mentorship(mentor, learner)


@pytest.fixture
def done(complete, learner, first_milestone):
    """The learner's milestone, marked done."""
    complete(learner, [first_milestone])
    return Progress.objects.get(learner=learner, milestone=first_milestone)


@pytest.fixture
def waiting(done, active, learner, first_milestone):
    """A waiting review request for the done milestone, addressed to the active mentor
    (whose mail about it is taken out of the outbox: tests look at what follows)."""
    review = review_request(
        mentee=learner, milestone=first_milestone, mentorship=active, message="Look"
    )
    mail.outbox.clear()
    return review


# --- invitations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifier", ["  MeNtOr ", "MENTOR@Example.COM"], ids=["username", "email"]
)
def test_invite_by_username_or_email_is_case_insensitive(learner, mentor, identifier):
    mentorship = mentorship_invite(mentee=learner, identifier=identifier)

    assert mentorship.mentor == mentor
    assert mentorship.mentee == learner
    assert mentorship.status == MentorshipStatus.PENDING
    assert mentorship.responded_at is None


def test_the_invited_mentor_gets_an_email(learner, mentor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mentorship_invite(mentee=learner, identifier="mentor")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [mentor.email]
    assert "learner" in message.subject
    assert "/mentoring/" in message.body


@pytest.mark.parametrize("identifier", ["learner", "LEARNER", "learner@example.com"])
def test_nobody_can_invite_themselves(learner, identifier):
    with pytest.raises(MentoringError, match="cannot be your own mentor"):
        mentorship_invite(mentee=learner, identifier=identifier)
    assert not Mentorship.objects.exists()


def test_inviting_twice_while_pending_is_refused(learner, mentor):
    mentorship_invite(mentee=learner, identifier="mentor@example.com")

    with pytest.raises(MentoringError, match="already invited mentor; they have not answered"):
        mentorship_invite(mentee=learner, identifier="mentor")
    assert Mentorship.objects.count() == 1


def test_inviting_the_same_address_twice_answers_like_an_unknown_address(learner, mentor):
    """A second invitation by email must not reveal that the address has an account."""
    first = mentorship_invite(mentee=learner, identifier="mentor@example.com")
    assert first.invited_as == "mentor@example.com"

    assert mentorship_invite(mentee=learner, identifier="mentor@example.com") is None
    assert mentorship_invite(mentee=learner, identifier="Mentor@Example.com") is None
    assert Mentorship.objects.count() == 1
    # An address without an account is invited alike, and once alike.
    assert mentorship_invite(mentee=learner, identifier="nobody@example.com") is not None
    assert mentorship_invite(mentee=learner, identifier="NOBODY@example.com") is None
    assert Mentorship.objects.count() == 2


def test_inviting_an_active_mentor_again_is_refused(learner, mentor, active):
    with pytest.raises(MentoringError, match="mentor is already your mentor"):
        mentorship_invite(mentee=learner, identifier="Mentor")
    assert Mentorship.objects.count() == 1


def test_an_unknown_username_is_an_error(learner):
    with pytest.raises(MentoringError, match="Nobody has that username"):
        mentorship_invite(mentee=learner, identifier="nobody-here")
    assert not Mentorship.objects.exists()


def test_an_unknown_email_gets_a_pending_invitation_and_a_link_to_join(
    learner, django_capture_on_commit_callbacks
):
    """Issue 12: an address without an account is invited (it was ignored before)."""
    with django_capture_on_commit_callbacks(execute=True):
        result = mentorship_invite(mentee=learner, identifier=" Nobody@Example.com ")

    assert result.mentor is None
    assert result.status == MentorshipStatus.PENDING
    assert result.invited_as == "Nobody@Example.com"
    [message] = mail.outbox
    assert message.to == ["Nobody@Example.com"]
    assert "Create your account and accept in one step" in message.body
    assert "/invitations/" in message.body


def test_an_inactive_account_is_treated_as_unknown(learner, make_user):
    make_user("gone", is_active=False)

    invitation = mentorship_invite(mentee=learner, identifier="gone@example.com")
    assert invitation.mentor is None  # as for an address without an account
    with pytest.raises(MentoringError, match="Nobody has that username"):
        mentorship_invite(mentee=learner, identifier="gone")
    assert Mentorship.objects.get() == invitation


def _invite(user, identifier):
    """Invite from a fresh session, so that no earlier message is carried over."""
    client = Client()
    client.force_login(user)
    response = client.post(reverse("tracker:invite"), {"identifier": identifier})
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_the_invite_view_answers_alike_for_known_and_unknown_addresses(learner, mentor):
    """Nothing in the answer tells whether an address has an account."""
    known, known_messages = _invite(learner, "Mentor@Example.com")
    unknown, unknown_messages = _invite(learner, "nobody@example.com")

    assert known.status_code == unknown.status_code == HTTPStatus.FOUND
    assert known["Location"] == unknown["Location"] == reverse("tracker:mentoring")
    assert known.content == unknown.content
    assert known_messages == unknown_messages == [INVITE_SENT_BY_EMAIL]
    assert "mentor" not in known_messages[0]
    assert Mentorship.objects.get(invited_as="Mentor@Example.com").mentor == mentor
    assert Mentorship.objects.get(invited_as="nobody@example.com").mentor is None


def test_the_invite_view_names_a_mentor_invited_by_username(learner, mentor):
    response, shown = _invite(learner, "mentor")

    assert response.status_code == HTTPStatus.FOUND
    assert shown == ["Invitation sent to mentor."]


@pytest.mark.parametrize(
    ("identifier", "error"),
    [
        ("learner", "You cannot be your own mentor."),
        ("nobody-here", "Nobody has that username."),
    ],
)
def test_the_invite_view_shows_the_error_on_the_form(client, learner, identifier, error):
    client.force_login(learner)

    response = client.post(reverse("tracker:invite"), {"identifier": identifier})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error in response.content.decode()
    assert not Mentorship.objects.exists()


# --- answering and ending ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "status"), [(True, MentorshipStatus.ACTIVE), (False, MentorshipStatus.DECLINED)]
)
def test_the_mentor_accepts_or_declines(learner, mentor, accept, status):
    invitation = mentorship_invite(mentee=learner, identifier="mentor")

    mentorship_respond(mentorship=invitation, accept=accept)

    invitation.refresh_from_db()
    assert invitation.status == status
    assert invitation.responded_at is not None


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("second", [True, False])
def test_an_invitation_is_answered_once(learner, mentor, first, second):
    invitation = mentorship_invite(mentee=learner, identifier="mentor")
    mentorship_respond(mentorship=invitation, accept=first)
    answered = Mentorship.objects.get()

    with pytest.raises(MentoringError, match="already been answered"):
        mentorship_respond(mentorship=invitation, accept=second)

    again = Mentorship.objects.get()
    assert (again.status, again.responded_at) == (answered.status, answered.responded_at)


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_either_side_ends_an_active_mentorship(client, learner, mentor, active, side):
    client.force_login(mentor if side == "mentor" else learner)

    response = client.post(reverse("tracker:end_mentorship", args=[active.pk]))

    assert response.status_code == HTTPStatus.FOUND
    active.refresh_from_db()
    assert active.status == MentorshipStatus.ENDED
    assert active.ended_at is not None


def test_ending_twice_is_refused(active):
    mentorship_end(mentorship=active)

    with pytest.raises(MentoringError, match="already ended"):
        mentorship_end(mentorship=active)


def test_ending_closes_waiting_requests_and_keeps_the_history(
    learner, mentor, active, short_guide, complete, waiting
):
    second = short_guide.milestones.order_by("order")[1]
    complete(learner, [second])
    approved = review_request(mentee=learner, milestone=second, mentorship=active, message="")
    review_decide(review=approved, verdict=ReviewStatus.APPROVED, comment="Good work")

    mentorship_end(mentorship=active)

    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.CLOSED
    assert waiting.closed_reason == "The mentorship ended."
    assert waiting.decided_at is not None
    approved.refresh_from_db()
    assert approved.status == ReviewStatus.APPROVED
    assert approved.comment == "Good work"
    # The mentorship and every request in it are kept, and so is the verification.
    assert Mentorship.objects.filter(pk=active.pk, status=MentorshipStatus.ENDED).exists()
    assert ReviewRequest.objects.filter(mentorship=active).count() == 2
    assert Progress.objects.get(learner=learner, milestone=second).verified_by == mentor


@pytest.mark.parametrize("previous", [MentorshipStatus.ENDED, MentorshipStatus.DECLINED])
def test_a_new_invitation_is_possible_after_a_closed_one(
    learner, mentor, make_mentorship, previous
):
    old = make_mentorship(mentor, learner, previous)

    new = mentorship_invite(mentee=learner, identifier="mentor")

    assert new.pk != old.pk
    assert new.status == MentorshipStatus.PENDING
    old.refresh_from_db()
    assert old.status == previous


# --- review requests --------------------------------------------------------------------


@pytest.mark.parametrize("status", [None, ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS])
def test_only_a_done_milestone_can_be_reviewed(learner, first_milestone, active, complete, status):
    if status is not None:
        complete(learner, [first_milestone], status=status)

    with pytest.raises(MentoringError, match="Mark the milestone as done"):
        review_request(mentee=learner, milestone=first_milestone, mentorship=active, message="")

    assert not ReviewRequest.objects.exists()
    # Asking did not create a progress row behind the learner's back either.
    assert Progress.objects.filter(learner=learner).count() == (0 if status is None else 1)


@pytest.mark.parametrize(
    "status", [MentorshipStatus.PENDING, MentorshipStatus.DECLINED, MentorshipStatus.ENDED]
)
def test_only_an_active_mentor_can_be_asked(
    learner, mentor, first_milestone, done, make_mentorship, status
):
    mentorship = make_mentorship(mentor, learner, status)

    with pytest.raises(MentoringError, match="active mentors"):
        review_request(mentee=learner, milestone=first_milestone, mentorship=mentorship, message="")
    assert not ReviewRequest.objects.exists()


def test_only_a_mentor_of_this_mentee_can_be_asked(
    learner, first_milestone, done, make_user, make_mentorship
):
    someone_elses = make_mentorship(make_user("other-mentor"), make_user("other-mentee"))

    with pytest.raises(MentoringError, match="active mentors"):
        review_request(
            mentee=learner, milestone=first_milestone, mentorship=someone_elses, message=""
        )
    assert not ReviewRequest.objects.exists()


def test_one_waiting_request_per_mentor_and_milestone(
    learner, first_milestone, active, waiting, make_user, make_mentorship
):
    with pytest.raises(MentoringError, match="already has a waiting request"):
        review_request(
            mentee=learner, milestone=first_milestone, mentorship=active, message="again"
        )

    # Another mentor may be asked about the same milestone.
    second = make_mentorship(make_user("second-mentor"), learner)
    review_request(mentee=learner, milestone=first_milestone, mentorship=second, message="")
    assert ReviewRequest.objects.filter(status=ReviewStatus.WAITING).count() == 2


def test_a_new_request_is_possible_once_the_last_one_is_decided(
    learner, first_milestone, active, waiting
):
    review_decide(review=waiting, verdict=ReviewStatus.CHANGES_REQUESTED, comment="Add tests")

    again = review_request(mentee=learner, milestone=first_milestone, mentorship=active, message="")

    assert again.status == ReviewStatus.WAITING
    assert ReviewRequest.objects.count() == 2


def test_requesting_a_review_emails_the_mentor(
    learner, mentor, first_milestone, active, done, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review_request(
            mentee=learner, milestone=first_milestone, mentorship=active, message="Thanks!"
        )

    assert [m.to for m in mail.outbox] == [[mentor.email]]
    assert first_milestone.title in mail.outbox[0].subject
    assert "Thanks!" in mail.outbox[0].body


# --- verdicts ---------------------------------------------------------------------------


def test_approval_verifies_the_milestone_and_emails_the_learner(
    learner, mentor, first_milestone, waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(review=waiting, verdict=ReviewStatus.APPROVED, comment="Well done")

    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.APPROVED
    assert waiting.comment == "Well done"
    assert waiting.decided_at is not None
    progress = Progress.objects.get(learner=learner, milestone=first_milestone)
    assert progress.verified_at == waiting.decided_at
    assert progress.verified_by == mentor
    assert [m.to for m in mail.outbox] == [[learner.email]]
    assert "approved" in mail.outbox[0].subject
    assert "Well done" in mail.outbox[0].body


def test_requesting_changes_does_not_verify(
    learner, first_milestone, waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(review=waiting, verdict=ReviewStatus.CHANGES_REQUESTED, comment="Add tests")

    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.CHANGES_REQUESTED
    assert Progress.objects.get(learner=learner, milestone=first_milestone).verified_at is None
    assert [m.to for m in mail.outbox] == [[learner.email]]
    assert "asked for changes" in mail.outbox[0].subject


def test_requesting_changes_needs_a_comment(client, mentor, waiting):
    client.force_login(mentor)

    response = client.post(
        reverse("tracker:decide_review", args=[waiting.pk]),
        {"verdict": ReviewStatus.CHANGES_REQUESTED, "comment": "  "},
    )

    assert response.status_code == HTTPStatus.FOUND
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["Say what should change, so the learner can act on it."]
    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.WAITING


@pytest.mark.parametrize(
    ("verdict", "error"),
    [
        (ReviewStatus.WAITING, MentoringError),
        (ReviewStatus.CLOSED, MentoringError),
        ("maybe", ValueError),  # not a review status at all
    ],
)
def test_a_verdict_is_approve_or_request_changes(waiting, verdict, error):
    with pytest.raises(error, match=r"Approve the milestone|not a valid ReviewStatus"):
        review_decide(review=waiting, verdict=verdict, comment="")
    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.WAITING


@pytest.mark.parametrize("second", [ReviewStatus.APPROVED, ReviewStatus.CHANGES_REQUESTED])
def test_a_request_is_decided_once(learner, first_milestone, waiting, second):
    review_decide(review=waiting, verdict=ReviewStatus.CHANGES_REQUESTED, comment="Add tests")

    with pytest.raises(MentoringError, match="already been answered"):
        review_decide(review=waiting, verdict=second, comment="Changed my mind")

    waiting.refresh_from_db()
    assert (waiting.status, waiting.comment) == (ReviewStatus.CHANGES_REQUESTED, "Add tests")
    assert Progress.objects.get(learner=learner, milestone=first_milestone).verified_at is None


def test_no_verdict_once_the_mentorship_ended(active, waiting):
    # A request can only be waiting in an ended mentorship if the row was left behind.
    Mentorship.objects.filter(pk=active.pk).update(status=MentorshipStatus.ENDED)

    with pytest.raises(MentoringError, match="mentorship has ended"):
        review_decide(review=waiting, verdict=ReviewStatus.APPROVED, comment="")


def test_leaving_done_withdraws_the_verification_but_keeps_the_verdict(
    learner, first_milestone, waiting
):
    review_decide(review=waiting, verdict=ReviewStatus.APPROVED, comment="Well done")

    progress_set_status(
        learner=learner, milestone=first_milestone, status=ProgressStatus.IN_PROGRESS
    )

    progress = Progress.objects.get(learner=learner, milestone=first_milestone)
    assert progress.status == ProgressStatus.IN_PROGRESS
    assert progress.verified_at is None
    assert progress.verified_by is None
    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.APPROVED
    assert waiting.comment == "Well done"
    history = list(
        ProgressEvent.objects.filter(learner=learner, milestone=first_milestone)
        .order_by("pk")
        .values_list("old_status", "new_status")
    )
    assert history == [
        (ProgressStatus.NOT_STARTED, ProgressStatus.DONE),
        (ProgressStatus.DONE, ProgressStatus.IN_PROGRESS),
    ]

    # Done again is not verified again: that takes a new review.
    progress_set_status(learner=learner, milestone=first_milestone, status=ProgressStatus.DONE)
    assert Progress.objects.get(pk=progress.pk).verified_at is None


def test_leaving_done_closes_a_waiting_request(learner, first_milestone, waiting):
    progress_set_status(
        learner=learner, milestone=first_milestone, status=ProgressStatus.IN_PROGRESS
    )

    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.CLOSED
    assert waiting.closed_reason


# --- a mail server that fails -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_broken_mail_server_does_not_break_an_invitation(
    client, broken_mail, learner, mentor, caplog
):
    client.force_login(learner)

    with caplog.at_level(logging.ERROR, logger="tracker.services.notifications"):
        response = client.post(reverse("tracker:invite"), {"identifier": "mentor"})

    assert response.status_code == HTTPStatus.FOUND
    assert Mentorship.objects.filter(mentor=mentor, mentee=learner).exists()
    assert "Gave up sending" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_broken_mail_server_does_not_break_a_review(
    client, broken_mail, learner, mentor, make_guide, make_mentorship, caplog
):
    guide = make_guide(milestones=2)
    milestone = guide.milestones.order_by("order").first()
    progress_set_status(learner=learner, milestone=milestone, status=ProgressStatus.DONE)
    mentorship = make_mentorship(mentor, learner)

    client.force_login(learner)
    with caplog.at_level(logging.ERROR, logger="tracker.services.notifications"):
        asked = client.post(
            reverse("tracker:request_review", args=[guide.slug, milestone.slug]),
            {"mentorship": mentorship.pk, "message": "Please"},
        )
    assert asked.status_code == HTTPStatus.FOUND
    review = ReviewRequest.objects.get(mentorship=mentorship)

    client.force_login(mentor)
    with caplog.at_level(logging.ERROR, logger="tracker.services.notifications"):
        decided = client.post(
            reverse("tracker:decide_review", args=[review.pk]),
            {"verdict": ReviewStatus.APPROVED, "comment": "Good"},
        )
    assert decided.status_code == HTTPStatus.FOUND
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert Progress.objects.get(pk=review.progress_id).verified_by == mentor
    assert caplog.text.count("Gave up sending") == 2
