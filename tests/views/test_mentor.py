"""The mentoring pages as people see them: the mentor's dashboard, the learner's side,
a mentee's progress, and where a verdict shows up afterwards."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tracker.caching.versions import learner_data_changed
from tracker.models import (
    Mentorship,
    MentorshipStatus,
    Profile,
    Progress,
    ProgressEvent,
    ReviewRequest,
    ReviewStatus,
)
from tracker.selectors.mentoring import mentor_work_get
from tracker.services.mentoring import review_decide, review_request
from tracker.templatetags.tracker_tags import days_ago

User = get_user_model()


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def text(response) -> str:
    """The page as text, with the non-breaking spaces of "3 days" made plain."""
    assert response.status_code == HTTPStatus.OK
    return response.content.decode().replace("\xa0", " ")


def section(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def mentee_url(username: str) -> str:
    return reverse("tracker:mentee", args=[username])


@pytest.fixture
def ask(complete, short_milestones):
    """Mark a milestone done and ask a mentor to review it, `days` ago."""

    def make(mentorship, milestone=None, days=0, message=""):
        milestone = milestone or short_milestones[0]
        complete(mentorship.mentee, [milestone])
        review = review_request(
            mentee=mentorship.mentee, milestone=milestone, mentorship=mentorship, message=message
        )
        ReviewRequest.objects.filter(pk=review.pk).update(requested_at=ago(days=days))
        review.refresh_from_db()
        return review

    return make


def last_active(user, **delta) -> None:
    ProgressEvent.objects.filter(learner=user).update(created_at=ago(**delta))
    Profile.objects.filter(user=user).update(last_active_at=ago(**delta))


# --- the mentor's side ------------------------------------------------------------------


def test_invitations_can_be_accepted_or_declined(client, mentor, learner, make_mentorship):
    invitation = make_mentorship(mentor, learner, MentorshipStatus.PENDING)
    client.force_login(mentor)

    page = text(client.get(reverse("tracker:mentoring")))

    invitations = section(page, 'id="invitations-heading"', "</section>")
    assert "<strong>learner</strong> asks you to be their mentor" in invitations
    assert f'action="{reverse("tracker:respond", args=[invitation.pk])}"' in invitations
    assert 'name="answer" value="accept"' in invitations
    assert 'name="answer" value="decline"' in invitations
    assert "Accept learner's invitation" in invitations


def test_no_invitation_section_without_invitations(client, mentor):
    client.force_login(mentor)

    page = text(client.get(reverse("tracker:mentoring")))

    assert 'id="invitations-heading"' not in page
    assert "Nobody has asked you to mentor them yet" in page


def test_mentees_are_sorted_by_who_needs_attention(
    client, mentor, make_user, make_mentorship, complete, short_milestones, ask
):
    """The oldest waiting request first, then whoever has been quiet the longest."""
    people = {}
    # Created in an order that is neither the expected one nor its reverse.
    for name in ["new-wait", "recent", "old-wait", "never", "quiet"]:
        people[name] = make_mentorship(mentor, make_user(name))
    ask(people["old-wait"], days=5)
    last_active(people["old-wait"].mentee, hours=1)
    ask(people["new-wait"], days=2)
    last_active(people["new-wait"].mentee, days=40)
    complete(people["quiet"].mentee, [short_milestones[0]])
    last_active(people["quiet"].mentee, days=20)
    complete(people["recent"].mentee, short_milestones[:2])
    last_active(people["recent"].mentee, days=1)
    decided = ask(people["recent"], milestone=short_milestones[1], days=3)
    review_decide(review=decided, verdict=ReviewStatus.APPROVED, comment="")
    client.force_login(mentor)

    response = client.get(reverse("tracker:mentoring"))
    page = text(response)

    expected = ["old-wait", "new-wait", "never", "quiet", "recent"]
    assert [row.mentee.username for row in mentor_work_get(mentor=mentor)["mentees"]] == expected
    body = section(page, "<tbody>", "</tbody>")
    rows = {
        re.search(r'href="/mentoring/mentees/([\w-]+)/"', row).group(1): row
        for row in body.split("<tr>")[1:]
    }
    assert list(rows) == expected
    assert "<strong>1</strong> · oldest asked 5 days ago" in rows["old-wait"]
    assert "<strong>1</strong> · oldest asked 2 days ago" in rows["new-wait"]
    none = '<span class="text-body-secondary">none</span>'
    never = '<span class="text-body-secondary">never</span>'
    # An approved request is not waiting any more.
    assert [name for name, row in rows.items() if none in row] == ["never", "quiet", "recent"]
    assert [name for name, row in rows.items() if never in row] == ["never"]
    assert f'<td data-label="Last active">{days_ago(ago(days=20))}</td>' in rows["quiet"]
    assert '<td data-label="Last active">yesterday</td>' in rows["recent"]
    assert "Entry-level ready" in rows["quiet"]
    assert "30% · 1/3 milestones" in rows["quiet"]  # by hours: 10 of 33 h (issue 11)
    assert "Mid-level ready" in rows["recent"]
    assert "64% · 2/3 milestones" in rows["recent"]  # 21 of 33 h
    assert "Getting started" in rows["never"]
    assert "0% · 0/3" in rows["never"]


def test_the_review_queue_lists_waiting_requests_oldest_first(
    client, mentor, make_user, make_mentorship, short_milestones, ask
):
    first = make_mentorship(mentor, make_user("first"))
    second = make_mentorship(mentor, make_user("second"))
    ask(second, days=1, message="Second in line")
    ask(first, days=4, message="First in line")
    ask(first, milestone=short_milestones[1], days=2, message="In the middle")
    ended = make_mentorship(mentor, make_user("gone"))
    ask(ended, days=9, message="From an ended mentorship")
    Mentorship.objects.filter(pk=ended.pk).update(status=MentorshipStatus.ENDED)
    client.force_login(mentor)

    page = text(client.get(reverse("tracker:mentoring")))

    queue = section(page, 'id="queue-heading"', "</section>")
    messages = re.findall(r"(\w+ in line|In the middle|From an ended mentorship)", queue)
    assert messages == ["First in line", "In the middle", "Second in line"]
    assert "asked 4 days ago" in queue
    assert len(re.findall(r'action="/mentoring/reviews/\d+/"', queue)) == 3
    assert 'name="verdict" value="approved"' in queue
    assert 'name="verdict" value="changes_requested"' in queue


# --- the learner's side -----------------------------------------------------------------


def test_the_learner_sees_mentors_invitations_and_requests(
    client, learner, mentor, make_user, make_mentorship, short_milestones, ask
):
    active = make_mentorship(mentor, learner)
    make_mentorship(make_user("asked"), learner, MentorshipStatus.PENDING)
    make_mentorship(make_user("former"), learner, MentorshipStatus.ENDED)
    waiting = ask(active, milestone=short_milestones[0], days=2)
    approved = ask(active, milestone=short_milestones[1], days=5)
    review_decide(review=approved, verdict=ReviewStatus.APPROVED, comment="Solid work")
    changes = ask(active, milestone=short_milestones[2], days=6)
    review_decide(review=changes, verdict=ReviewStatus.CHANGES_REQUESTED, comment="Add tests")
    ReviewRequest.objects.filter(pk=changes.pk).update(decided_at=ago(days=3))
    closed = ask(make_mentorship(make_user("left"), learner), days=8)
    Mentorship.objects.filter(pk=closed.mentorship_id).update(status=MentorshipStatus.ENDED)
    ReviewRequest.objects.filter(pk=closed.pk).update(
        status=ReviewStatus.CLOSED, decided_at=ago(days=7), closed_reason="The mentorship ended."
    )
    client.force_login(learner)

    page = text(client.get(reverse("tracker:mentoring")))

    mentors = section(page, 'id="mentors-heading"', "Your review requests")
    assert "<strong>mentor</strong>" in mentors
    assert "mentoring you since" in mentors
    assert "<strong>asked</strong>" in mentors
    assert "no answer yet" in mentors
    assert "Withdraw invitation" in mentors
    assert "End mentorship" in mentors
    assert "former" not in mentors
    requests = section(page, "Your review requests", "Invite a mentor")
    assert requests.count("<li") == 4
    assert "Waiting</span>" in requests
    assert "asked 2 days ago" in requests
    assert "✓ Approved" in requests
    assert "Solid work" in requests
    assert "Changes requested</span>" in requests
    assert "Add tests" in requests
    assert "3 days ago" in requests
    assert "Closed</span>" in requests
    assert "The mentorship ended." in requests
    assert "7 days ago" in requests
    assert waiting.progress.milestone.get_absolute_url() in requests


# --- a mentee's page --------------------------------------------------------------------


@pytest.fixture
def mentee_world(learner, mentor, make_user, make_mentorship, short_milestones, ask):
    """The learner with one milestone waiting for `mentor`, one for another mentor,
    evidence and a note on the first."""
    mentorship = make_mentorship(mentor, learner)
    mine = ask(mentorship, milestone=short_milestones[0], days=1, message="Please look")
    other = ask(make_mentorship(make_user("other"), learner), milestone=short_milestones[1], days=1)
    Progress.objects.filter(pk=mine.progress_id).update(
        evidence_url="https://github.com/learner/project", note="A private thought"
    )
    return {"mine": mine, "other": other, "mentorship": mentorship}


def test_the_mentee_page_is_read_only_with_evidence_and_review_forms(
    client, mentor, mentee_world, short_guide, short_milestones
):
    client.force_login(mentor)

    page = text(client.get(mentee_url("learner")))

    assert "learner's progress" in page
    # By hours (issue 11): 21 of the plan's 33 h.
    assert "<strong>64%</strong> done, by hours · 21 of 33 h · 2 of 3 milestones" in page
    assert 'href="https://github.com/learner/project"' in page
    mine, other = mentee_world["mine"], mentee_world["other"]
    decide = reverse("tracker:decide_review", args=[mine.pk])
    assert f'action="{decide}"' in page
    assert 'name="back" value="mentee"' in page
    # Another mentor's request is shown, without a form to decide it.
    assert reverse("tracker:decide_review", args=[other.pk]) not in page
    assert "<span>other</span>" in page
    # Read-only: no status or notes form for someone else's progress.
    for milestone in short_milestones:
        assert (
            reverse("tracker:progress_status", args=[short_guide.slug, milestone.slug]) not in page
        )
        assert (
            reverse("tracker:progress_notes", args=[short_guide.slug, milestone.slug]) not in page
        )
    assert 'name="status"' not in page


@pytest.mark.parametrize("shared", [True, False])
def test_notes_show_only_if_the_mentee_shares_them(client, mentor, learner, mentee_world, shared):
    Profile.objects.filter(user=learner).update(share_notes_with_mentors=shared)
    client.force_login(mentor)

    page = text(client.get(mentee_url("learner")))

    assert ("A private thought" in page) is shared
    assert ("Notes are shared with you." in page) is shared
    assert ("Their notes are private." in page) is not shared


# --- where a verdict shows ---------------------------------------------------------------


@pytest.fixture
def approved(client, mentor, learner, mentee_world):
    """The mentor approves the learner's first milestone through the page."""
    client.force_login(mentor)
    review = mentee_world["mine"]
    response = client.post(
        reverse("tracker:decide_review", args=[review.pk]),
        {"verdict": ReviewStatus.APPROVED, "comment": "Great job", "back": "mentee"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == mentee_url("learner")
    review.refresh_from_db()
    return review


VERIFIED_BADGE = ">Verified</span>"


def test_the_mentee_page_shows_verified_after_approval(client, approved):
    page = text(client.get(mentee_url("learner")))

    assert VERIFIED_BADGE in page
    assert "Great job" in page
    assert reverse("tracker:decide_review", args=[approved.pk]) not in page


def test_the_learner_milestone_page_shows_the_verdict_and_verified(
    client, learner, short_milestones, mentee_world
):
    client.force_login(learner)
    url = short_milestones[0].get_absolute_url()
    before = text(client.get(url))
    assert VERIFIED_BADGE not in before
    assert "Waiting</span>" in before

    review = mentee_world["mine"]
    review_decide(review=review, verdict=ReviewStatus.APPROVED, comment="Great job")
    after = text(client.get(url))

    reviews = section(after, 'id="reviews-heading"', "</section>")
    assert "✓ Approved" in reviews
    assert "Great job" in reviews
    assert "mentor" in reviews
    assert VERIFIED_BADGE in after


def test_the_dashboard_lists_mentor_reviews(client, learner, approved):
    client.force_login(learner)

    page = text(client.get(reverse("tracker:dashboard")))

    verdicts = section(page, 'id="verdicts-heading"', "</section>")
    assert "✓ Approved" in verdicts
    assert "Great job" in verdicts
    assert approved.progress.milestone.title in verdicts
    assert "Waiting</span>" in verdicts  # the other mentor has not answered yet


def test_the_public_profile_shows_verified(client, learner, approved):
    Profile.objects.filter(user=learner).update(public_profile=True)
    client.logout()

    page = text(client.get(reverse("tracker:public_profile", args=["learner"])))

    assert page.count(VERIFIED_BADGE) == 1
    assert "A private thought" not in page


def test_notes_are_private_for_a_new_account_and_the_mentoring_page_says_so(client, make_guide):
    """The note field promises "shared only if you allow it": new accounts start private."""
    make_guide(milestones=2)
    client.post(
        reverse("signup"),
        {
            "username": "newcomer",
            "email": "n@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    user = User.objects.get(username="newcomer")
    assert user.profile.share_notes_with_mentors is False

    page = client.get(reverse("tracker:mentoring")).content.decode()
    assert "Your notes are private: your mentors see your progress, never your notes." in page

    Profile.objects.filter(user=user).update(share_notes_with_mentors=True)
    learner_data_changed(learner_ids=[user.pk])
    page = client.get(reverse("tracker:mentoring")).content.decode()
    assert "Your notes are shared: your active mentors can read the notes" in page
