"""Every URL the project serves has an entry in the access matrix, and none of them
answers a malformed path value with anything but a 404."""

import re
from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

pytestmark = pytest.mark.django_db

PUBLIC, LOGIN, POST_ONLY, NOT_FOUND, REDIRECT = "public", "login", "post-only", "404", "redirect"
MILESTONE_ARGS = {"guide_slug": "ml-engineer", "milestone_slug": "python-fundamentals"}

# route name -> (sample path arguments, anonymous GET, logged-in stranger GET)
ACCESS_MATRIX = {
    "tracker:landing": ({}, PUBLIC, PUBLIC),
    "tracker:healthz": ({}, PUBLIC, PUBLIC),
    "tracker:guides": ({}, PUBLIC, PUBLIC),
    "tracker:guide": ({"guide_slug": "ml-engineer"}, PUBLIC, PUBLIC),
    "tracker:guide_map": ({"guide_slug": "ml-engineer"}, PUBLIC, PUBLIC),
    "tracker:milestone": (MILESTONE_ARGS, PUBLIC, PUBLIC),
    "tracker:progress_status": (MILESTONE_ARGS, LOGIN, POST_ONLY),
    "tracker:progress_notes": (MILESTONE_ARGS, LOGIN, POST_ONLY),
    "tracker:request_review": (MILESTONE_ARGS, LOGIN, POST_ONLY),
    "tracker:dashboard": ({}, LOGIN, PUBLIC),
    "tracker:settings": ({}, LOGIN, PUBLIC),
    "tracker:onboarding": ({}, LOGIN, PUBLIC),
    "tracker:export_json": ({}, LOGIN, PUBLIC),
    "tracker:export_csv": ({}, LOGIN, PUBLIC),
    "tracker:delete_account": ({}, LOGIN, POST_ONLY),
    "tracker:reminders": ({}, LOGIN, POST_ONLY),
    "tracker:calendar_reset": ({}, LOGIN, POST_ONLY),
    # By their secret only: a made-up token or signature is a 404 for anyone, logged in or not.
    "tracker:calendar_feed": ({"token": "x" * 43}, NOT_FOUND, NOT_FOUND),
    "tracker:unsubscribe": (
        {"token": "eyJ1IjoxLCJrIjoid2Vla2x5X2RpZ2VzdCJ9:bad"},
        NOT_FOUND,
        NOT_FOUND,
    ),
    "tracker:mentoring": ({}, LOGIN, PUBLIC),
    "tracker:invite": ({}, LOGIN, POST_ONLY),
    "tracker:respond": ({"mentorship_id": 1}, LOGIN, POST_ONLY),
    "tracker:end_mentorship": ({"mentorship_id": 1}, LOGIN, POST_ONLY),
    "tracker:decide_review": ({"review_id": 1}, LOGIN, POST_ONLY),
    "tracker:thread_post": (MILESTONE_ARGS, LOGIN, POST_ONLY),
    "tracker:thread": ({"thread_id": 1}, LOGIN, NOT_FOUND),
    "tracker:mentee": ({"username": "owner"}, LOGIN, NOT_FOUND),
    # By its signature only: a token CareerPath did not sign names nothing, for anyone.
    "tracker:invitation": ({"token": "not-a-signed-link"}, NOT_FOUND, NOT_FOUND),
    "tracker:public_profile": ({"username": "owner"}, NOT_FOUND, NOT_FOUND),
    "tracker:public_badge": ({"username": "owner"}, NOT_FOUND, NOT_FOUND),
    "signup": ({}, PUBLIC, REDIRECT),
    "login": ({}, PUBLIC, PUBLIC),
    "logout": ({}, POST_ONLY, POST_ONLY),
    "password_change": ({}, LOGIN, PUBLIC),
    "password_change_done": ({}, LOGIN, PUBLIC),
    "password_reset": ({}, PUBLIC, PUBLIC),
    "password_reset_done": ({}, PUBLIC, PUBLIC),
    "password_reset_confirm": ({"uidb64": "MQ", "token": "set-password"}, PUBLIC, PUBLIC),
    "password_reset_complete": ({}, PUBLIC, PUBLIC),
    "favicon": ({}, REDIRECT, REDIRECT),
}
MALFORMED = ["%00", "..%2F..%2Fetc", "x" * 300, quote("💥"), "-1", "0", "a%20b", "%27%3B--"]


def project_routes():
    """(name, pattern) for every URL outside the admin, named as reverse() knows them."""

    def walk(resolver, namespace, prefix):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                inner = entry.namespace or namespace
                yield from walk(entry, inner, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield name, prefix + str(entry.pattern)

    return list(walk(get_resolver(), "", ""))


def test_every_url_has_an_entry_in_the_access_matrix():
    names = {name for name, _ in project_routes()}
    missing = sorted(str(name) for name in names - set(ACCESS_MATRIX))
    assert not missing, f"URLs without an access-matrix entry: {missing}"
    assert None not in names, "every URL pattern needs a name"


def _expected(response, kind):
    if kind == PUBLIC:
        return response.status_code == HTTPStatus.OK
    if kind == LOGIN:
        return (
            response.status_code == HTTPStatus.FOUND and "/accounts/login/" in response["Location"]
        )
    if kind == POST_ONLY:
        return response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    if kind == NOT_FOUND:
        return response.status_code == HTTPStatus.NOT_FOUND
    return response.status_code in (HTTPStatus.FOUND, HTTPStatus.MOVED_PERMANENTLY)


@pytest.mark.parametrize("name", sorted(ACCESS_MATRIX))
def test_access_matrix_holds_for_anonymous_and_strangers(client, ml_guide, make_user, name):
    owner = make_user("owner")  # a private learner: strangers must not see their pages
    kwargs, anonymous, stranger = ACCESS_MATRIX[name]
    url = reverse(name, kwargs=kwargs)
    assert _expected(client.get(url), anonymous), (name, "anonymous")
    client.force_login(make_user("someone-else"))
    assert _expected(client.get(url), stranger), (name, "stranger")
    if name.startswith("tracker:") and kwargs.get("username") == owner.username:
        assert owner.get_username().encode() not in client.get(url).content


@pytest.mark.parametrize("value", MALFORMED)
def test_malformed_path_values_answer_404_never_500(client, ml_guide, make_user, value):
    client.force_login(make_user())
    for name, pattern in project_routes():
        if "<" not in pattern:
            continue
        path = "/" + pattern
        while "<" in path:
            start = path.index("<")
            path = path[:start] + value + path[path.index(">", start) + 1 :]
        response = client.get(path)
        if name == "password_reset_confirm" and response.status_code == HTTPStatus.OK:
            # Django answers a bad reset link with the "link has expired" page.
            assert b"This link has expired" in response.content
            continue
        assert response.status_code in (
            HTTPStatus.NOT_FOUND,
            HTTPStatus.METHOD_NOT_ALLOWED,
        ), (name, path, response.status_code)


def test_the_benchmarks_baseline_is_served_only_by_the_benchmarks_urls(client, db):
    """The yardstick view (bench/views.py) is never part of the production URLconf."""
    assert client.get("/bench/fortunes/").status_code == HTTPStatus.NOT_FOUND
    with pytest.raises(Resolver404):
        resolve("/bench/fortunes/")
    assert resolve("/bench/fortunes/", urlconf="bench.urls").url_name == "baseline"


def test_the_guide_map_shows_each_learner_their_own_statuses_only(
    client, ml_guide, make_user, complete
):
    """The map is public, but the statuses on it are the reader's own: never the owner's
    to a stranger, and none at all to a visitor."""
    owner = make_user("owner")
    milestones = list(ml_guide.milestones.filter(archived=False).order_by("pk"))
    complete(owner, milestones[:3])
    complete(owner, milestones[3:5], status="in_progress")
    url = reverse("tracker:guide_map", kwargs={"guide_slug": "ml-engineer"})

    def node_classes(html: str) -> list[str]:
        return re.findall(r'<a class="map-node (map-node-\w+)"', html)

    visitor = client.get(url).content.decode()
    assert node_classes(visitor) == ["map-node-plain"] * len(milestones)
    assert "Not started" not in visitor

    client.force_login(make_user("someone-else"))
    stranger = client.get(url).content.decode()
    assert node_classes(stranger) == ["map-node-not_started"] * len(milestones)
    drawn = stranger[stranger.index('<svg class="guide-map"') :]  # the map and its list
    for status in ("Done", "In progress"):
        assert f">{status}<" not in drawn
        assert f"</svg>{status}</span>" not in drawn

    client.force_login(owner)
    own = node_classes(client.get(url).content.decode())
    assert own.count("map-node-done") == 3
    assert own.count("map-node-in_progress") == 2
