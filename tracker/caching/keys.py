"""Which versions key which page: the other half of the cache rule (``versions`` bumps
them). Every page key also holds the day, for relative dates ("3 days ago") and the
weekly chart, and the viewer's username and staff flag, which the page header shows."""

import datetime
import hashlib

from django.db import connection

from tracker.models import Guide, Mentorship, MentorshipStatus


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


def mentoring_versions(*, user) -> tuple:
    """Every version the mentoring page shows, in one query that reads no more than the
    user's open mentorships (on either side) and the guides, however many mentees.

    Each side is summed up as (how many rows, the sum of their ids, how many are active or
    published, the sum of their versions). That cannot stay the same after a change,
    because ids and versions only ever go up: a row that leaves and one that comes in
    change the count, or else the sum of ids (a new row's id is higher than any before
    it); the same rows with any version bumped raise the sum of versions; a mentorship
    only ever goes from pending to active; a guide's own save bumps its version, so
    publishing one while unpublishing another still changes the sum. Plain SQL: Django's
    ``aggregate()`` costs more than the query itself, on a page read on every visit.
    """
    mentorship, guide = Mentorship._meta.db_table, Guide._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*), SUM(id), SUM(CASE WHEN status = %s THEN 1 ELSE 0 END),
                   SUM(data_version),
                   (SELECT COUNT(*) FROM {guide}),
                   (SELECT SUM(id) FROM {guide}),
                   (SELECT SUM(CASE WHEN published THEN 1 ELSE 0 END) FROM {guide}),
                   (SELECT SUM(content_version) FROM {guide})
            FROM {mentorship}
            WHERE status IN (%s, %s) AND (mentor_id = %s OR mentee_id = %s)
            """,
            [
                MentorshipStatus.ACTIVE,
                MentorshipStatus.PENDING,
                MentorshipStatus.ACTIVE,
                user.pk,
                user.pk,
            ],
        )
        return tuple(cursor.fetchone())


def mentoring_key(*, user, profile, today: datetime.date) -> str:
    """The mentoring page: the user's own requests (``progress_version``) and everything
    in ``mentoring_versions``."""
    return key("mentoring", user.pk, profile.progress_version, mentoring_versions(user=user), today)


def page_key(body_key: str, *, user, attention: tuple = ()) -> str:
    """A whole page around a body: the header names the user, links staff to the admin
    and shows how many conversations wait for them (``attention``)."""
    return key("page", body_key, user.get_username(), user.is_staff, attention)


def attention_key(*, user, profile) -> str:
    """The count of conversations waiting for a person, in every page's header."""
    return key("attention", user.pk, profile.attention_version if profile else None)
