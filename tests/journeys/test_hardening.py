"""Production hardening: security headers, cookies, friendly error pages, health check."""

import json
import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

BASE_DIR = Path(django_settings.BASE_DIR)
DATABASE_CURSOR = "django.db.backends.base.base.BaseDatabaseWrapper.cursor"
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "production-secret-key-for-tests-only-9f8e7d6c5b4a",
    "ALLOWED_HOSTS": "careerpath.example",
    "SITE_URL": "https://careerpath.example",
}

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
response = Client().get("/accounts/login/", secure=True, HTTP_HOST="careerpath.example")
print(json.dumps({
    "status": response.status_code,
    "body": response.content.decode(),
    "headers": dict(response.headers),
    "cookies": {name: dict(morsel) for name, morsel in response.cookies.items()},
    "session_cookie": [settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE,
                       settings.SESSION_COOKIE_HTTPONLY],
}))
"""


@pytest.fixture(scope="module")
def production_response(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    database = folder / "probe.sqlite3"
    env = {
        "STATIC_ROOT": str(folder / "static"),
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "careerpath.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    probe["static_root"] = folder / "static"
    return probe


def test_production_sends_the_security_headers(production_response):
    headers = production_response["headers"]
    assert production_response["status"] == HTTPStatus.OK
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_production_serves_compressed_static_files_with_hashed_names(production_response):
    body = production_response["body"]
    hashed = [part for part in body.split('"') if part.startswith("/static/css/app.")]
    assert hashed, "the stylesheet link should point at a hashed file name"
    assert hashed[0] != "/static/css/app.css"
    name = hashed[0].removeprefix("/static/")
    assert (production_response["static_root"] / (name + ".gz")).exists()


def test_production_cookies_are_secure_host_cookies(production_response):
    csrf = production_response["cookies"]["__Host-csrftoken"]
    assert csrf["secure"] is True
    assert csrf["path"] == "/"
    assert production_response["session_cookie"] == ["__Host-sessionid", True, True]


def test_every_page_is_served_with_an_enforced_csp(client, db):
    response = client.get(reverse("tracker:landing"))
    assert "Content-Security-Policy" in response.headers
    assert "Content-Security-Policy-Report-Only" not in response.headers


def test_a_missing_page_gets_the_friendly_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"We could not find that page" in response.content


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("tracker.views.public.guide_get_for_landing", RuntimeError("boom")),
        (DATABASE_CURSOR, OperationalError("connection refused")),
    ],
    ids=["a-view-fails", "the-database-is-down"],
)
def test_an_error_shows_the_500_page_not_a_stack_trace(db, target, error):
    client = Client(raise_request_exception=False)
    with mock.patch(target, side_effect=error):
        response = client.get(reverse("tracker:landing"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert b"Something went wrong on our side" in response.content
    assert b"Traceback" not in response.content
    assert str(error).encode() not in response.content


def test_a_form_without_csrf_token_gets_the_friendly_403(db, make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post(reverse("tracker:invite"), {"identifier": "someone"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert b"This form has expired" in response.content


def test_healthz_answers_503_when_the_database_is_down(client, db):
    with mock.patch(DATABASE_CURSOR, side_effect=OperationalError("connection refused")):
        response = client.get(reverse("tracker:healthz"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"status": "error", "database": "unavailable"}
