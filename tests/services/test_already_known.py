"""'Already know it' (ProgressStatus.KNOWN): a state of its own that counts like done."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.conftest import DASHBOARD, status_url
from tracker.models import Progress, ProgressEvent, ProgressStatus, ReviewStatus
from tracker.selectors.mentoring import mentor_work_get
from tracker.services.mentoring import review_decide, review_request
from tracker.services.progress import progress_set_status
from tracker.templatetags.tracker_tags import status_badge

pytestmark = pytest.mark.django_db
KNOWN = ProgressStatus.KNOWN


def test_marking_known_keeps_its_own_history_event_and_finishes_the_row(learner, milestone):
    progress_set_status(learner=learner, milestone=milestone, status=KNOWN)

    row = Progress.objects.get(learner=learner, milestone=milestone)
    assert row.status == KNOWN
    assert row.completed_at is not None
    assert row.started_at is not None
    event = ProgressEvent.objects.get(learner=learner, milestone=milestone)
    assert (event.old_status, event.new_status) == (ProgressStatus.NOT_STARTED, KNOWN)
    assert event.get_new_status_display() == "Already know it"


def test_known_counts_toward_the_stage_and_the_progress_like_done(client, learner, m, complete):
    complete(learner, [m[0]])
    complete(learner, [m[1]], status=KNOWN)  # the two foundations: entry level

    client.force_login(learner)
    response = client.get(DASHBOARD)

    assert response.context["standing"].current.name == "Entry-level ready"
    overall = response.context["overall"]
    assert (overall.done, overall.done_hours) == (2, m[0].estimated_hours + m[1].estimated_hours)


def test_known_opens_what_it_is_a_prerequisite_of(client, learner, m, complete):
    complete(learner, [m[0]], status=KNOWN)
    client.force_login(learner)

    response = client.get(m[3].get_absolute_url())

    assert response.context["unfinished_prerequisites"] == []


def test_the_badge_says_already_know_it_with_its_own_icon():
    known, done = str(status_badge("known")), str(status_badge("done"))
    assert "Already know it" in known
    assert "<svg" in known

    def icon(badge):
        return badge[badge.index("<svg") : badge.index("</svg>")]

    assert icon(known) != icon(done)
    assert "Verified" in str(status_badge("known", verified=True))


def test_the_milestone_page_offers_already_know_it_and_it_works_without_js(
    client, learner, milestone
):
    client.force_login(learner)
    page = client.get(milestone.get_absolute_url()).content.decode()
    assert 'name="status" value="known"' in page

    response = client.post(status_url(milestone), {"status": "known"}, follow=True)

    assert response.status_code == HTTPStatus.OK
    assert "“Milestone 0” is now marked as already known." in response.content.decode()
    assert Progress.objects.get(learner=learner, milestone=milestone).status == KNOWN


def test_already_know_it_swaps_in_place_with_htmx(client, learner, milestone):
    client.force_login(learner)

    response = client.post(
        status_url(milestone),
        {"status": "known", "view": "milestone"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Already know it" in html
    assert 'aria-pressed="true" aria-label="Mark Milestone 0 as already known"' in html


def test_a_mentor_verifies_a_known_milestone_like_a_done_one(
    learner, mentor, milestone, make_mentorship
):
    active = make_mentorship(mentor, learner)
    progress_set_status(learner=learner, milestone=milestone, status=KNOWN)

    review = review_request(mentee=learner, milestone=milestone, mentorship=active, message="")
    review_decide(review=review, verdict=ReviewStatus.APPROVED, comment="Fine")

    row = Progress.objects.get(learner=learner, milestone=milestone)
    assert row.verified_by == mentor
    # Moving between known and done keeps the verification; leaving both withdraws it.
    progress_set_status(learner=learner, milestone=milestone, status=ProgressStatus.DONE)
    row.refresh_from_db()
    assert row.verified_at is not None
    progress_set_status(learner=learner, milestone=milestone, status=ProgressStatus.IN_PROGRESS)
    row.refresh_from_db()
    assert row.verified_at is None
    assert row.completed_at is None


def test_the_mentor_table_counts_known_milestones(learner, mentor, m, make_mentorship, complete):
    make_mentorship(mentor, learner)
    complete(learner, [m[0]], status=KNOWN)

    (row,) = mentor_work_get(mentor=mentor)["mentees"]

    assert row.overall.done == 1


def test_the_guide_filter_lists_known_milestones(client, learner, guide, m, complete):
    complete(learner, [m[0]], status=KNOWN)
    client.force_login(learner)

    response = client.get(reverse("tracker:guide", args=[guide.slug]), {"status": "known"})

    html = response.content.decode()
    assert "Milestone 0" in html
    assert "Milestone 1</a>" not in html
