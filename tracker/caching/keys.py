"""Which versions key which page: the other half of the cache rule (``versions`` bumps
them). Every page key also holds the day, for relative dates ("3 days ago") and the
weekly chart, and the viewer's username and staff flag, which the page header shows."""

import datetime
import hashlib

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Cast

from tracker.models import OPEN_MENTORSHIP, Guide, Mentorship, MentorshipStatus


def key(kind: str, *parts) -> str:
    """A short cache key from any number of parts (names, ids, versions, dates)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"fragment:{kind}:{digest}"


def dashboard_key(*, profile, guide, today: datetime.date) -> str:
    """A learner's dashboard body shows their profile, progress and reviews (all of them
    bump ``progress_version``) and the guide's content."""
    return key(
        "dashboard",
        profile.pk,
        profile.progress_version,
        guide.pk,
        guide.content_version,
        today,
    )


def mentoring_versions(*, user) -> list[tuple]:
    """Every version the mentoring page shows, exactly, in one query: each of the user's
    open mentorships on either side (its id, whether it is active, its ``data_version``),
    then each guide (its id, whether it is published, its ``content_version``). A change
    to any of them, a mentorship that opens or closes, or a guide that comes or goes
    changes the list."""
    mentorships = (
        Mentorship.objects.filter(OPEN_MENTORSHIP, Q(mentor=user) | Q(mentee=user))
        .annotate(
            kind=Value(0),
            flag=Case(When(status=MentorshipStatus.ACTIVE, then=Value(1)), default=Value(0)),
        )
        .values_list("kind", "id", "flag", "data_version")
        .order_by()
    )
    guides = (
        Guide.objects.annotate(kind=Value(1), flag=Cast("published", output_field=IntegerField()))
        .values_list("kind", "id", "flag", "content_version")
        .order_by()
    )
    return sorted(mentorships.union(guides, all=True).order_by())


def mentoring_key(*, user, profile, today: datetime.date) -> str:
    """The mentoring page: the user's own requests (``progress_version``) and everything
    in ``mentoring_versions``."""
    return key("mentoring", user.pk, profile.progress_version, mentoring_versions(user=user), today)


def page_key(body_key: str, *, user) -> str:
    """A whole page around a body: the header names the user and links staff to the admin."""
    return key("page", body_key, user.get_username(), user.is_staff)
