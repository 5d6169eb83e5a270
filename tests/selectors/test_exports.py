"""A learner's export of their data (tracker.selectors.exports): JSON and CSV."""

import codecs
import csv
import datetime
import io
import json
import re
import zoneinfo
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker.models import Milestone, Profile, Progress, ReviewRequest
from tracker.selectors.exports import PROGRESS_COLUMNS, learner_export_csv, learner_export_json
from tracker.services.mentoring import mentorship_end
from tracker.services.progress import progress_update_notes
from tracker.services.threads import message_post

pytestmark = pytest.mark.django_db


def test_json_export_holds_profile_progress_notes_and_history(logged_in, learner, history):
    Profile.objects.filter(user=learner).update(display_name="Ada", region="United States")

    response = logged_in.get(reverse("tracker:export_json"))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="careerpath-learner.json"'
    data = json.loads(response.content)
    assert data["account"]["username"] == "learner"
    assert data["account"]["email"] == "learner@example.com"
    assert data["profile"]["display_name"] == "Ada"
    assert data["profile"]["region"] == "United States"
    progress = {row["milestone"]: row for row in data["progress"]}
    assert set(progress) == {"milestone-0", "milestone-1", "milestone-2"}
    assert progress["milestone-0"]["status"] == "done"
    assert progress["milestone-0"]["note"].startswith("=HYPERLINK")  # JSON keeps text as is
    assert progress["milestone-0"]["evidence_url"] == "https://github.com/learner/first"
    assert progress["milestone-0"]["completed_at"]
    assert progress["milestone-2"]["status"] == "not_started"
    assert [(e["milestone"], e["from"], e["to"]) for e in data["history"]] == [
        ("milestone-0", "not_started", "in_progress"),
        ("milestone-0", "in_progress", "done"),
        ("milestone-1", "not_started", "in_progress"),
    ]
    assert all(event["at"] for event in data["history"])


def test_json_export_includes_mentorships_and_reviews(
    logged_in, learner, make_user, make_mentorship, m, history
):
    mentorship = make_mentorship(make_user("mentor"), learner)
    ReviewRequest.objects.create(
        progress=Progress.objects.get(learner=learner, milestone=m[0]),
        mentorship=mentorship,
        message="Please look at my repo",
    )

    data = json.loads(logged_in.get(reverse("tracker:export_json")).content)

    assert [(x["mentor"], x["mentee"]) for x in data["mentorships"]] == [("mentor", "learner")]
    assert [(r["milestone"], r["message"]) for r in data["reviews"]] == [
        ("milestone-0", "Please look at my repo")
    ]


def test_csv_export_has_a_header_and_one_row_per_touched_milestone(logged_in, history):
    response = logged_in.get(reverse("tracker:export_csv"))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="careerpath-learner.csv"'
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    rows = list(reader)
    assert reader.fieldnames == PROGRESS_COLUMNS
    assert [(row["milestone"], row["status"]) for row in rows] == [
        ("milestone-0", "done"),
        ("milestone-1", "in_progress"),
        ("milestone-2", "not_started"),
    ]
    assert rows[0]["guide"] == "test-guide"
    assert rows[0]["pillar"] == "pillar-0"
    assert rows[0]["evidence_url"] == "https://github.com/learner/first"


def test_csv_export_neutralises_formula_cells(logged_in, history):
    body = logged_in.get(reverse("tracker:export_csv")).content.decode("utf-8-sig")

    notes = [row["note"] for row in csv.DictReader(io.StringIO(body))]
    assert notes[0] == '\'=HYPERLINK("https://evil.example", "click")'
    assert notes[2] == "'+1 for this"
    for row in csv.DictReader(io.StringIO(body)):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_an_empty_export_still_has_the_header(logged_in, guide):
    body = logged_in.get(reverse("tracker:export_csv")).content.decode("utf-8-sig")

    assert body.splitlines() == [",".join(PROGRESS_COLUMNS)]
    data = json.loads(logged_in.get(reverse("tracker:export_json")).content)
    assert (data["progress"], data["history"]) == ([], [])


# --- titles, times in the learner's zone, UTF-8 ------------------------------------------

ISO_SECOND = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d\Z")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MOMENT = datetime.datetime(2026, 10, 9, 5, 9, 32, 846925, tzinfo=datetime.UTC)


def csv_rows(body: str) -> list[dict]:
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def test_csv_export_names_the_guide_pillar_and_milestone_beside_their_slugs(learner, history):
    rows = csv_rows(learner_export_csv(user=learner, zone=datetime.UTC))

    assert [
        (r["guide"], r["guide_title"], r["pillar"], r["pillar_name"], r["milestone_title"])
        for r in rows
    ] == [
        ("test-guide", "Become a Test Engineer", "pillar-0", "Pillar 0", "Milestone 0"),
        ("test-guide", "Become a Test Engineer", "pillar-1", "Pillar 1", "Milestone 1"),
        ("test-guide", "Become a Test Engineer", "pillar-2", "Pillar 2", "Milestone 2"),
    ]


def test_export_times_are_iso_8601_to_the_second_in_the_readers_zone(learner, m, history):
    Progress.objects.filter(learner=learner, milestone=m[0]).update(
        completed_at=MOMENT, updated_at=MOMENT
    )

    row = csv_rows(learner_export_csv(user=learner, zone=PARIS))[0]
    data = json.loads(learner_export_json(user=learner, zone=PARIS))

    assert row["completed_at"] == row["updated_at"] == "2026-10-09T07:09:32+02:00"
    assert data["progress"][0]["completed_at"] == "2026-10-09T07:09:32+02:00"
    assert datetime.datetime.fromisoformat(row["completed_at"]) == MOMENT.replace(microsecond=0)
    times = [
        row[c]
        for row in csv_rows(learner_export_csv(user=learner, zone=PARIS))
        for c in ("verified_at", "started_at", "completed_at", "updated_at")
        if row[c]
    ]
    times += [event["at"] for event in data["history"]] + [data["account"]["date_joined"]]
    assert times
    assert all(ISO_SECOND.match(value) for value in times), times


def test_csv_export_keeps_accents_and_starts_with_a_bom(learner, m):
    progress_update_notes(
        learner=learner, milestone=m[0], note="Café, naïve, Łódź ☕", evidence_url=""
    )

    body = learner_export_csv(user=learner, zone=datetime.UTC)

    assert body.encode("utf-8").startswith(codecs.BOM_UTF8)
    assert csv_rows(body)[0]["note"] == "Café, naïve, Łódź ☕"


def test_titles_in_the_csv_are_guarded_against_formulas_too(learner, m, history):
    Milestone.objects.filter(pk=m[0].pk).update(title="=cmd|' /C calc'!A0")

    row = csv_rows(learner_export_csv(user=learner, zone=datetime.UTC))[0]

    assert row["milestone_title"] == "'=cmd|' /C calc'!A0"


def test_json_export_holds_the_plan_answers(logged_in, learner, guide):
    stage = guide.stages.get(slug="mid-level")
    Profile.objects.filter(user=learner).update(
        hours_per_week=6,
        target_stage=stage,
        target_date=datetime.date(2027, 6, 1),
        time_zone="Europe/Paris",
    )

    data = json.loads(logged_in.get(reverse("tracker:export_json")).content)

    assert data["profile"]["hours_per_week"] == 6
    assert data["profile"]["target_stage"] == "mid-level"
    assert data["profile"]["target_date"] == "2027-06-01"
    assert data["profile"]["time_zone"] == "Europe/Paris"


def test_json_export_holds_mail_choices_and_scheduled_mails_but_not_the_calendar_secret(
    learner,
):
    from tracker.models import MailKind, MailPreferences, ScheduledMail  # noqa: PLC0415

    preferences = MailPreferences.objects.create(user=learner, weekly_digest=True, hour=19)
    ScheduledMail.objects.create(user=learner, kind=MailKind.WEEKLY_DIGEST, period="2026-W50")

    text = learner_export_json(user=learner, zone=PARIS)
    data = json.loads(text)

    assert data["mail_preferences"]["weekly_digest"] is True
    assert data["mail_preferences"]["hour"] == 19
    assert [(m["kind"], m["period"]) for m in data["scheduled_mails"]] == [
        ("weekly_digest", "2026-W50")
    ]
    assert preferences.calendar_token not in text


def test_json_export_keeps_the_conversations_after_the_mentorship_ended(
    logged_in, learner, make_user, make_mentorship, m, history
):
    mentor = make_user("mentor")
    mentorship = make_mentorship(mentor, learner)
    message_post(author=learner, learner=learner, milestone=m[1], body="How do I test this?")
    message_post(author=mentor, learner=learner, milestone=m[1], body="With pytest.")
    mentorship_end(mentorship=mentorship)

    data = json.loads(logged_in.get(reverse("tracker:export_json")).content)

    assert [
        (c["milestone"], c["author"], c["kind"], c["message"]) for c in data["conversations"]
    ] == [
        ("milestone-1", "learner", "question", "How do I test this?"),
        ("milestone-1", "mentor", "reply", "With pytest."),
    ]


def test_the_downloaded_export_reads_in_the_learners_own_time_zone(logged_in, learner, history):
    Profile.objects.filter(user=learner).update(time_zone="Asia/Tokyo", onboarded_at=timezone.now())

    data = json.loads(logged_in.get(reverse("tracker:export_json")).content)

    completed = next(r for r in data["progress"] if r["milestone"] == "milestone-0")
    assert completed["completed_at"].endswith("+09:00")
