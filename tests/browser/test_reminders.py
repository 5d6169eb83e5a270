"""Settings → Reminders and calendar on a phone without JavaScript: choose the digest, read
the calendar address, make a new one, and unsubscribe from a mail's link."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tracker.models import MailKind, MailPreferences
from tracker.signed_links import unsubscribe_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_learner_sets_reminders_and_resets_the_calendar_on_a_phone(
    browser: Browser, live_server, log_in, ml_guide, make_user
):
    make_user("ada")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "ada")
    page.goto(f"{live_server.url}/settings/")

    section = page.locator(
        "section", has=page.get_by_role("heading", name="Reminders and calendar")
    )
    section.get_by_label("Send me a weekly digest").check()
    section.get_by_label("Day").select_option(label="Friday")
    section.get_by_label("Hour").select_option(label="18:00")
    section.get_by_label("Remind me when I pause").select_option(
        label="After a week without progress"
    )
    page.screenshot(path="/tmp/11b-settings-phone.png", full_page=True)
    section.get_by_role("button", name="Save reminders").click()

    expect(page.get_by_text("Your weekly digest comes on Fridays at 18:00")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the settings page scrolls sideways on a phone"
    old = page.get_by_label(re.compile("Your calendar address")).input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/calendar/[\w-]{{43}}\.ics", old)

    page.get_by_role("button", name=re.compile("Make a new address")).click()
    expect(page.get_by_text("the old one no longer works")).to_be_visible()
    new = page.get_by_label(re.compile("Your calendar address")).input_value()
    assert new != old
    assert page.request.get(old).status == 404
    assert page.request.get(new).headers["content-type"] == "text/calendar; charset=utf-8"

    preferences = MailPreferences.objects.get(user__username="ada")
    path = unsubscribe_url(user_id=preferences.user_id, kind=MailKind.WEEKLY_DIGEST)
    page.goto(path.replace("http://testserver", live_server.url))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    preferences.refresh_from_db()
    assert not preferences.weekly_digest
    assert preferences.inactivity_days == 7
    context.close()
