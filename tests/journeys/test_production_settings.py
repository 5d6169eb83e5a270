"""Production settings: ``check --deploy`` is clean, and missing secrets stop the start-up.

Each case runs ``manage.py`` in a fresh interpreter with only the environment given here,
as a server would start, so nothing from the test run (pytest, DEBUG, a test database)
leaks into the settings being checked.
"""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings


def fresh_python(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Python in a new interpreter, in the project's folder, with exactly ``env``."""
    return subprocess.run(
        [sys.executable, *argv],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        name: value
        for name, value in os.environ.items()
        if name in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}
    }
    return fresh_python("manage.py", *args, env={**base, **env})


def production(**overrides: str) -> dict[str, str]:
    env = {
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.com",
        "SITE_URL": "https://example.com",
        # Password resets need real mail: production names its SMTP server.
        "EMAIL_HOST": "smtp.example.com",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def test_deploy_checks_pass_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("name", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"])
def test_production_without_a_required_setting_refuses_to_start(name):
    env = production()
    del env[name]

    result = manage("check", "--deploy", **env)

    assert result.returncode != 0
    assert name in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_deploy_checks_report_production_without_a_mail_server():
    env = production()
    del env["EMAIL_HOST"]

    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    assert "mail.E001" in result.stderr


def test_a_weak_secret_key_is_reported_by_the_deploy_checks():
    """The check is real: a short key makes it fail, so a clean run above means something."""
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **production(SECRET_KEY="too-short")
    )

    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_production_settings_are_secure():
    """The settings a browser and a proxy depend on, read from a production interpreter."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS,"
        " s.ALLOWED_HOSTS, s.STORAGES['staticfiles']['BACKEND'].startswith('whitenoise'))"
    )
    env = {**production(), "DJANGO_SETTINGS_MODULE": "careerpath.settings"}
    base = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    result = fresh_python("-c", code, env={**base, **env})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "True",
        "True",
        "DENY",
        "['example.com']",
        "True",
    ]
