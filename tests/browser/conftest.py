"""Helpers shared by the browser tests: logging in through the real form, page addresses."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

GUIDE_PATH = "/guides/ml-engineer/"


def milestone_path(slug: str) -> str:
    return f"{GUIDE_PATH}{slug}/"


def field(page: Page, label: str):
    """A form field by its exact label; crispy-forms adds "*" to required ones."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def section(page: Page, heading: str):
    """The <section> that a heading names, e.g. "Next up" or "Review queue"."""
    return page.locator("section", has=page.get_by_role("heading", name=heading))


def settled(page: Page) -> None:
    """Wait until htmx has settled what it swapped in. It binds the new content's forms
    only then (after its settle delay, 20 ms): a key pressed on them before that posts
    the form without htmx, as a browser without JavaScript would, and reloads the page."""
    expect(page.locator(".htmx-swapping, .htmx-settling")).to_have_count(0)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 takes about a second a hash here; browser tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def log_in(live_server):
    """Log a person in through the login form and wait for where they land: their
    dashboard, or the mentoring page for a person with active mentees (issue 12)."""

    def do(page: Page, username: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        field(page, "Username").fill(username)
        field(page, "Password").fill(password)
        page.get_by_role("button", name="Log in", exact=True).click()
        expect(page).to_have_url(re.compile(r"/(dashboard|mentoring)/$"))

    return do
