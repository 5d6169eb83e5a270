"""Backup and restore as the README documents it: dump -> empty database -> load."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tracker.models import Progress, ProgressEvent, ReviewRequest, Session

pytestmark = pytest.mark.django_db(transaction=True)

BACKUP_EXCLUDES = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "tracker.session",
    "admin.logentry",
    "axes",
]


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"tracker", "auth"} and model is not Session
    }


def dashboard_html(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("tracker:dashboard"))
    assert response.status_code == HTTPStatus.OK
    # The CSRF token is new on every request; everything else must be identical.
    return re.sub(
        r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", response.content.decode()
    )


def test_dump_then_load_into_an_empty_database_restores_everything(
    client, ml_guide, make_user, make_mentorship, complete, tmp_path
):
    learner, mentor = make_user("backup-learner"), make_user("backup-mentor")
    mentorship = make_mentorship(mentor, learner)
    milestones = list(ml_guide.milestones.order_by("pk")[:6])
    complete(learner, milestones[:4])
    complete(learner, milestones[4:], status="in_progress")
    ReviewRequest.objects.create(
        progress=Progress.objects.get(learner=learner, milestone=milestones[0]),
        mentorship=mentorship,
    )
    # Times a few days back, so that "3 days ago" reads the same before and after.
    days_ago = timezone.now() - datetime.timedelta(days=3)
    Progress.objects.update(updated_at=days_ago)
    ProgressEvent.objects.update(created_at=days_ago)
    ReviewRequest.objects.update(requested_at=days_ago)
    before_page = dashboard_html(client, learner)
    # After the visit: the dashboard records the plan it showed (issue 11's PlanSnapshot).
    before_counts = row_counts()

    backup = tmp_path / "careerpath.json"
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        *[f"--exclude={name}" for name in BACKUP_EXCLUDES],
        output=str(backup),
        verbosity=0,
    )
    call_command("flush", interactive=False, verbosity=0)
    assert Progress.objects.count() == 0
    call_command("loaddata", str(backup), verbosity=0)

    assert row_counts() == before_counts
    learner = apps.get_model("auth", "User").objects.get(username="backup-learner")
    assert dashboard_html(client, learner) == before_page
