"""Writes of mentoring: invitations, answers, the end of a mentorship, reviews.

Each service is one transaction that locks the rows it changes; its mail is recorded in
the same transaction and sent by a task (tracker.services.notifications).
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tracker import limits
from tracker.caching.versions import learner_data_changed
from tracker.models import (
    OPEN_MENTORSHIP,
    Mentorship,
    MentorshipStatus,
    MessageKind,
    Milestone,
    Profile,
    Progress,
    ReviewRequest,
    ReviewStatus,
    display_name,
    is_finished,
)
from tracker.rules import invitation_links
from tracker.services.notifications import notification_record
from tracker.services.progress import progress_get_locked
from tracker.services.threads import ThreadError, message_add, thread_get_locked

User = get_user_model()


class MentoringError(Exception):
    """A mentoring action that cannot happen; the message is shown to the person as is."""


def _find_person(identifier: str):
    identifier = identifier.strip()
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier, is_active=True).first()
    return User.objects.filter(username__iexact=identifier, is_active=True).first()


INVITE_SENT_BY_EMAIL = (
    "Your invitation is on its way to that address. Someone new to CareerPath can join and "
    "accept in one step; it stays pending here until they answer."
)


def _check_inviter_limit(*, mentee: AbstractBaseUser) -> None:
    """Invitations sent in the window, withdrawn ones included: the database counts them."""
    count, seconds = limits.allowance("invitations_per_inviter")
    since = timezone.now() - datetime.timedelta(seconds=seconds)
    if Mentorship.objects.filter(mentee=mentee, invited_at__gte=since).count() >= count:
        raise limits.LimitReached(
            f"You have sent {count} invitations in the last {limits.hours(seconds)}, "
            "the most CareerPath sends for one person. Please try again tomorrow."
        )


def mentor_room(*, mentor: AbstractBaseUser, lock: bool = False) -> tuple[int | None, int]:
    """(how many mentees ``mentor`` takes, how many they have), in at most two queries;
    None for no limit. ``lock`` locks their profile, so that two acceptances at once
    cannot both take the last place."""
    profiles = Profile.objects.filter(user=mentor)
    if lock:
        profiles = profiles.select_for_update()
    capacity = profiles.values_list("mentee_capacity", flat=True).first()
    if capacity is None:
        return None, 0
    return capacity, Mentorship.objects.filter(
        mentor=mentor, status=MentorshipStatus.ACTIVE
    ).count()


def mentor_is_full(*, mentor: AbstractBaseUser, lock: bool = False) -> bool:
    capacity, active = mentor_room(mentor=mentor, lock=lock)
    return capacity is not None and active >= capacity


def mentor_capacity_check(*, mentor: AbstractBaseUser) -> None:
    """Raise unless ``mentor`` has room for one more mentee; locks their profile."""
    capacity, active = mentor_room(mentor=mentor, lock=True)
    if capacity is not None and active >= capacity:
        taken = "nobody new" if capacity == 0 else f"{capacity} at most"
        raise MentoringError(
            f"You mentor {active} of the learners you take ({taken}, as your settings say). "
            "Raise that number in your settings, or end a mentorship, to accept this one."
        )


@transaction.atomic
def mentorship_invite(*, mentee: AbstractBaseUser, identifier: str) -> Mentorship | None:
    """Invite a mentor by username or email address.

    By address, the learner is answered alike whatever is behind it (an account or none,
    an invitation already waiting, a mentor with no room): the invitation is recorded
    under the address as typed, and its mail carries a signed link with which someone new
    signs up and accepts in one step (tracker.services.invitations). None when an open
    invitation already covers the address. By username, every refusal is named.
    """
    identifier = identifier.strip()
    by_email = "@" in identifier
    _check_inviter_limit(mentee=mentee)
    mentor = _find_person(identifier)
    if by_email or mentor is not None:
        # By the address as typed, whether or not it has an account: the same answer.
        limits.check(
            "invitations_per_invitee",
            identifier if by_email else f"user:{mentor.pk}",
            "This person has been invited too often in the last {period}. "
            "Please try again tomorrow.",
        )
    if mentor is None and not by_email:
        raise MentoringError("Nobody has that username. Check the spelling, or use their email.")
    if mentor is not None and mentor.pk == mentee.pk:
        raise MentoringError("You cannot be your own mentor. Invite someone else.")
    if (
        by_email
        and Mentorship.objects.filter(
            mentee=mentee, status=MentorshipStatus.PENDING, invited_as__iexact=identifier
        ).exists()
    ):
        return None
    if mentor is not None:
        existing = (
            Mentorship.objects.select_for_update()
            .filter(OPEN_MENTORSHIP, mentor=mentor, mentee=mentee)
            .first()
        )
        if existing is not None:
            if existing.status == MentorshipStatus.ACTIVE:
                raise MentoringError(f"{mentor.get_username()} is already your mentor.")
            if by_email:
                return None  # the same answer as for an address without an account
            raise MentoringError(
                f"You have already invited {mentor.get_username()}; they have not answered yet."
            )
        if not by_email and mentor_is_full(mentor=mentor):
            raise MentoringError(
                f"{mentor.get_username()} already mentors as many learners as they take. "
                "Invite someone else, or ask them to make room."
            )
    try:
        with transaction.atomic():
            mentorship = Mentorship.objects.create(
                mentor=mentor, mentee=mentee, invited_as=identifier
            )
    except IntegrityError as error:  # the same invitation, sent twice at once
        if by_email:
            return None
        raise MentoringError(f"You have already invited {mentor.get_username()}.") from error
    _invitation_mail_record(mentorship=mentorship, mentor=mentor)
    return mentorship


def _invitation_mail_record(*, mentorship: Mentorship, mentor: AbstractBaseUser | None) -> None:
    token = invitation_links.make_token(mentorship_id=mentorship.pk, address=mentorship.invited_as)
    notification_record(
        key=f"invitation:{mentorship.pk}",
        recipient=mentor.email if mentor is not None else mentorship.invited_as,
        template="invitation",
        context={
            "mentee_name": display_name(mentorship.mentee),
            "mentoring_path": reverse("tracker:mentoring"),
            "invitation_path": reverse("tracker:invitation", args=[token]),
            "has_account": mentor is not None,
            "is_full": mentor is not None and mentor_is_full(mentor=mentor),
            "valid_days": settings.INVITATION_MAX_AGE_DAYS,
        },
    )


@transaction.atomic
def mentorship_respond(*, mentorship: Mentorship, accept: bool) -> Mentorship:
    mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
    if mentorship.status != MentorshipStatus.PENDING:
        raise MentoringError("This invitation has already been answered.")
    if accept:
        mentor_capacity_check(mentor=mentorship.mentor)
    mentorship.status = MentorshipStatus.ACTIVE if accept else MentorshipStatus.DECLINED
    mentorship.responded_at = timezone.now()
    mentorship.save(update_fields=["status", "responded_at"])
    return mentorship


@transaction.atomic
def mentorship_end(*, mentorship: Mentorship) -> Mentorship:
    """End (or withdraw) a mentorship; waiting review requests are closed, not lost."""
    mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
    if mentorship.status not in (MentorshipStatus.ACTIVE, MentorshipStatus.PENDING):
        raise MentoringError("This mentorship has already ended.")
    now = timezone.now()
    mentorship.status = MentorshipStatus.ENDED
    mentorship.ended_at = now
    mentorship.save(update_fields=["status", "ended_at"])
    closed = mentorship.reviews.filter(status=ReviewStatus.WAITING).update(
        status=ReviewStatus.CLOSED, decided_at=now, closed_reason="The mentorship ended."
    )
    if closed:
        learner_data_changed(learner_ids=[mentorship.mentee_id], history=True)
    return mentorship


@transaction.atomic
def review_request(
    *, mentee: AbstractBaseUser, milestone: Milestone, mentorship: Mentorship, message: str
) -> ReviewRequest:
    progress = progress_get_locked(learner=mentee, milestone=milestone)
    if not is_finished(progress.status):
        raise MentoringError(
            "Mark the milestone as done (or as already known) before asking for a review."
        )
    if mentorship.mentee_id != mentee.pk or mentorship.status != MentorshipStatus.ACTIVE:
        raise MentoringError("Choose one of your active mentors.")
    if progress.reviews.filter(mentorship=mentorship, status=ReviewStatus.WAITING).exists():
        raise MentoringError("This mentor already has a waiting request for this milestone.")
    review = ReviewRequest(progress=progress, mentorship=mentorship, message=message)
    review.full_clean(exclude=["progress", "mentorship"])
    review.save()
    thread = thread_get_locked(learner=mentee, milestone=milestone)
    message_add(thread=thread, author=mentee, kind=MessageKind.REVIEW_REQUEST, body=message)
    notification_record(
        key=f"review-request:{review.pk}",
        recipient=mentorship.mentor.email,
        template="review_request",
        context={
            "mentee_name": display_name(mentee),
            "mentor_name": display_name(mentorship.mentor),
            "milestone_title": milestone.title,
            "message": message,
            "mentee_path": reverse("tracker:mentee", args=[mentee.get_username()]),
        },
    )
    return review


@transaction.atomic
def review_decide(
    *, review: ReviewRequest, verdict: ReviewStatus | str, comment: str
) -> ReviewRequest:
    """Record the mentor's verdict; an approval marks the milestone as verified."""
    verdict = ReviewStatus(verdict)
    if verdict not in (ReviewStatus.APPROVED, ReviewStatus.CHANGES_REQUESTED):
        raise MentoringError("Approve the milestone or request changes.")
    review = (
        ReviewRequest.objects.select_for_update(of=("self",))
        .select_related(
            "mentorship__mentor__profile",
            "progress__milestone__guide",
            "progress__learner__profile",
        )
        .get(pk=review.pk)
    )
    if review.status != ReviewStatus.WAITING:
        raise MentoringError("This request has already been answered or closed.")
    if review.mentorship.status != MentorshipStatus.ACTIVE:
        raise MentoringError("This mentorship has ended.")
    progress = Progress.objects.select_for_update().get(pk=review.progress_id)
    now = timezone.now()
    review.status = verdict
    review.comment = comment
    review.decided_at = now
    review.full_clean(exclude=["progress", "mentorship"])
    review.save()
    if verdict == ReviewStatus.APPROVED and is_finished(progress.status):
        progress.verified_at = now
        progress.verified_by = review.mentorship.mentor
        progress.save(update_fields=["verified_at", "verified_by", "updated_at"])
    learner = review.progress.learner
    thread = thread_get_locked(learner=learner, milestone=review.progress.milestone)
    message_add(
        thread=thread, author=review.mentorship.mentor, kind=MessageKind(verdict), body=comment
    )
    outcome = "approved" if verdict == ReviewStatus.APPROVED else "asked for changes on"
    milestone = review.progress.milestone
    notification_record(
        key=f"review-verdict:{review.pk}",
        recipient=learner.email,
        template="review_verdict",
        context={
            "learner_name": display_name(learner),
            "mentor_name": display_name(review.mentorship.mentor),
            "outcome": outcome,
            "milestone_title": milestone.title,
            "comment": comment,
            "milestone_path": milestone.get_absolute_url(),
        },
    )
    return review


@transaction.atomic
def thread_verdict(
    *, mentor: AbstractBaseUser, thread, verdict: ReviewStatus | str, comment: str
) -> ReviewRequest | None:
    """A verdict in the thread: it answers this mentor's waiting review request if there
    is one (review_decide), else it is recorded in the thread alone, with the same effect
    on the milestone."""
    verdict = ReviewStatus(verdict)
    if verdict not in (ReviewStatus.APPROVED, ReviewStatus.CHANGES_REQUESTED):
        raise MentoringError("Approve the milestone or request changes.")
    mentorship = Mentorship.objects.filter(
        mentor=mentor, mentee_id=thread.learner_id, status=MentorshipStatus.ACTIVE
    ).first()
    if mentorship is None:
        raise MentoringError("This mentorship has ended.")
    progress = (
        Progress.objects.select_for_update()
        .filter(learner_id=thread.learner_id, milestone_id=thread.milestone_id)
        .first()
    )
    if progress is None or not is_finished(progress.status):
        raise MentoringError("A verdict is given on a milestone marked as done or known.")
    limit = ReviewRequest._meta.get_field("comment").max_length
    if len(comment) > limit:
        raise ThreadError(f"Keep the comment to {limit} characters.")
    waiting = ReviewRequest.objects.filter(
        progress=progress, mentorship=mentorship, status=ReviewStatus.WAITING
    ).first()
    if waiting is not None:
        return review_decide(review=waiting, verdict=verdict, comment=comment)
    if verdict == ReviewStatus.APPROVED:
        progress.verified_at = timezone.now()
        progress.verified_by = mentor
        progress.save(update_fields=["verified_at", "verified_by", "updated_at"])
    locked = thread_get_locked(learner=progress.learner, milestone=progress.milestone)
    message_add(thread=locked, author=mentor, kind=MessageKind(verdict), body=comment)
    return None
