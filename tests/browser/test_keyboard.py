"""Keyboard only: sign up, change a milestone's status, review as a mentor; focus always shows."""

import pytest
from playwright.sync_api import Page, expect

from tracker.models import Milestone, ReviewRequest, ReviewStatus
from tracker.services.mentoring import review_request

from .conftest import GUIDE_PATH, section, settled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const name = el.getAttribute("aria-label") || el.innerText || el.value || "";
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: name.replace(/\\s+/g, " ").trim(),
    outline: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    shadow: style.boxShadow,
  };
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(FOCUSED)


def assert_focus_visible(element: dict | None) -> None:
    assert element is not None, "nothing has keyboard focus"
    outlined = element["outline"] != "none" and element["outlineWidth"] > 0
    assert outlined or element["shadow"] != "none", f"focus is invisible on {element}"


def tab_to(page: Page, name: str, *, max_presses: int = 80) -> dict:
    """Press Tab until the focused element's name or id is `name`, checking every stop.

    An element that already has focus (e.g. an autofocus field) counts without a press.
    """
    element = focused(page)
    if element and name in (element["name"], element["id"]):
        assert_focus_visible(element)
        return element
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        element = focused(page)
        assert_focus_visible(element)
        if name in (element["name"], element["id"]):
            return element
    raise AssertionError(f"{name!r} is not reachable with Tab")


def assert_focus_kept_on(page: Page, element_id: str) -> None:
    """After an in-place update, focus is back on the control that was used, and shows."""
    assert element_id, "the control has no id to find it again by"
    # A built-in assertion: a string predicate would be eval'd in the page, which the CSP
    # (rightly) forbids.
    expect(page.locator(f"#{element_id}")).to_be_focused()
    assert_focus_visible(focused(page))


def test_sign_up_and_change_statuses_with_the_keyboard(page: Page, live_server, ml_guide):
    page.goto(live_server.url + "/")
    tab_to(page, "Sign up free")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/accounts/signup/")

    for field, text in [
        ("id_username", "keyboarder"),
        ("id_email", "keyboarder@example.com"),
        ("id_password1", "a-long-test-password-42"),
        ("id_password2", "a-long-test-password-42"),
    ]:
        tab_to(page, field)
        page.keyboard.type(text)
    tab_to(page, "Sign up")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/settings/plan/")
    tab_to(page, "Skip for now")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/dashboard/")

    # Enter on the first "Next up" milestone's "in progress" button.
    next_up = section(page, "Next up")
    first = next_up.locator("li.milestone-item").first
    title = first.get_by_role("link").first.inner_text().strip()
    button = tab_to(page, f"Mark {title} as in progress")
    page.keyboard.press("Enter")
    expect(first.locator(".status-badge")).to_have_text("In progress")
    assert_focus_kept_on(page, button["id"])
    settled(page)

    # Marking it done takes it out of "Next up": focus moves to that list's heading,
    # not to the top of the page.
    tab_to(page, f"Mark {title} as done")
    page.keyboard.press("Enter")
    expect(next_up.get_by_role("link", name=title, exact=True)).to_have_count(0)
    expect(page.locator("#next-heading")).to_be_focused()
    assert_focus_visible(focused(page))

    # Space on a status button of the guide.
    page.goto(live_server.url + GUIDE_PATH)
    button = tab_to(page, "Mark Python fundamentals as done")
    page.keyboard.press("Space")
    expect(page.locator("#m-python-fundamentals .status-badge")).to_have_text("Done")
    expect(page.locator("#progress-summary")).to_contain_text("1 of")
    assert_focus_kept_on(page, button["id"])


def test_mentor_approves_a_review_with_the_keyboard(
    page: Page, live_server, ml_guide, make_user, make_mentorship, complete
):
    lena, marco = make_user("lena"), make_user("marco")
    mentorship = make_mentorship(marco, lena)
    milestone = Milestone.objects.get(pillar__guide=ml_guide, slug="python-fundamentals")
    complete(lena, [milestone])
    review = review_request(mentee=lena, milestone=milestone, mentorship=mentorship, message="")

    page.goto(live_server.url + "/accounts/login/")
    tab_to(page, "id_username")
    page.keyboard.type("marco")
    tab_to(page, "id_password")
    page.keyboard.type("a-long-test-password-42")
    page.keyboard.press("Enter")
    # A mentor with an active mentee lands on the mentoring page (issue 12).
    expect(page).to_have_url(live_server.url + "/mentoring/")
    tab_to(page, f"comment-{review.pk}")
    page.keyboard.type("Solid work, well tested.")
    tab_to(page, "Approve Python fundamentals")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Your verdict is saved")
    review.refresh_from_db()
    assert (review.status, review.comment) == (ReviewStatus.APPROVED, "Solid work, well tested.")
    assert not ReviewRequest.objects.filter(status=ReviewStatus.WAITING).exists()
