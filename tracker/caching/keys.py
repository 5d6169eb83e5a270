"""Which versions key which page: the other half of the cache rule (``versions`` bumps
them). Every page key also holds the day, for relative dates ("3 days ago") and the
weekly chart, and the viewer's username and staff flag, which the page header shows."""

import datetime
import hashlib

from django.db import connection
from django.utils import timezone

from tracker.models import Guide, Mentorship, MentorshipStatus, Thread
from tracker.selectors.threads import overdue_after


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


# Every guide summed up as in ``mentoring_versions``: which guides there are, which are
# published, and their content versions, as one string.
GUIDES_VERSIONS = f"""
    SELECT COUNT(*) || '/' || COALESCE(SUM(id), 0) || '/'
           || COALESCE(SUM(CASE WHEN published THEN 1 ELSE 0 END), 0) || '/'
           || COALESCE(SUM(content_version), 0)
    FROM {Guide._meta.db_table}
"""


def calendar_key(*, profile, guide, now: datetime.datetime) -> str:
    """A learner's calendar feed: their plan, pace and progress (``progress_version``),
    the guide's content, and their own day, from which the plan's dates count."""
    today = timezone.localtime(now, profile.zone).date()
    return key(
        "calendar", profile.pk, profile.progress_version, guide.pk, guide.content_version, today
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
    publishing one while unpublishing another still changes the sum. Last, how many of
    the mentees' conversations waiting for the user have turned overdue by now: time
    alone changes that, with no write. Plain SQL: Django's ``aggregate()`` costs more
    than the query itself, on a page read on every visit.
    """
    mentorship, thread = Mentorship._meta.db_table, Thread._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*), SUM(id), SUM(CASE WHEN status = %s THEN 1 ELSE 0 END),
                   SUM(data_version), ({GUIDES_VERSIONS}),
                   (SELECT COUNT(*) FROM {thread} JOIN {mentorship} AS mine
                        ON mine.mentee_id = {thread}.learner_id
                    WHERE mine.mentor_id = %s AND mine.status = %s
                          AND {thread}.last_author_id = {thread}.learner_id
                          AND {thread}.last_message_at < %s)
            FROM {mentorship}
            WHERE status IN (%s, %s) AND (mentor_id = %s OR mentee_id = %s)
            """,
            [
                MentorshipStatus.ACTIVE,
                user.pk,
                MentorshipStatus.ACTIVE,
                timezone.now() - overdue_after(),
                MentorshipStatus.ACTIVE,
                MentorshipStatus.PENDING,
                user.pk,
                user.pk,
            ],
        )
        return tuple(cursor.fetchone())


def mentee_versions(*, mentor, today: datetime.date) -> tuple[dict[int, str], bool]:
    """What the mentoring page shows of each of the mentor's active mentees
    (``pages.mentee_parts``) is rendered for these versions, by mentorship id, in the
    order the mentorships are listed: their ``data_version`` goes up with anything of the
    mentee, and the guides' versions with the milestones a row counts and a review names.
    With them, whether any invitation waits for the mentor's answer. One query of ids and
    versions only, however many mentees (plain SQL, as in ``mentoring_versions``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id, data_version, status, ({GUIDES_VERSIONS})
            FROM {Mentorship._meta.db_table}
            WHERE mentor_id = %s AND status IN (%s, %s) ORDER BY invited_at DESC, id DESC
            """,
            [mentor.pk, MentorshipStatus.ACTIVE, MentorshipStatus.PENDING],
        )
        rows = cursor.fetchall()
    versions = {
        pk: f"{version}:{guides}:{today}"
        for pk, version, status, guides in rows
        if status == MentorshipStatus.ACTIVE
    }
    return versions, len(versions) < len(rows)


def own_mentoring_key(*, user, profile, today: datetime.date) -> str:
    """The user's own side of the mentoring page: their mentorships as mentee (each one's
    ``data_version`` goes up with the mentor's name too), their requests
    (``progress_version``) and conversations (``attention_version``): one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*), SUM(id), SUM(CASE WHEN status = %s THEN 1 ELSE 0 END),
                   SUM(data_version)
            FROM {Mentorship._meta.db_table}
            WHERE status IN (%s, %s) AND mentee_id = %s
            """,
            [MentorshipStatus.ACTIVE, MentorshipStatus.ACTIVE, MentorshipStatus.PENDING, user.pk],
        )
        mentorships = tuple(cursor.fetchone())
    versions = (profile.progress_version, profile.attention_version)
    return key("own-mentoring", user.pk, versions, mentorships, today)


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
