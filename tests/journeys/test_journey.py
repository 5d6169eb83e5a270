"""The learner's whole journey through the product, in one story: sign up, tick off the
foundations, watch the dashboard's figures and career stage change, export, delete."""

import json
from http import HTTPStatus

from django.contrib.auth import get_user_model
from django.urls import reverse

from tracker.models import Level, Progress, ProgressEvent


def test_sign_up_tick_stage_export_delete(client, ml_guide):
    response = client.post(
        reverse("signup"),
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": "a-long-journey-password-7",
            "password2": "a-long-journey-password-7",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("tracker:onboarding")
    response = client.get(reverse("tracker:dashboard"))  # "Skip for now"
    assert "Your plan is ready" in response.content.decode()
    assert response.context["standing"].current.name == "Getting started"

    foundations = list(ml_guide.milestones.filter(level=Level.FOUNDATION, archived=False))
    total = ml_guide.milestones.filter(archived=False).count()
    for milestone in foundations:
        response = client.post(
            reverse("tracker:progress_status", args=[ml_guide.slug, milestone.slug]),
            {"status": "done", "next": reverse("tracker:dashboard")},
        )
        assert response.status_code == HTTPStatus.FOUND

    dashboard = client.get(reverse("tracker:dashboard"))
    overall = dashboard.context["overall"]
    assert (overall.done, overall.total) == (len(foundations), total)
    assert overall.done_hours == sum(m.estimated_hours for m in foundations)
    standing = dashboard.context["standing"]
    assert standing.current.name == "Entry-level ready"
    assert standing.next.name == "Mid-level ready"
    assert standing.current_band.low == 75_000
    # The guide gives no figure for mid-level; its tech-hub average is about a place, so it
    # is shown as such, never as the mid-level salary.
    assert standing.next_band is None
    assert [band.display_label for band in standing.place_figures] == ["Tech-hub average"]
    page = dashboard.content.decode()
    assert "Entry-level ready" in page
    assert "$182,000\u2013$194,000" in page
    assert f"{len(foundations)} of {total} milestones" in page

    exported = json.loads(client.get(reverse("tracker:export_json")).content)
    assert {row["milestone"] for row in exported["progress"]} == {m.slug for m in foundations}
    assert len(exported["history"]) == len(foundations)

    response = client.post(
        reverse("tracker:delete_account"), {"password": "a-long-journey-password-7"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert Progress.objects.count() == 0
    assert ProgressEvent.objects.count() == 0
    assert client.get(reverse("tracker:dashboard")).status_code == HTTPStatus.FOUND
