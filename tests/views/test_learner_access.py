"""Who may open and change each learner URL: the owner, a visitor, another learner, staff."""

import csv
import io
import json
import re
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.conftest import PASSWORD, notes_url, status_url
from tracker.models import Milestone, Profile, Progress, ProgressEvent, ProgressStatus
from tracker.services.progress import progress_set_status, progress_update_notes

User = get_user_model()
pytestmark = pytest.mark.django_db

SECRET_NOTE = "owner's private note about salary talks"


@pytest.fixture
def owner(learner, guide, milestone):
    """A learner with progress, a private note and history on the guide."""
    progress_set_status(learner=learner, milestone=milestone, status=ProgressStatus.DONE)
    progress_update_notes(
        learner=learner,
        milestone=milestone,
        note=SECRET_NOTE,
        evidence_url="https://github.com/owner/secret",
    )
    progress_set_status(
        learner=learner,
        milestone=Milestone.objects.get(guide=guide, slug="milestone-1"),
        status=ProgressStatus.IN_PROGRESS,
    )
    return learner


@pytest.fixture
def staff(make_user):
    return make_user("staffer", is_staff=True)


def owner_rows(owner):
    return list(
        Progress.objects.filter(learner=owner)
        .order_by("milestone__slug")
        .values_list("milestone__slug", "status", "note", "evidence_url")
    )


def snapshot():
    return (
        Progress.objects.count(),
        ProgressEvent.objects.count(),
        User.objects.count(),
        Profile.objects.count(),
    )


# --- anonymous visitors ------------------------------------------------------------------

LOGIN_REQUIRED = [
    ("get", "tracker:dashboard", {}),
    ("get", "tracker:settings", {}),
    ("post", "tracker:settings", {"display_name": "Mallory"}),
    ("get", "tracker:export_json", {}),
    ("get", "tracker:export_csv", {}),
    ("post", "tracker:delete_account", {"password": PASSWORD}),
    ("post", "status", {"status": "not_started"}),
    ("post", "notes", {"note": "defaced", "evidence_url": ""}),
]


def url_for(name, milestone):
    if name == "status":
        return status_url(milestone)
    if name == "notes":
        return notes_url(milestone)
    return reverse(name)


@pytest.mark.parametrize(("method", "name", "data"), LOGIN_REQUIRED)
def test_a_visitor_is_sent_to_log_in_and_changes_nothing(
    client, owner, milestone, method, name, data
):
    before, rows = snapshot(), owner_rows(owner)
    url = url_for(name, milestone)

    response = getattr(client, method)(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert snapshot() == before
    assert owner_rows(owner) == rows


# --- the owner ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["tracker:dashboard", "tracker:settings", "tracker:export_json", "tracker:export_csv"]
)
def test_the_owner_can_open_their_pages(client, owner, name):
    client.force_login(owner)

    response = client.get(reverse(name))

    assert response.status_code == HTTPStatus.OK


def test_the_owner_changes_their_own_status_and_notes(client, owner, guide):
    other = Milestone.objects.get(guide=guide, slug="milestone-2")
    client.force_login(owner)

    client.post(status_url(other), {"status": "done"})
    client.post(notes_url(other), {"note": "mine", "evidence_url": ""})

    row = Progress.objects.get(learner=owner, milestone=other)
    assert (row.status, row.note) == (ProgressStatus.DONE, "mine")


# --- another learner ---------------------------------------------------------------------


@pytest.fixture(params=["stranger", "staff"])
def intruder(request, stranger, staff):
    """Another learner; a staff member is one too, outside the admin."""
    return {"stranger": stranger, "staff": staff}[request.param]


def test_another_learner_status_post_changes_only_their_own_row(client, owner, intruder, milestone):
    rows = owner_rows(owner)
    owner_events = ProgressEvent.objects.filter(learner=owner).count()
    client.force_login(intruder)

    client.post(status_url(milestone), {"status": "not_started"})
    client.post(status_url(milestone), {"status": "in_progress"})

    assert owner_rows(owner) == rows
    assert ProgressEvent.objects.filter(learner=owner).count() == owner_events
    mine = Progress.objects.get(learner=intruder, milestone=milestone)
    assert mine.status == ProgressStatus.IN_PROGRESS


def test_another_learner_notes_post_changes_only_their_own_row(client, owner, intruder, milestone):
    rows = owner_rows(owner)
    client.force_login(intruder)

    client.post(notes_url(milestone), {"note": "defaced", "evidence_url": ""})

    assert owner_rows(owner) == rows
    assert Progress.objects.get(learner=intruder, milestone=milestone).note == "defaced"


def test_another_learner_never_sees_the_owners_note_or_status(client, owner, intruder, milestone):
    client.force_login(intruder)

    milestone_page = client.get(milestone.get_absolute_url()).content.decode()
    dashboard = client.get(reverse("tracker:dashboard"))

    assert SECRET_NOTE not in milestone_page
    assert "github.com/owner/secret" not in milestone_page
    assert dashboard.context["overall"].done == 0
    assert dashboard.context["is_new"] is True


def test_the_json_export_holds_only_the_requesters_data(client, owner, intruder, m):
    progress_set_status(learner=intruder, milestone=m[5], status=ProgressStatus.IN_PROGRESS)
    client.force_login(intruder)

    data = json.loads(client.get(reverse("tracker:export_json")).content)

    assert data["account"]["username"] == intruder.username
    assert [row["milestone"] for row in data["progress"]] == ["milestone-5"]
    assert [event["milestone"] for event in data["history"]] == ["milestone-5"]
    assert SECRET_NOTE not in json.dumps(data)
    assert owner.email not in json.dumps(data)


def test_the_csv_export_holds_only_the_requesters_data(client, owner, intruder, m):
    progress_set_status(learner=intruder, milestone=m[5], status=ProgressStatus.DONE)
    client.force_login(intruder)

    body = client.get(reverse("tracker:export_csv")).content.decode()

    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["milestone"] for row in rows] == ["milestone-5"]
    assert SECRET_NOTE not in body


def test_deleting_an_account_deletes_only_the_requesters(client, owner, intruder):
    client.force_login(intruder)
    rows = owner_rows(owner)

    response = client.post(reverse("tracker:delete_account"), {"password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert not User.objects.filter(pk=intruder.pk).exists()
    assert owner_rows(owner) == rows


def test_settings_post_changes_only_the_requesters_profile(client, owner, intruder):
    client.force_login(intruder)

    client.post(
        reverse("tracker:settings"),
        {"display_name": "Intruder", "region": "", "public_profile": "on"},
    )

    owner.profile.refresh_from_db()
    assert owner.profile.display_name == ""
    assert owner.profile.public_profile is False
    assert Profile.objects.get(user=intruder).display_name == "Intruder"


def test_staff_see_their_own_dashboard_not_the_learners(client, owner, staff):
    client.force_login(staff)

    response = client.get(reverse("tracker:dashboard"))

    assert response.context["user"] == staff
    assert response.context["overall"].done == 0


# --- public profile and badge ------------------------------------------------------------


def without_tokens(response) -> str:
    """The page without its CSRF tokens, which are masked afresh on every response."""
    return re.sub(
        r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*',
        r"\1",
        response.content.decode(),
    )


def publish(user, public=True):
    Profile.objects.filter(user=user).update(public_profile=public, display_name="Ada")


@pytest.mark.parametrize("viewer", ["anonymous", "owner", "stranger", "staff"])
def test_a_private_profile_is_a_404_for_everyone_like_a_missing_one(
    client, owner, stranger, staff, viewer
):
    users = {"owner": owner, "stranger": stranger, "staff": staff}
    if viewer in users:
        client.force_login(users[viewer])

    private = client.get(reverse("tracker:public_profile", args=[owner.username]))
    missing = client.get(reverse("tracker:public_profile", args=["nobody-here"]))
    private_badge = client.get(reverse("tracker:public_badge", args=[owner.username]))
    missing_badge = client.get(reverse("tracker:public_badge", args=["nobody-here"]))

    assert private.status_code == missing.status_code == HTTPStatus.NOT_FOUND
    assert private_badge.status_code == missing_badge.status_code == HTTPStatus.NOT_FOUND
    assert without_tokens(private) == without_tokens(missing), "a private profile looks missing"


def test_a_public_profile_shows_progress_but_never_notes(client, owner):
    publish(owner)

    response = client.get(reverse("tracker:public_profile", args=[owner.username]))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Ada's learning path" in html
    assert '<span class="stat-figure d-block">14%</span>' in html
    assert "10 of 70 hours · 1 of 6 milestones" in html
    assert ">Milestone 0</a>" in html
    assert SECRET_NOTE not in html
    assert "github.com/owner/secret" not in html
    assert 'name="status"' not in html, "read-only: no status controls"


def test_the_badge_is_an_svg_with_the_percentage(client, owner):
    publish(owner)

    response = client.get(reverse("tracker:public_badge", args=[owner.username]))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert "14% done" in svg
    assert "<title>" in svg


def test_unpublishing_hides_the_profile_again(client, owner):
    publish(owner)
    publish(owner, public=False)

    response = client.get(reverse("tracker:public_profile", args=[owner.username]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_deactivated_users_public_profile_is_hidden(client, owner):
    publish(owner)
    User.objects.filter(pk=owner.pk).update(is_active=False)

    response = client.get(reverse("tracker:public_profile", args=[owner.username]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_an_account_made_outside_sign_up_works_without_a_profile(client, guide, milestone):
    """Accounts made with createsuperuser or in the admin have no profile row at first."""
    admin = User.objects.create_user("made-by-admin", "made@example.com", PASSWORD, is_staff=True)
    client.force_login(admin)

    for name in ["tracker:dashboard", "tracker:settings", "tracker:export_json"]:
        assert client.get(reverse(name)).status_code == HTTPStatus.OK, name
    client.post(status_url(milestone), {"status": "done"})

    assert Progress.objects.get(learner=admin, milestone=milestone).status == ProgressStatus.DONE
    assert Profile.objects.filter(user=admin).exists()
