"""A learner's own data, as JSON and as CSV: everything CareerPath holds about them."""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from tracker.models import Mentorship, Profile, Progress, ProgressEvent, ReviewRequest

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PROGRESS_COLUMNS = [
    "guide",
    "pillar",
    "milestone",
    "status",
    "verified_at",
    "started_at",
    "completed_at",
    "updated_at",
    "note",
    "evidence_url",
]


def _progress_rows(user) -> list[dict]:
    rows = Progress.objects.filter(learner=user).select_related(
        "milestone__pillar", "milestone__guide"
    )
    return [
        {
            "guide": row.milestone.guide.slug,
            "pillar": row.milestone.pillar.slug,
            "milestone": row.milestone.slug,
            "status": row.status,
            "verified_at": row.verified_at,
            "started_at": row.started_at,
            "completed_at": row.completed_at,
            "updated_at": row.updated_at,
            "note": row.note,
            "evidence_url": row.evidence_url,
        }
        for row in rows.order_by(
            "milestone__guide__slug", "milestone__pillar__order", "milestone__order"
        )
    ]


def learner_export_data(*, user) -> dict:
    profile = Profile.objects.filter(user=user).first()
    return {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": user.date_joined,
        },
        "profile": {
            "display_name": profile.display_name if profile else "",
            "region": profile.region if profile else "",
            "public_profile": profile.public_profile if profile else False,
            "share_notes_with_mentors": profile.share_notes_with_mentors if profile else False,
        },
        "progress": _progress_rows(user),
        "history": [
            {
                "milestone": event.milestone.slug,
                "from": event.old_status,
                "to": event.new_status,
                "at": event.created_at,
            }
            for event in ProgressEvent.objects.filter(learner=user)
            .select_related("milestone")
            .order_by("created_at", "id")
        ],
        "mentorships": [
            {
                "mentor": m.mentor.get_username(),
                "mentee": m.mentee.get_username(),
                "status": m.status,
                "invited_at": m.invited_at,
                "ended_at": m.ended_at,
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
                "requested_at": r.requested_at,
                "decided_at": r.decided_at,
            }
            for r in ReviewRequest.objects.filter(progress__learner=user).select_related(
                "progress__milestone", "mentorship__mentor"
            )
        ],
    }


def learner_export_json(*, user) -> str:
    return json.dumps(learner_export_data(user=user), cls=DjangoJSONEncoder, indent=2)


def learner_export_csv(*, user) -> str:
    """One row per milestone the learner has touched; the JSON export holds the rest."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PROGRESS_COLUMNS)
    writer.writeheader()
    for row in _progress_rows(user):
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return buffer.getvalue()


def _cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
