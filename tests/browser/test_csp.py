"""The strict Content Security Policy holds on every main page: nothing is blocked."""

import pytest
from playwright.sync_api import Page, expect

from tracker.models import Milestone, Profile
from tracker.services.mentoring import review_request

from .conftest import GUIDE_PATH, milestone_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`
  );
});
"""

PUBLIC_PAGES = [
    "/",
    GUIDE_PATH,
    milestone_path("python-fundamentals"),
    "/accounts/login/",
    "/accounts/signup/",
    "/u/lena/",
    "/this-page-does-not-exist/",
]
LOGGED_IN_PAGES = [
    *PUBLIC_PAGES,
    "/dashboard/",
    "/settings/",
    "/mentoring/",
    "/mentoring/mentees/lena/",
]


@pytest.fixture
def people(make_user, make_mentorship, complete, ml_guide):
    """Lena, with a public profile and a done milestone waiting for Marco's review."""
    lena, marco = make_user("lena"), make_user("marco")
    Profile.objects.filter(user=lena).update(public_profile=True)
    mentorship = make_mentorship(marco, lena)
    milestone = Milestone.objects.get(pillar__guide=ml_guide, slug="python-fundamentals")
    complete(lena, [milestone])
    review_request(mentee=lena, milestone=milestone, mentorship=mentorship, message="Please look.")
    return lena, marco


class CspWatch:
    """Every CSP violation in a page: its own events, and the browser's console reports."""

    def __init__(self, page: Page):
        self.page = page
        self.found: list[str] = []
        page.on("console", self._console)
        page.add_init_script(RECORD_VIOLATIONS)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(f"console: {message.text}")

    def collect(self, where: str) -> None:
        self.found += [f"{where}: {v}" for v in self.page.evaluate("window.__cspViolations")]

    def visit(self, base_url: str, paths: list[str]) -> None:
        for path in paths:
            response = self.page.goto(base_url + path)
            assert response.status == (404 if "does-not-exist" in path else 200), path
            expect(self.page.get_by_role("heading", level=1)).to_be_visible()
            self.page.wait_for_load_state("load")
            self.collect(path)


def test_the_landing_page_sends_a_strict_policy(page: Page, live_server, ml_guide):
    response = page.goto(live_server.url + "/")
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_watch_sees_a_blocked_inline_script(page: Page, live_server, ml_guide):
    """Guards the tests below: an empty list must mean "nothing blocked", not "not listening"."""
    watch = CspWatch(page)
    page.goto(live_server.url + "/")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.__inlineRan = true";
                document.head.append(script);
            }"""
        )
    # Polled with evaluate(), which the page's CSP does not govern; a string predicate
    # for wait_for_function() would be eval'd in the page and blocked.
    for _ in range(50):
        if page.evaluate("window.__cspViolations.length") == 1:
            break
        page.wait_for_timeout(100)
    watch.collect("/")

    assert page.evaluate("window.__inlineRan") is None
    assert len(watch.found) == 2, watch.found
    assert all("script-src" in violation for violation in watch.found), watch.found


def test_no_violation_when_logged_out(page: Page, live_server, people):
    watch = CspWatch(page)
    watch.visit(live_server.url, PUBLIC_PAGES)
    assert watch.found == []


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        ("marco", LOGGED_IN_PAGES),
        ("lena", ["/dashboard/", milestone_path("python-fundamentals"), "/mentoring/"]),
    ],
)
def test_no_violation_when_logged_in(page: Page, live_server, people, log_in, username, paths):
    log_in(page, username)
    watch = CspWatch(page)
    watch.visit(live_server.url, paths)

    # An in-place update (htmx swap) must not trip the policy either.
    page.goto(live_server.url + GUIDE_PATH)
    page.get_by_role("button", name="Mark Command line basics as in progress").click()
    expect(page.locator("#m-command-line-basics .status-badge")).to_have_text("In progress")
    watch.collect("after an in-place update on the guide")

    assert watch.found == []
