"""Answers to an invitation through the signed link of its mail (tracker.rules.invitation_links):
by the account it was sent to, by any account when it went to an address without one, or
by someone new who signs up and accepts in one step.

Each answer is one transaction that locks the invitation; accepting also locks the mentor's
profile, so that their capacity (``Profile.mentee_capacity``) holds under concurrent answers.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tracker.models import OPEN_MENTORSHIP, Mentorship, MentorshipStatus
from tracker.services.accounts import user_sign_up
from tracker.services.mentoring import MentoringError, mentor_capacity_check


def _locked_pending(mentorship_id: int) -> Mentorship:
    mentorship = (
        Mentorship.objects.select_for_update(of=("self",))
        .select_related("mentee")
        .filter(pk=mentorship_id)
        .first()
    )
    if mentorship is None or mentorship.status != MentorshipStatus.PENDING:
        raise MentoringError("This invitation has already been answered or withdrawn.")
    return mentorship


def _check_who_answers(mentorship: Mentorship, person: AbstractBaseUser) -> None:
    if mentorship.mentee_id == person.pk:
        raise MentoringError(
            "This is your own invitation: send the link to the person you invited."
        )
    if mentorship.mentor_id is not None and mentorship.mentor_id != person.pk:
        raise MentoringError(
            "This invitation was sent to another account. Log out, then log in with the "
            "account it was sent to."
        )


@transaction.atomic
def invitation_accept(*, mentorship_id: int, person: AbstractBaseUser) -> Mentorship:
    """``person`` becomes the mentor of a pending invitation, within their capacity."""
    mentorship = _locked_pending(mentorship_id)
    _check_who_answers(mentorship, person)
    if mentorship.mentor_id is None and (
        Mentorship.objects.filter(OPEN_MENTORSHIP, mentor=person, mentee_id=mentorship.mentee_id)
        .exclude(pk=mentorship.pk)
        .exists()
    ):
        raise MentoringError(
            f"You already mentor {mentorship.mentee.get_username()}, or have their "
            "invitation on your Mentoring page."
        )
    mentor_capacity_check(mentor=person)
    mentorship.mentor = person
    mentorship.status = MentorshipStatus.ACTIVE
    mentorship.responded_at = timezone.now()
    mentorship.save(update_fields=["mentor", "status", "responded_at"])
    return mentorship


@transaction.atomic
def invitation_decline(*, mentorship_id: int, person: AbstractBaseUser | None) -> Mentorship:
    """Decline, logged in or not: the link alone lets the address's owner say no."""
    mentorship = _locked_pending(mentorship_id)
    if person is not None:
        _check_who_answers(mentorship, person)
    mentorship.status = MentorshipStatus.DECLINED
    mentorship.responded_at = timezone.now()
    mentorship.save(update_fields=["status", "responded_at"])
    return mentorship


@transaction.atomic
def invitation_accept_with_sign_up(
    *, mentorship_id: int, username: str, email: str, password: str
) -> tuple[AbstractBaseUser, Mentorship]:
    """A new account and its first mentee at once; neither if the invitation is gone."""
    _locked_pending(mentorship_id)
    user = user_sign_up(username=username, email=email, password=password)
    return user, invitation_accept(mentorship_id=mentorship_id, person=user)
