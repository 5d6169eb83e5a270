"""The dashboard's sections are cached apart, each under the state it shows
(templates/tracker/learner/dashboard.html, ``{% cached %}``): the page right after a
write shows the new figures in every section, and what only the learner's history shows
(the activity, the reviews) follows every write that changes that history."""

import re
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.conftest import DASHBOARD, status_url
from tracker.models import Milestone, Profile, ProgressStatus
from tracker.services.mentoring import mentorship_end, review_request
from tracker.services.progress import progress_set_status

pytestmark = pytest.mark.django_db


def section(html: str, heading_id: str) -> str:
    """The markup of the card labelled by ``heading_id``."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def pillar(html: str, slug: str) -> str:
    start = html.index(f"#pillar-{slug}")
    return html[start : html.index("milestones</div>", start)]


def dashboard(client) -> str:
    response = client.get(DASHBOARD)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def signed_in(client, guide, learner):
    Profile.objects.filter(user=learner).update(hours_per_week=5, onboarded_at=timezone.now())
    client.force_login(learner)
    dashboard(client)
    dashboard(client)  # every section cached, and the whole page
    return client


def test_the_dashboard_right_after_a_change_shows_it_in_every_section(signed_in, guide):
    first = Milestone.objects.get(guide=guide, slug="milestone-0")  # pillar 0, 10 h
    before = dashboard(signed_in)
    assert "0 of 6 milestones" in section(before, "path-heading")
    assert "Your weeks of learning show here" in section(before, "activity-heading")

    signed_in.post(status_url(first), {"status": "done", "next": DASHBOARD})
    after = dashboard(signed_in)

    assert "1 of 6 milestones" in text(section(after, "path-heading"))
    assert "10 of 23 h · 1 of 2" in text(pillar(after, first.pillar.slug))
    assert "0 of" in text(pillar(after, "pillar-1"))  # the other pillars as they were
    assert f'href="{first.get_absolute_url()}"' not in section(after, "next-heading")
    assert "1 milestone completed in 12 weeks" in text(section(after, "activity-heading"))
    assert "Streak: 1 week" in text(section(after, "activity-heading"))
    # The dates follow the remaining hours (70 h in all, 10 of them done).
    assert "70 h in all" in text(section(before, "dates-heading"))
    assert "60 h in all" in text(section(after, "dates-heading"))

    signed_in.post(status_url(first), {"status": "in_progress", "next": DASHBOARD})
    again = dashboard(signed_in)

    assert "0 of 6 milestones" in text(section(again, "path-heading"))
    assert "0 of 23 h · 0 of 2" in text(pillar(again, first.pillar.slug))
    next_up = section(again, "next-heading")
    assert f'href="{first.get_absolute_url()}"' in next_up
    assert 'aria-pressed="true" aria-label="Mark Milestone 0 as in progress"' in next_up
    # The history keeps the completion: the chart still counts it.
    assert "1 milestone completed in 12 weeks" in text(section(again, "activity-heading"))

    second = Milestone.objects.get(guide=guide, slug="milestone-1")
    signed_in.post(status_url(second), {"status": "done", "next": DASHBOARD})
    assert "2 milestones completed in 12 weeks" in text(
        section(dashboard(signed_in), "activity-heading")
    )


def test_the_htmx_answer_on_the_dashboard_shows_the_change_in_every_section(signed_in, guide):
    first = Milestone.objects.get(guide=guide, slug="milestone-0")
    response = signed_in.post(
        status_url(first),
        {"status": "done", "view": "dashboard", "next": "/"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="dashboard-body">')
    assert "1 of 6 milestones" in text(section(body, "path-heading"))
    assert "10 of 23 h · 1 of 2" in text(pillar(body, first.pillar.slug))
    assert "1 milestone completed in 12 weeks" in text(section(body, "activity-heading"))
    assert "Last activity today" in text(section(body, "activity-heading"))
    # The whole page after it agrees, from the parts the answer cached.
    assert section(dashboard(signed_in), "path-heading") == section(body, "path-heading")


@pytest.fixture
def reviewed(guide, learner, make_user, make_mentorship):
    mentor = make_user("grace")
    mentorship = make_mentorship(mentor, learner)
    first = Milestone.objects.get(guide=guide, slug="milestone-0")
    progress_set_status(learner=learner, milestone=first, status=ProgressStatus.DONE)
    review_request(mentee=learner, milestone=first, mentorship=mentorship, message="")
    return {"mentor": mentor, "mentorship": mentorship, "milestone": first}


def test_a_review_a_status_change_closes_shows_closed_at_once(client, learner, reviewed):
    client.force_login(learner)
    assert "Waiting" in section(dashboard(client), "verdicts-heading")

    client.post(status_url(reviewed["milestone"]), {"status": "not_started", "next": DASHBOARD})

    reviews = section(dashboard(client), "verdicts-heading")
    assert "Closed" in reviews
    assert "The milestone was marked as not done any more." in reviews


def test_a_review_an_ended_mentorship_closes_shows_closed_at_once(client, learner, reviewed):
    client.force_login(learner)
    assert "Waiting" in section(dashboard(client), "verdicts-heading")

    mentorship_end(mentorship=reviewed["mentorship"])

    assert "The mentorship ended." in section(dashboard(client), "verdicts-heading")


def test_a_reviewing_mentors_new_name_shows_at_once(client, learner, reviewed):
    client.force_login(learner)
    assert "grace" in section(dashboard(client), "verdicts-heading")

    mentor = get_user_model().objects.get(pk=reviewed["mentor"].pk)
    mentor.username = "grace-hopper"
    mentor.save()

    assert "grace-hopper" in section(dashboard(client), "verdicts-heading")


def test_a_reviewed_milestone_of_another_guide_renamed_shows_at_once(
    client, learner, make_guide, make_user, make_mentorship
):
    shown = make_guide(slug="shown", milestones=2)
    other = make_guide(slug="other", milestones=2)
    learner.profile.current_guide = shown
    learner.profile.save()
    mentorship = make_mentorship(make_user("grace"), learner)
    milestone = Milestone.objects.get(guide=other, slug="milestone-0")
    progress_set_status(learner=learner, milestone=milestone, status=ProgressStatus.DONE)
    review_request(mentee=learner, milestone=milestone, mentorship=mentorship, message="")
    client.force_login(learner)
    assert milestone.title in section(dashboard(client), "verdicts-heading")

    milestone.title = "Renamed on the other guide"
    milestone.save()

    assert "Renamed on the other guide" in section(dashboard(client), "verdicts-heading")


def test_two_learners_in_the_same_state_see_their_own_name_and_history(
    client, guide, learner, make_user
):
    """A section keyed only on statuses is shared; one that shows a person is theirs."""
    other = make_user("grace")
    first = Milestone.objects.get(guide=guide, slug="milestone-0")
    learner.profile.display_name = "Ada"
    learner.profile.save()
    progress_set_status(learner=learner, milestone=first, status=ProgressStatus.DONE)
    progress_set_status(learner=other, milestone=first, status=ProgressStatus.DONE)
    progress_set_status(learner=other, milestone=first, status=ProgressStatus.NOT_STARTED)
    progress_set_status(learner=other, milestone=first, status=ProgressStatus.DONE)
    client.force_login(learner)
    mine = dashboard(client)
    client.force_login(other)
    theirs = dashboard(client)

    assert section(mine, "pillars-heading") == section(theirs, "pillars-heading")
    assert "1 milestone completed" in text(section(mine, "activity-heading"))
    assert "2 milestones completed" in text(section(theirs, "activity-heading"))
