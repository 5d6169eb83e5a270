"""A learner's own data, as JSON and as CSV: everything CareerPath holds about them.

Times are ISO 8601 to the second, with the offset of the reader's zone
(``2026-10-09T07:09:32+02:00``); the CSV is UTF-8 with a byte-order mark, which is how
spreadsheets tell UTF-8 from their local code page.
"""

import csv
import datetime
import io
import json
import re
import unicodedata
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone
from django.utils.http import content_disposition_header

from tracker.models import (
    MailPreferences,
    Mentorship,
    Message,
    Profile,
    Progress,
    ProgressEvent,
    ReviewRequest,
    ScheduledMail,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"

PROGRESS_COLUMNS = [
    "guide",
    "guide_title",
    "pillar",
    "pillar_name",
    "milestone",
    "milestone_title",
    "status",
    "verified_at",
    "started_at",
    "completed_at",
    "updated_at",
    "note",
    "evidence_url",
]


def export_time(value: datetime.datetime | None, zone: datetime.tzinfo) -> str | None:
    """An instant as the exports write it: ISO 8601 in ``zone``, to the second, with the
    zone's offset, e.g. ``2026-10-09T07:09:32+02:00``; nothing stays nothing."""
    if value is None:
        return None
    return timezone.localtime(value, zone).isoformat(timespec="seconds")


def _progress_rows(user, zone: datetime.tzinfo) -> list[dict]:
    rows = Progress.objects.filter(learner=user).select_related(
        "milestone__pillar", "milestone__guide"
    )
    return [
        {
            "guide": row.milestone.guide.slug,
            "guide_title": row.milestone.guide.title,
            "pillar": row.milestone.pillar.slug,
            "pillar_name": row.milestone.pillar.name,
            "milestone": row.milestone.slug,
            "milestone_title": row.milestone.title,
            "status": row.status,
            "verified_at": export_time(row.verified_at, zone),
            "started_at": export_time(row.started_at, zone),
            "completed_at": export_time(row.completed_at, zone),
            "updated_at": export_time(row.updated_at, zone),
            "note": row.note,
            "evidence_url": row.evidence_url,
        }
        for row in rows.order_by(
            "milestone__guide__slug", "milestone__pillar__order", "milestone__order"
        )
    ]


def learner_export_data(*, user, zone: datetime.tzinfo) -> dict:
    """Everything about ``user``, with every time in ``zone`` (see ``export_time``)."""
    profile = Profile.objects.filter(user=user).first()
    return {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": export_time(user.date_joined, zone),
        },
        "profile": {
            "display_name": profile.display_name if profile else "",
            "region": profile.region if profile else "",
            "public_profile": profile.public_profile if profile else False,
            "share_notes_with_mentors": profile.share_notes_with_mentors if profile else False,
            "mentee_capacity": profile.mentee_capacity if profile else None,
            "hours_per_week": profile.hours_per_week if profile else None,
            "target_stage": profile.target_stage.slug if profile and profile.target_stage else "",
            "target_date": profile.target_date.isoformat()
            if profile and profile.target_date
            else "",
            "time_zone": profile.time_zone if profile else "UTC",
            "mail_new_messages": profile.mail_new_messages if profile else True,
        },
        "progress": _progress_rows(user, zone),
        "history": [
            {
                "milestone": event.milestone.slug,
                "from": event.old_status,
                "to": event.new_status,
                "at": export_time(event.created_at, zone),
            }
            for event in ProgressEvent.objects.filter(learner=user)
            .select_related("milestone")
            .order_by("created_at", "id")
        ],
        "mentorships": [
            {
                "mentor": m.mentor_label,
                "mentee": m.mentee.get_username(),
                "status": m.status,
                "invited_at": export_time(m.invited_at, zone),
                "ended_at": export_time(m.ended_at, zone),
            }
            for m in Mentorship.objects.filter(Q(mentor=user) | Q(mentee=user)).select_related(
                "mentor", "mentee"
            )
        ],
        "reviews": [
            {
                "milestone": r.progress.milestone.slug,
                "mentor": r.mentorship.mentor.get_username(),
                "status": r.status,
                "message": r.message,
                "comment": r.comment,
                "requested_at": export_time(r.requested_at, zone),
                "decided_at": export_time(r.decided_at, zone),
            }
            for r in ReviewRequest.objects.filter(progress__learner=user).select_related(
                "progress__milestone", "mentorship__mentor"
            )
        ],
        "conversations": [
            {
                "milestone": m.thread.milestone.slug,
                "author": m.author.get_username() if m.author else "",
                "kind": m.kind,
                "message": m.body,
                "at": export_time(m.created_at, zone),
            }
            for m in Message.objects.filter(thread__learner=user)
            .select_related("thread__milestone", "author")
            .order_by("created_at", "id")
        ],
        **_mail_export(user=user, zone=zone),
    }


def _mail_export(*, user, zone: datetime.tzinfo) -> dict:
    """What the person chose to be mailed and the scheduled mails recorded for them (the
    calendar's secret is left out: it is a key, not data about them)."""
    preferences = MailPreferences.objects.filter(user=user).first()
    return {
        "mail_preferences": {
            "weekly_digest": preferences.weekly_digest,
            "weekday": preferences.weekday,
            "hour": preferences.hour,
            "inactivity_days": preferences.inactivity_days,
            "mentor_reviews": preferences.mentor_reviews,
        }
        if preferences
        else None,
        "scheduled_mails": [
            {
                "kind": mail.kind,
                "period": mail.period,
                "next_stage_date": mail.next_stage_on,
                "at": export_time(mail.created_at, zone),
            }
            for mail in ScheduledMail.objects.filter(user=user).order_by("created_at", "id")
        ],
    }


def learner_export_json(*, user, zone: datetime.tzinfo) -> str:
    return json.dumps(learner_export_data(user=user, zone=zone), cls=DjangoJSONEncoder, indent=2)


def learner_export_csv(*, user, zone: datetime.tzinfo) -> str:
    """One row per milestone the learner has touched, its titles beside its slugs; the
    JSON export holds the rest. Starts with a byte-order mark (see the module)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=PROGRESS_COLUMNS)
    writer.writeheader()
    for row in _progress_rows(user, zone):
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return buffer.getvalue()


def learner_export_disposition(*, user, fmt: str) -> str:
    """The download's ``Content-Disposition``: ``careerpath-<username>.<fmt>``.

    A name outside ASCII goes in ``filename*`` (RFC 6266), after an ASCII ``filename``
    for clients that do not read it: the username's letters without their accents, or
    ``export`` when none of them is ASCII. (Django's ``content_disposition_header`` gives
    such a name as ``filename*`` alone.)
    """
    filename = f"careerpath-{user.get_username()}.{fmt}"
    plain = unicodedata.normalize("NFKD", user.get_username()).encode("ascii", "ignore")
    plain = re.sub(r"[^A-Za-z0-9._-]", "", plain.decode()).strip(".") or "export"
    fallback = f"careerpath-{plain}.{fmt}"
    header = content_disposition_header(as_attachment=True, filename=fallback)
    if fallback != filename:
        header += f"; filename*=utf-8''{quote(filename, safe='')}"
    return header


def _cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
