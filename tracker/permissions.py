"""Object-level access: each helper returns the object or raises Http404.

"Missing" and "not yours" give the same answer, so nobody learns whether something exists.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404

from tracker.models import Mentorship, MentorshipStatus, ReviewRequest, Thread

User = get_user_model()


def access_mentee(*, mentor, username: str):
    """The mentee and the active mentorship, for one of their active mentors only."""
    mentorship = (
        Mentorship.objects.select_related("mentee__profile")
        .filter(mentor=mentor, mentee__username=username, status=MentorshipStatus.ACTIVE)
        .first()
    )
    if mentorship is None:
        raise Http404("No such mentee.")
    return mentorship.mentee, mentorship


def access_invitation(*, mentor, mentorship_id: int) -> Mentorship:
    """A pending invitation addressed to this person."""
    mentorship = Mentorship.objects.filter(
        pk=mentorship_id, mentor=mentor, status=MentorshipStatus.PENDING
    ).first()
    if mentorship is None:
        raise Http404("No such invitation.")
    return mentorship


def access_open_mentorship(*, user, mentorship_id: int) -> Mentorship:
    """A mentorship this person may end: an active one, from either side, or a pending
    invitation the mentee sent (an invited mentor declines instead)."""
    mentorship = (
        Mentorship.objects.filter(pk=mentorship_id)
        .filter(
            Q(mentor=user, status=MentorshipStatus.ACTIVE)
            | Q(mentee=user, status__in=[MentorshipStatus.ACTIVE, MentorshipStatus.PENDING])
        )
        .first()
    )
    if mentorship is None:
        raise Http404("No such mentorship.")
    return mentorship


def access_review_as_mentor(*, mentor, review_id: int) -> ReviewRequest:
    """A request addressed to this mentor, in a mentorship that is still active.

    Its state is checked by the service, which can then say "already answered" to a
    mentor who submits twice instead of a bare 404.
    """
    review = (
        ReviewRequest.objects.select_related("mentorship", "progress")
        .filter(
            pk=review_id,
            mentorship__mentor=mentor,
            mentorship__status=MentorshipStatus.ACTIVE,
        )
        .first()
    )
    if review is None:
        raise Http404("No such review request.")
    return review


def access_thread_as_mentor(*, mentor, thread_id: int) -> Thread:
    """A thread of one of this person's active mentees; a former mentor gets the 404."""
    active = Mentorship.objects.filter(mentor=mentor, status=MentorshipStatus.ACTIVE)
    thread = (
        Thread.objects.select_related("milestone__guide", "learner__profile")
        .filter(pk=thread_id, learner__in=active.values("mentee_id"))
        .first()
    )
    if thread is None:
        raise Http404("No such conversation.")
    return thread
