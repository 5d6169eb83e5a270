"""Without JavaScript: the navigation at every width, the system's dark colour scheme, and a
status change on the long guide page that lands back on its milestone."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import GUIDE_PATH

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def open_page(browser: Browser):
    """A page in a fresh context: with or without JavaScript, at a size, in a colour scheme."""
    contexts = []

    def open_(*, js: bool, viewport: dict, scheme: str = "light") -> Page:
        context = browser.new_context(
            java_script_enabled=js, viewport=viewport, color_scheme=scheme
        )
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def nav(page: Page):
    return page.get_by_role("navigation", name="Main")


# --- the navigation ----------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_visitor_can_log_in_or_sign_up_from_the_menu_without_javascript(
    open_page, live_server, ml_guide, viewport
):
    page = open_page(js=False, viewport=viewport)
    page.goto(live_server.url + GUIDE_PATH)

    # A button that can only work with a script is not offered.
    expect(nav(page).get_by_role("button", name="Toggle navigation")).to_be_hidden()
    expect(nav(page).get_by_role("link", name="Log in")).to_be_visible()
    nav(page).get_by_role("link", name="Sign up free").click()
    expect(page).to_have_url(live_server.url + "/accounts/signup/")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_learner_reaches_every_page_of_the_menu_without_javascript(
    open_page, live_server, ml_guide, learner, log_in, viewport
):
    page = open_page(js=False, viewport=viewport)
    log_in(page, learner.username)

    for name in ["Guides", "Dashboard", "Mentoring", "Settings"]:
        expect(nav(page).get_by_role("link", name=name, exact=True)).to_be_visible()
    nav(page).get_by_role("link", name="Settings").click()
    expect(page).to_have_url(live_server.url + "/settings/")
    nav(page).get_by_role("button", name=re.compile(r"^Log out")).click()
    expect(page).to_have_url(live_server.url + "/")
    expect(nav(page).get_by_role("link", name="Log in")).to_be_visible()


def test_with_javascript_the_phone_menu_still_collapses_and_opens(open_page, live_server, ml_guide):
    page = open_page(js=True, viewport=PHONE)
    page.goto(live_server.url + GUIDE_PATH)
    toggle = nav(page).get_by_role("button", name="Toggle navigation")
    log_in_link = nav(page).get_by_role("link", name="Log in")

    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(log_in_link).to_be_hidden()
    toggle.click()
    expect(log_in_link).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # Bootstrap ignores a click while the menu is still sliding open.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    toggle.click()
    expect(log_in_link).to_be_hidden()


def test_with_javascript_the_desktop_menu_shows_without_a_toggle(open_page, live_server, ml_guide):
    page = open_page(js=True, viewport=DESKTOP)
    page.goto(live_server.url + GUIDE_PATH)

    expect(nav(page).get_by_role("button", name="Toggle navigation")).to_be_hidden()
    expect(nav(page).get_by_role("link", name="Log in")).to_be_visible()


# --- the colour scheme -------------------------------------------------------------------

# The colours a person sees, on parts of every page and of the guide page.
COLOURS = """() => {
  const pick = (selector, ...props) => {
    const el = document.querySelector(selector);
    const style = getComputedStyle(el);
    return props.map((prop) => `${selector} ${prop}: ${style[prop]}`);
  };
  return [
    ...pick("body", "backgroundColor", "color"),
    ...pick("nav.navbar", "backgroundColor", "borderBottomColor"),
    ...pick("nav.navbar .nav-link", "color"),
    ...pick("main .card", "backgroundColor", "borderTopColor", "color"),
    ...pick("main .card-body a", "color"),
    ...pick("main .btn-primary", "backgroundColor", "color"),
    ...pick("main .text-body-secondary", "color"),
    ...pick("footer", "backgroundColor", "color"),
    `color-scheme: ${getComputedStyle(document.documentElement).colorScheme}`,
  ];
}"""


def colours(page: Page, url: str) -> list[str]:
    page.goto(url)
    return page.evaluate(COLOURS)


def test_a_system_that_prefers_dark_gets_the_dark_scheme_without_javascript(
    open_page, live_server, ml_guide
):
    """The same colours as the dark scheme that the script switches on (which axe checks),
    and not the light ones."""
    url = live_server.url + GUIDE_PATH
    with_script = colours(open_page(js=True, viewport=DESKTOP, scheme="dark"), url)
    without = colours(open_page(js=False, viewport=DESKTOP, scheme="dark"), url)
    light = colours(open_page(js=False, viewport=DESKTOP, scheme="light"), url)

    assert "body backgroundColor: rgb(33, 37, 41)" in with_script, "Bootstrap's dark body"
    assert without == with_script
    assert without != light


def test_light_stays_light_without_javascript(open_page, live_server, ml_guide):
    url = live_server.url + GUIDE_PATH
    with_script = colours(open_page(js=True, viewport=DESKTOP, scheme="light"), url)
    without = colours(open_page(js=False, viewport=DESKTOP, scheme="light"), url)

    assert "body backgroundColor: rgb(255, 255, 255)" in with_script
    assert without == with_script


# --- a status change on the guide page ---------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_status_change_on_the_guide_lands_back_on_its_milestone(
    open_page, live_server, ml_guide, learner, log_in, viewport
):
    page = open_page(js=False, viewport=viewport)
    log_in(page, learner.username)
    page.goto(live_server.url + GUIDE_PATH)
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * viewport["height"]

    page.get_by_role("button", name="Mark Containers with Docker as done").click()

    expect(page).to_have_url(re.compile(re.escape(GUIDE_PATH) + r"(\?.*)?#m-docker-basics$"))
    item = page.locator("#m-docker-basics")
    expect(item.locator(".status-badge")).to_have_text("Done")
    # The whole item is on the screen, once the browser has scrolled to it after loading.
    expect(item).to_be_in_viewport(ratio=1)
    assert page.evaluate("window.scrollY") > 2 * viewport["height"], "still at the top"
    # It stands out from its neighbours, so the eye finds it.
    marked = item.evaluate("(el) => getComputedStyle(el).backgroundColor")
    neighbour = page.locator("li.milestone-item:not(:target)").first
    assert marked != neighbour.evaluate("(el) => getComputedStyle(el).backgroundColor")
    # A keyboard user goes on from there, not from the top of the page.
    page.keyboard.press("Tab")
    expect(item.get_by_role("link", name="Containers with Docker", exact=True)).to_be_focused()
