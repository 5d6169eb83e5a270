"""A learner's export of their data (tracker.selectors.exports): JSON and CSV."""

import csv
import io
import json
from http import HTTPStatus

import pytest
from django.urls import reverse

from tracker.models import Profile, Progress, ReviewRequest
from tracker.selectors.exports import PROGRESS_COLUMNS

pytestmark = pytest.mark.django_db


def test_json_export_holds_profile_progress_notes_and_history(logged_in, learner, history):
    Profile.objects.filter(user=learner).update(display_name="Ada", region="United States")

    response = logged_in.get(reverse("tracker:export_json"))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
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
    reader = csv.DictReader(io.StringIO(response.content.decode()))
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
    body = logged_in.get(reverse("tracker:export_csv")).content.decode()

    notes = [row["note"] for row in csv.DictReader(io.StringIO(body))]
    assert notes[0] == '\'=HYPERLINK("https://evil.example", "click")'
    assert notes[2] == "'+1 for this"
    for row in csv.DictReader(io.StringIO(body)):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_an_empty_export_still_has_the_header(logged_in, guide):
    body = logged_in.get(reverse("tracker:export_csv")).content.decode()

    assert body.splitlines() == [",".join(PROGRESS_COLUMNS)]
    data = json.loads(logged_in.get(reverse("tracker:export_json")).content)
    assert (data["progress"], data["history"]) == ([], [])
