"""Two people, two browsers, one conversation: a question on a milestone in progress, a
reply, done, a review request, changes requested (needs work, back in Next up), a new
request and the approval."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import field, milestone_path, section

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MILESTONE = "Python fundamentals"


@pytest.fixture
def pair(new_context, make_user, make_mentorship, log_in, ml_guide, live_server):
    """The learner, logged in; the mentor logs in after the mentorship starts and lands
    on their mentoring page."""
    lena, marco = make_user("lena"), make_user("marco")
    learner, mentor = new_context().new_page(), new_context().new_page()
    log_in(learner, "lena")
    make_mentorship(marco, lena)
    mentor.goto(f"{live_server.url}/accounts/login/")
    field(mentor, "Username").fill("marco")
    field(mentor, "Password").fill(PASSWORD)
    mentor.get_by_role("button", name="Log in", exact=True).click()
    expect(mentor).to_have_url(re.compile(r"/mentoring/$"))
    return learner, mentor


def next_up(page):
    return section(page, "Next up")


def ask_for_review(learner, message: str) -> None:
    field(learner, "Message (optional)").fill(message)
    learner.get_by_role("button", name="Ask for a review").click()
    expect(learner.get_by_role("status")).to_contain_text("Review requested from marco.")


def test_question_reply_review_needs_work_and_approval(pair, live_server):
    learner, mentor = pair
    url = live_server.url
    conversation = learner.locator("#conversation")

    # A question on a milestone in progress, posted in place.
    learner.goto(url + milestone_path("python-fundamentals"))
    learner.get_by_role("button", name=f"Mark {MILESTONE} as in progress").click()
    expect(learner.locator("#milestone-status .status-badge")).to_have_text("In progress")
    learner.evaluate("window.__marker = 1")
    field(learner, "Your message").fill("Which exercises matter most?\nI have two weeks.")
    learner.get_by_role("button", name="Send to your mentors").click()
    expect(conversation).to_contain_text("Which exercises matter most?")
    assert learner.evaluate("window.__marker") == 1, "the page was not reloaded"

    # The mentor sees it waiting, with the count in the header, and replies.
    mentor.reload()
    expect(mentor.locator("#nav-attention")).to_contain_text("1")
    waiting = section(mentor, "Conversations waiting for you")
    waiting.get_by_role("link", name=MILESTONE).click()
    expect(mentor.get_by_role("heading", name=MILESTONE, level=1)).to_be_visible()
    field(mentor, "Your message").fill("Start with https://docs.python.org/3/tutorial/")
    mentor.get_by_role("button", name="Reply").click()
    expect(mentor.locator("#conversation")).to_contain_text("docs.python.org")

    # The learner reads the reply with its link, marks the milestone done, asks for review.
    learner.goto(url + milestone_path("python-fundamentals"))
    link = conversation.get_by_role("link", name="https://docs.python.org/3/tutorial/")
    expect(link).to_have_attribute("rel", "nofollow noopener")
    learner.get_by_role("button", name=f"Mark {MILESTONE} as done").click()
    expect(learner.locator("#milestone-status .status-badge")).to_have_text("Done")
    ask_for_review(learner, "Exercises are in my repository.")
    expect(conversation).to_contain_text("Review request")

    # The mentor asks for changes in the thread.
    mentor.reload()
    field(mentor, "Your message").fill("Add tests for the parser, please.")
    mentor.get_by_role("button", name=f"Request changes on {MILESTONE}").click()
    expect(mentor.locator("#conversation")).to_contain_text("Changes requested")

    # Needs work: on the milestone, and back in Next up on the dashboard.
    learner.goto(url + milestone_path("python-fundamentals"))
    expect(learner.locator("#milestone-status")).to_contain_text("Needs work")
    expect(conversation).to_contain_text("Add tests for the parser, please.")
    learner.goto(url + "/dashboard/")
    expect(next_up(learner).get_by_role("link", name=MILESTONE)).to_be_visible()
    expect(next_up(learner)).to_contain_text("Needs work")

    # The learner resubmits; the milestone leaves Next up.
    learner.goto(url + milestone_path("python-fundamentals"))
    ask_for_review(learner, "Tests added.")
    expect(learner.locator("#milestone-status")).not_to_contain_text("Needs work")
    learner.goto(url + "/dashboard/")
    expect(next_up(learner).get_by_role("link", name=MILESTONE)).to_have_count(0)

    # The mentor approves; the learner sees it verified.
    mentor.reload()
    field(mentor, "Your message").fill("Well done.")
    mentor.get_by_role("button", name=f"Approve {MILESTONE}").click()
    expect(mentor.locator("#conversation")).to_contain_text("Approved")
    learner.goto(url + milestone_path("python-fundamentals"))
    expect(learner.locator("#milestone-status")).to_contain_text("Verified")
    expect(conversation).to_contain_text("Well done.")
    assert get_user_model().objects.get(username="lena").threads.count() == 1
