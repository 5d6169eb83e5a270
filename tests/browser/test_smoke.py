"""A visitor finds the guide from the landing page, and small screens do not scroll sideways."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import GUIDE_PATH, milestone_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PILLARS = [
    "Core Programming Proficiency",
    "Mathematics and Statistics",
    "MLOps and Infrastructure",
    "Projects and Portfolio",
]


def test_landing_links_to_the_guide_and_its_four_pillars(page: Page, live_server, ml_guide):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Read the whole guide").click()

    expect(page).to_have_url(live_server.url + GUIDE_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text(ml_guide.title)
    for pillar in PILLARS:
        expect(page.get_by_role("heading", name=pillar, exact=True, level=2)).to_be_visible()


def test_no_horizontal_scroll_at_375_px(page: Page, live_server, ml_guide):
    page.set_viewport_size({"width": 375, "height": 812})
    for path in ["/", GUIDE_PATH, milestone_path("python-fundamentals"), "/accounts/signup/"]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide at a 375 px viewport"
