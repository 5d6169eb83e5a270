"""A learner's control over their data: settings, export (JSON and CSV), account deletion."""

import csv
import io
import json
from http import HTTPStatus

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from tests.conftest import PASSWORD
from tracker.models import (
    Milestone,
    Profile,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewRequest,
)
from tracker.selectors.exports import PROGRESS_COLUMNS
from tracker.services.progress import progress_set_status, progress_update_notes

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(make_guide):
    return make_guide(milestones=6)


@pytest.fixture
def m(guide):
    milestones = {ms.slug: ms for ms in Milestone.objects.filter(guide=guide)}
    return [milestones[f"milestone-{n}"] for n in range(6)]


@pytest.fixture
def logged_in(client, learner):
    client.force_login(learner)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- settings ----------------------------------------------------------------------------


def test_settings_save_profile_region_and_privacy(logged_in, learner, guide):
    response = logged_in.post(
        reverse("tracker:settings"),
        {"display_name": "Ada L.", "region": "US tech hubs", "public_profile": "on"},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("tracker:settings"), HTTPStatus.FOUND)]
    assert "Your settings are saved." in messages_of(response)
    profile = Profile.objects.get(user=learner)
    assert profile.display_name == "Ada L."
    assert profile.region == "US tech hubs"
    assert profile.public_profile is True
    assert profile.share_notes_with_mentors is False, "an unticked box turns sharing off"
    page = response.content.decode()
    assert reverse("tracker:public_profile", args=["learner"]) in page
    assert reverse("tracker:public_badge", args=["learner"]) in page


def test_settings_offer_the_guides_regions(logged_in, guide):
    response = logged_in.get(reverse("tracker:settings"))

    choices = [value for value, _ in response.context["form"].fields["region"].choices]
    assert choices == ["", "US tech hubs", "United States"]


def test_settings_can_turn_sharing_back_on_and_clear_the_region(logged_in, learner, guide):
    Profile.objects.filter(user=learner).update(
        region="United States", share_notes_with_mentors=False, public_profile=True
    )

    logged_in.post(
        reverse("tracker:settings"),
        {"display_name": "", "region": "", "share_notes_with_mentors": "on"},
    )

    profile = Profile.objects.get(user=learner)
    assert (profile.region, profile.share_notes_with_mentors, profile.public_profile) == (
        "",
        True,
        False,
    )


def test_the_chosen_guide_is_the_one_on_the_dashboard(logged_in, learner, guide, make_guide):
    second = make_guide(milestones=2, slug="second", title="Become a Second Engineer")

    logged_in.post(reverse("tracker:settings"), {"region": "", "current_guide": second.pk})

    assert Profile.objects.get(user=learner).current_guide == second
    assert logged_in.get(reverse("tracker:dashboard")).context["guide"] == second


# --- export ------------------------------------------------------------------------------


@pytest.fixture
def history(learner, m):
    progress_set_status(learner=learner, milestone=m[0], status=ProgressStatus.IN_PROGRESS)
    progress_set_status(learner=learner, milestone=m[0], status=ProgressStatus.DONE)
    progress_update_notes(
        learner=learner,
        milestone=m[0],
        note='=HYPERLINK("https://evil.example", "click")',
        evidence_url="https://github.com/learner/first",
    )
    progress_set_status(learner=learner, milestone=m[1], status=ProgressStatus.IN_PROGRESS)
    progress_update_notes(learner=learner, milestone=m[2], note="+1 for this", evidence_url="")


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


# --- delete account ----------------------------------------------------------------------


def test_a_wrong_password_deletes_nothing_and_says_so(logged_in, learner, history):
    before = (
        Progress.objects.filter(learner=learner).count(),
        ProgressEvent.objects.filter(learner=learner).count(),
    )

    response = logged_in.post(reverse("tracker:delete_account"), {"password": "not-mine"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "That is not your password. Nothing was deleted." in response.content.decode()
    assert User.objects.filter(pk=learner.pk).exists()
    assert Profile.objects.filter(user=learner).exists()
    after = (
        Progress.objects.filter(learner=learner).count(),
        ProgressEvent.objects.filter(learner=learner).count(),
    )
    assert after == before
    assert logged_in.session.get(SESSION_KEY) == str(learner.pk), "still logged in"


def test_the_right_password_deletes_everything_and_logs_out(
    logged_in, learner, stranger, m, history
):
    progress_set_status(learner=stranger, milestone=m[0], status=ProgressStatus.DONE)
    others = (
        Progress.objects.filter(learner=stranger).count(),
        ProgressEvent.objects.filter(learner=stranger).count(),
    )

    response = logged_in.post(
        reverse("tracker:delete_account"), {"password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(reverse("tracker:landing"), HTTPStatus.FOUND)]
    assert "Your account and all of its data have been deleted." in messages_of(response)
    assert not User.objects.filter(pk=learner.pk).exists()
    assert not Profile.objects.filter(user_id=learner.pk).exists()
    assert not Progress.objects.filter(learner_id=learner.pk).exists()
    assert not ProgressEvent.objects.filter(learner_id=learner.pk).exists()
    assert logged_in.session.get(SESSION_KEY) is None
    assert logged_in.get(reverse("tracker:dashboard")).status_code == HTTPStatus.FOUND
    assert (
        Progress.objects.filter(learner=stranger).count(),
        ProgressEvent.objects.filter(learner=stranger).count(),
    ) == others, "other learners keep their data"


def test_deleting_a_mentor_keeps_the_mentees_verified_progress(
    client, learner, make_user, make_mentorship, m
):
    mentor = make_user("mentor")
    make_mentorship(mentor, learner)
    row = progress_set_status(learner=learner, milestone=m[0], status=ProgressStatus.DONE)
    Progress.objects.filter(pk=row.pk).update(verified_at=row.completed_at, verified_by=mentor)
    client.force_login(mentor)

    client.post(reverse("tracker:delete_account"), {"password": PASSWORD})

    assert not User.objects.filter(pk=mentor.pk).exists()
    row.refresh_from_db()
    assert row.status == ProgressStatus.DONE
    assert row.verified_at is not None
    assert row.verified_by is None
