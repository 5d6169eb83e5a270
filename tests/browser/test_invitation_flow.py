"""Someone new follows the link of an invitation mail, signs up and accepts in one step,
and lands on their Mentoring page with their first mentee; with JavaScript or without."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import PASSWORD
from tracker.rules.invitation_links import make_token
from tracker.services.mentoring import mentorship_invite

from .conftest import field

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_newcomer_signs_up_and_accepts_through_the_link(
    browser: Browser, live_server, ml_guide, learner, javascript
):
    invitation = mentorship_invite(mentee=learner, identifier="Grace@Example.com")
    token = make_token(mentorship_id=invitation.pk, address=invitation.invited_as)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/invitations/{token}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("learner asks you to be their mentor")
    expect(field(page, "Email")).to_have_value("Grace@Example.com")
    field(page, "Username").fill("grace")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up and accept").click()

    expect(page).to_have_url(re.compile(r"/mentoring/$"))
    expect(page.get_by_text("You are now learner's mentor.")).to_be_visible()
    expect(page.get_by_role("link", name="learner")).to_be_visible()
    page.goto(f"{live_server.url}/invitations/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This invitation has already been answered"
    )
    context.close()
