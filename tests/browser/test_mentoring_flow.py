"""Two people, two browsers: a learner invites a mentor, who accepts and reviews a milestone."""

import pytest
from playwright.sync_api import expect

from .conftest import field, milestone_path, section

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MILESTONE = "Python fundamentals"


@pytest.fixture
def two_people(new_context, make_user, log_in, ml_guide):
    """The learner and the mentor, each logged in in a browser context of their own."""
    make_user("lena")
    make_user("marco")
    learner, mentor = new_context().new_page(), new_context().new_page()
    log_in(learner, "lena")
    log_in(mentor, "marco")
    return learner, mentor


def test_invite_accept_review_and_approve(two_people, live_server):
    learner, mentor = two_people
    url = live_server.url

    # The learner invites the mentor by username.
    learner.goto(url + "/mentoring/")
    field(learner, "Mentor's username or email").fill("marco")
    learner.get_by_role("button", name="Send invitation").click()
    expect(learner.get_by_role("status")).to_contain_text("Invitation sent to marco.")
    expect(learner.get_by_role("listitem").filter(has_text="marco")).to_contain_text(
        "no answer yet"
    )

    # The mentor sees the invitation and accepts it.
    mentor.goto(url + "/mentoring/")
    invitations = section(mentor, "Invitations")
    expect(invitations).to_contain_text("lena asks you to be their mentor")
    mentor.get_by_role("button", name="Accept lena's invitation").click()
    expect(mentor.get_by_role("status")).to_contain_text("You are now lena's mentor.")
    expect(mentor.get_by_role("table").get_by_role("link", name="lena")).to_be_visible()

    # The learner finishes a milestone and asks the mentor to review it.
    learner.goto(url + milestone_path("python-fundamentals"))
    learner.evaluate("window.__marker = 1")
    learner.get_by_role("button", name=f"Mark {MILESTONE} as done").click()
    expect(learner.locator("#milestone-status .status-badge")).to_have_text("Done")
    # The review form appears in place too, with no reload needed.
    ask = learner.get_by_role("button", name="Ask for a review")
    review_form = learner.locator("form", has=ask)
    expect(review_form).to_be_visible()
    assert learner.evaluate("window.__marker") == 1
    review_form.get_by_label("Mentor").select_option(label="marco")
    field(learner, "Message (optional)").fill("My exercises are in the repository.")
    review_form.get_by_role("button", name="Ask for a review").click()
    expect(learner.get_by_role("status")).to_contain_text("Review requested from marco.")
    expect(learner.get_by_text("Waiting", exact=True)).to_be_visible()

    # The mentor finds it in the review queue and approves it with a comment.
    mentor.goto(url + "/mentoring/")
    queue = section(mentor, "Review queue")
    expect(queue).to_contain_text(MILESTONE)
    expect(queue).to_contain_text("My exercises are in the repository.")
    queue.get_by_label(f"Comment for {MILESTONE}").fill("Clean code, well tested. Well done!")
    queue.get_by_role("button", name=f"Approve {MILESTONE}").click()
    expect(mentor.get_by_role("status")).to_contain_text("Your verdict is saved")
    expect(mentor.get_by_role("heading", name="Review queue")).to_have_count(0)

    # The learner sees the verdict on the milestone and on the dashboard.
    learner.goto(url + milestone_path("python-fundamentals"))
    expect(learner.locator("#milestone-status")).to_contain_text("Verified")
    reviews = section(learner, "Mentor review")
    expect(reviews.get_by_text("Approved")).to_be_visible()
    expect(reviews).to_contain_text("Clean code, well tested. Well done!")

    learner.goto(url + "/dashboard/")
    verdicts = section(learner, "Mentor reviews")
    expect(verdicts.get_by_text("Approved")).to_be_visible()
    expect(verdicts.get_by_role("link", name=MILESTONE)).to_be_visible()
    expect(verdicts).to_contain_text("Clean code, well tested. Well done!")
