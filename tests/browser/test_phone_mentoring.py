"""The mentor's table of mentees on a phone (390 px): a list of cards in which every
mentee's "Waiting" figure, the one the list is sorted by, is on screen."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import PASSWORD
from tracker.models import Milestone
from tracker.services.mentoring import review_request

from .conftest import field

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def mentor_with_mentees(ml_guide, make_user, make_mentorship, complete):
    """A mentor with four mentees under long names, three of them waiting for a review."""
    mentor = make_user("phone-mentor")
    milestone = Milestone.objects.filter(pillar__guide=ml_guide).order_by("pillar__order").first()
    for n in range(4):
        mentee = make_user(f"a-rather-long-mentee-username-{n}")
        mentorship = make_mentorship(mentor, mentee)
        if n < 3:
            complete(mentee, [milestone])
            review_request(mentee=mentee, milestone=milestone, mentorship=mentorship, message="")
    return mentor


def test_every_waiting_figure_is_within_the_phone_screen(
    browser: Browser, live_server, mentor_with_mentees
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    field(page, "Username").fill(mentor_with_mentees.username)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/mentoring/")

    cells = page.locator(".table-mentees td.mentee-waiting")
    expect(cells).to_have_count(4)
    for index in range(4):
        cell = cells.nth(index)
        expect(cell).to_be_visible()
        expect(cell).to_have_text(re.compile(r"^\s*(1 · oldest asked today|none)\s*$"))
        expect(cell).to_have_accessible_name(re.compile(r"^Waiting"))
        box = cell.bounding_box()
        assert box is not None, index
        assert box["x"] >= 0, (index, box)
        assert box["x"] + box["width"] <= PHONE["width"], (index, box)
    region = page.get_by_role("region", name="Table of your mentees")
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth"), "the cards scroll sideways"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
