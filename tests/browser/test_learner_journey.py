"""A learner's journey: sign up, track milestones in place with JavaScript, and without it."""

import re

import pytest
from playwright.sync_api import Page, expect

from tracker.models import Progress

from .conftest import GUIDE_PATH, field, milestone_path, section

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def set_reload_marker(page: Page) -> None:
    """A full page load wipes this; an in-place update keeps it."""
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of updated"


def test_sign_up_and_update_progress_in_place(page: Page, live_server, ml_guide):
    page.goto(live_server.url + "/accounts/signup/")
    field(page, "Username").fill("newlearner")
    field(page, "Email").fill("newlearner@example.com")
    field(page, "Password").fill("a-long-test-password-42")
    field(page, "Password confirmation").fill("a-long-test-password-42")
    page.get_by_role("button", name="Sign up").click()

    expect(page).to_have_url(live_server.url + "/settings/plan/")
    page.get_by_role("link", name="Skip for now").click()
    expect(page).to_have_url(live_server.url + "/dashboard/")
    # Welcomed by the dashboard itself (issue 13 dropped the flash message).
    expect(page.locator("#path-heading")).to_contain_text("Your plan is ready.")

    # The first "Next up" milestone, marked in progress without a reload.
    next_up = section(page, "Next up")
    first = next_up.locator("li.milestone-item").first
    title = first.get_by_role("link").first.inner_text().strip()
    expect(first).to_contain_text("Not started")
    set_reload_marker(page)
    page.get_by_role("button", name=f"Mark {title} as in progress").click()

    item = next_up.locator("li.milestone-item", has=page.get_by_role("link", name=title))
    expect(item.locator(".status-badge")).to_have_text("In progress")
    expect(page.get_by_role("button", name=f"Mark {title} as in progress")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_not_reloaded(page)

    # On the guide, marking a milestone done updates "Your progress" in place.
    page.goto(live_server.url + GUIDE_PATH)
    summary = page.locator("#progress-summary")
    expect(summary.get_by_role("heading", name="Your progress")).to_be_visible()
    percent = summary.locator("strong").first
    expect(percent).to_have_text("0%")
    set_reload_marker(page)
    page.get_by_role("button", name="Mark Python fundamentals as done").click()

    expect(percent).not_to_have_text("0%")
    expect(percent).to_have_text(re.compile(r"^[1-9]\d*%$"))
    expect(summary).to_contain_text("1 of")
    expect(page.locator("#m-python-fundamentals .status-badge")).to_have_text("Done")
    assert_not_reloaded(page)


def test_without_javascript_status_and_notes_work_with_a_reload(
    new_context, live_server, ml_guide, make_user, log_in
):
    learner = make_user("nojs")
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "nojs")
    page.goto(live_server.url + milestone_path("python-fundamentals"))
    status = page.locator("#milestone-status")
    expect(status.locator(".status-badge")).to_have_text("Not started")

    page.get_by_role("button", name="Mark Python fundamentals as done").click()

    # Back at the status just changed, not at the top of the page.
    expect(page).to_have_url(
        live_server.url + milestone_path("python-fundamentals") + "#milestone-status"
    )
    expect(status.locator(".status-badge")).to_have_text("Done")
    expect(page.get_by_role("status")).to_contain_text(
        "“Python fundamentals” is now marked as done."
    )

    # An unsafe evidence link is refused, and the note typed is kept.
    note = "Finished the official tutorial, chapters 1 to 9."
    field(page, "Private note").fill(note)
    field(page, "Evidence link").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save notes").click()

    expect(page.get_by_role("alert")).to_contain_text("Your notes were not saved")
    error = page.get_by_text("Enter a web address that starts with http:// or https://.")
    expect(error).to_have_count(1)
    expect(error).to_be_visible()
    expect(field(page, "Private note")).to_have_value(note)
    progress = Progress.objects.get(learner=learner, milestone__slug="python-fundamentals")
    assert (progress.note, progress.evidence_url) == ("", "")

    field(page, "Evidence link").fill("https://github.com/nojs/python-exercises")
    page.get_by_role("button", name="Save notes").click()

    expect(page).to_have_url(live_server.url + milestone_path("python-fundamentals"))
    expect(page.get_by_role("status")).to_contain_text("Your notes are saved.")
    expect(field(page, "Private note")).to_have_value(note)
    expect(field(page, "Evidence link")).to_have_value("https://github.com/nojs/python-exercises")
