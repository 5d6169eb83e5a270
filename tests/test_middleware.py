"""tracker.middleware: what a page shown to a logged-in person tells caches.

A page a logged-in person sees holds their data (their progress, their notes, their
mentees, or at least their name and a CSRF token): no cache may keep it, neither a shared
one (a proxy, a CDN) nor the browser's disk.
"""

from http import HTTPStatus

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils.cache import patch_cache_control

from tracker.middleware import PrivatePagesMiddleware
from tracker.models import Profile

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"


@pytest.fixture
def mentee(make_user, mentor, make_mentorship):
    mentee = make_user("mentee")
    make_mentorship(mentor, mentee)
    return mentee


@pytest.mark.parametrize(
    ("url", "user"),
    [
        (reverse("tracker:dashboard"), "learner"),
        (reverse("tracker:settings"), "learner"),
        (reverse("tracker:export_json"), "learner"),
        (reverse("tracker:export_csv"), "learner"),
        (reverse("tracker:mentoring"), "mentor"),
        (reverse("tracker:mentee", args=["mentee"]), "mentor"),
        (reverse("tracker:mentoring"), "mentee"),
        (reverse("tracker:guide", args=["test-guide"]), "learner"),
        (reverse("tracker:landing"), "learner"),
    ],
    ids=[
        "dashboard",
        "settings",
        "export-json",
        "export-csv",
        "mentoring",
        "mentee-page",
        "mentoring-as-mentee",
        "guide-page",
        "landing",
    ],
)
def test_every_page_a_logged_in_person_sees_is_private_and_not_stored(
    client, guide, learner, mentor, mentee, url, user
):
    client.force_login({"learner": learner, "mentor": mentor, "mentee": mentee}[user])

    response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"] == PRIVATE


def test_a_redirect_after_a_logged_in_write_is_private_too(logged_in, milestone):
    response = logged_in.post(
        reverse("tracker:progress_status", args=["test-guide", "milestone-0"]), {"status": "done"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Cache-Control"] == PRIVATE


@pytest.mark.parametrize(
    "url",
    [
        reverse("tracker:landing"),
        reverse("tracker:guides"),
        reverse("tracker:guide", args=["test-guide"]),
    ],
)
def test_pages_for_visitors_are_unchanged(client, guide, url):
    response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    assert not response.has_header("Cache-Control")


@pytest.mark.parametrize("logged_in_as", [None, "learner"])
def test_the_public_badge_keeps_its_own_cache_rule(client, learner, guide, logged_in_as):
    Profile.objects.filter(user=learner).update(public_profile=True)
    if logged_in_as:
        client.force_login(learner)

    response = client.get(reverse("tracker:public_badge", args=["learner"]))

    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_cache_rule_the_view_set_is_kept(learner):
    def view(request):
        response = HttpResponse("shared")
        patch_cache_control(response, public=True, max_age=60)
        return response

    request = RequestFactory().get("/")
    request.user = learner

    response = PrivatePagesMiddleware(view)(request)

    assert response["Cache-Control"] == "public, max-age=60"
