"""The dashboard's five-second test: the first screen answers where am I, what is it worth
and what do I do next, on a phone (390 x 844) as on a desktop; a keyboard user reaches the
first action in a few presses."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tracker.models import Level, Milestone

from .conftest import section

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def learners(ml_guide, make_user, complete):
    """A learner on their first day, and one half way: every foundation done, some
    intermediate work done and one in progress."""
    milestones = list(
        Milestone.objects.filter(pillar__guide=ml_guide).order_by("pillar__order", "order")
    )
    intermediate = [m for m in milestones if m.level == Level.INTERMEDIATE]
    midway = make_user("midway")
    complete(midway, [m for m in milestones if m.level == Level.FOUNDATION] + intermediate[:3])
    complete(midway, intermediate[3:4], status="in_progress")
    return {"first-day": make_user("newbie"), "midway": midway}


@pytest.fixture
def open_dashboard(browser: Browser, live_server, log_in):
    contexts = []

    def open_(username: str, viewport: dict) -> Page:
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        log_in(page, username)
        return page

    yield open_
    for context in contexts:
        context.close()


def first_answers(page: Page) -> dict:
    """The elements that answer the three questions, as they first show."""
    standing = page.locator("section", has=page.locator("#path-heading"))
    first = section(page, "Next up").locator("li.milestone-item").first
    return {
        "overall %": standing.locator(".stat-figure", has_text="%").first,
        "career stage": page.locator("#stage-heading"),
        "salary figure": standing.locator(".salary-now", has_text="$").first,
        "first next milestone": first.get_by_role("link").first,
        "its action": first.get_by_role("button").last,
    }


def bottom(locator) -> float:
    box = locator.bounding_box(timeout=5_000)
    assert box is not None, f"{locator} is not shown"
    return box["y"] + box["height"]


@pytest.mark.parametrize("who", ["first-day", "midway"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_first_screen_answers_the_three_questions(open_dashboard, learners, who, viewport):
    page = open_dashboard(learners[who].username, viewport)

    below = {
        name: round(bottom(element))
        for name, element in first_answers(page).items()
        if bottom(element) > viewport["height"]
    }
    assert not below, f"below the first {viewport['height']} px: {below}"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_the_desktop_keeps_next_up_and_the_salary_figures_side_by_side(open_dashboard, learners):
    page = open_dashboard(learners["midway"].username, DESKTOP)

    next_up = section(page, "Next up").bounding_box()
    worth = page.locator("section", has=page.locator("#salary-heading")).bounding_box()
    assert worth["x"] > next_up["x"] + next_up["width"] - 1, "the figures are beside Next up"
    assert worth["y"] < next_up["y"] + next_up["height"]
    # Every pillar keeps its bar.
    for name in ["Core Programming Proficiency", "Projects and Portfolio"]:
        bar = page.get_by_role("progressbar", name=re.compile(rf"^{name}: \d+%$"))
        expect(bar).to_be_visible()


def test_a_keyboard_user_reaches_the_first_action_in_a_few_presses(open_dashboard, learners):
    page = open_dashboard(learners["midway"].username, PHONE)
    first = section(page, "Next up").locator("li.milestone-item").first
    action = first.get_by_role("button").first
    page.locator("body").focus()

    presses = 0
    while not action.evaluate("(el) => el === document.activeElement"):
        assert presses < 30, "the first action is not reachable with Tab"
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate("document.activeElement.textContent.trim()") == "Skip to Next up":
            page.keyboard.press("Enter")

    assert presses <= 5, f"{presses} presses of Tab to the first action"
