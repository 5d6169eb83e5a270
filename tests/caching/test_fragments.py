"""The guide page's milestone items are kept per process (tracker.caching.fragments): each
learner still sees their own statuses, their own CSRF token, and an editor's change at once."""

import re
from http import HTTPStatus

import pytest
from django.test import Client

from tests.conftest import PASSWORD, notes_url, status_url
from tracker.caching import fragments
from tracker.models import Milestone, MilestonePrerequisite, Progress, ProgressStatus
from tracker.services.progress import progress_set_status

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def item(html: str, slug: str) -> str:
    start = html.index(f'id="m-{slug}"')
    return html[start : html.index("</li>", start)]


def test_two_learners_see_their_own_status_from_the_same_kept_items(
    client, guide, learner, make_user
):
    other = make_user("grace")
    first = guide.milestones.order_by("pk").first()
    progress_set_status(learner=learner, milestone=first, status=ProgressStatus.DONE)
    client.force_login(learner)
    mine = client.get(guide.get_absolute_url()).content.decode()
    client.force_login(other)
    theirs = client.get(guide.get_absolute_url()).content.decode()

    assert "Done" in item(mine, first.slug).split("<form")[0]
    assert "Not started" in item(theirs, first.slug).split("<form")[0]
    second = guide.milestones.order_by("pk")[1]
    assert item(mine, second.slug) == item(theirs, second.slug).replace(
        TOKEN.search(theirs).group(1), TOKEN.search(mine).group(1)
    )


def test_a_kept_form_carries_the_token_of_the_request_it_is_shown_in(guide, learner, make_user):
    """The second learner's page reuses the items rendered for the first: its forms must
    hold the second learner's token, or their status change would be refused."""
    milestone = guide.milestones.order_by("pk").first()
    for username in ["ada", "grace"]:
        user = learner if username == "ada" else make_user(username)
        browser = Client(enforce_csrf_checks=True)
        assert browser.login(username=user.username, password=PASSWORD)
        html = browser.get(guide.get_absolute_url()).content.decode()
        tokens = set(TOKEN.findall(html))
        assert len(tokens) == 1
        assert fragments.CSRF_PLACEHOLDER not in html

        response = browser.post(
            status_url(milestone), {"status": "in_progress", "csrfmiddlewaretoken": tokens.pop()}
        )

        assert response.status_code == HTTPStatus.FOUND
        assert Progress.objects.get(learner=user, milestone=milestone).status == "in_progress"


def test_an_editors_change_shows_on_the_next_guide_page(client, guide, learner):
    client.force_login(learner)
    milestone = Milestone.objects.filter(guide=guide).order_by("pk").first()
    assert milestone.title in client.get(guide.get_absolute_url()).content.decode()

    milestone.title = "Linear algebra, the second edition"
    milestone.save()

    html = client.get(guide.get_absolute_url()).content.decode()
    assert "Linear algebra, the second edition" in item(html, milestone.slug)


def test_the_filters_address_is_where_a_form_without_javascript_returns(client, guide, learner):
    client.force_login(learner)
    milestone = guide.milestones.order_by("pk").first()
    client.get(guide.get_absolute_url())

    html = client.get(guide.get_absolute_url() + "?status=not_started").content.decode()

    assert f'value="{guide.get_absolute_url()}?status=not_started#m-{milestone.slug}"' in html


def test_a_pillar_shows_the_status_just_set_in_every_filtered_view(client, guide, learner):
    """Each pillar is kept in the page cache for the statuses it shows: the page right
    after a change, filtered or not, shows the change."""
    client.force_login(learner)
    milestone = guide.milestones.order_by("pk").first()
    done_only = guide.get_absolute_url() + "?status=done"
    assert f'id="m-{milestone.slug}"' not in client.get(done_only).content.decode()
    client.get(guide.get_absolute_url())

    client.post(status_url(milestone), {"status": "done"})

    assert "Done" in item(client.get(guide.get_absolute_url()).content.decode(), milestone.slug)
    assert "Done" in item(client.get(done_only).content.decode(), milestone.slug)


# --- the milestone page: content kept per process, the learner's parts their own ---------


def card(html: str, card_id: str) -> str:
    start = html.index(f'id="{card_id}"')
    return html[start : html.index("</section>", start)]


def required_list(html: str) -> str:
    start = html.index("Do these first")
    return html[start : html.index("</ul>", start)]


def test_the_milestone_page_right_after_a_change_shows_the_new_status(client, guide, learner):
    """The status card is kept per process for the status it shows: each change, with or
    without JavaScript, is on the very next page."""
    client.force_login(learner)
    milestone = guide.milestones.get(slug="milestone-3")
    url = milestone.get_absolute_url()
    assert "Not started</span>" in card(client.get(url).content.decode(), "milestone-status")

    for status, label in [
        ("in_progress", "In progress"),
        ("done", "Done"),
        ("known", "Already know it"),
    ]:
        client.post(status_url(milestone), {"status": status})

        shown = card(client.get(url).content.decode(), "milestone-status")
        assert f"{label}</span>" in shown, (status, shown)
        assert f'id="status-milestone-3-{status}" name="status" value="{status}" ' in shown
        pressed = shown.split(f'id="status-milestone-3-{status}"', 1)[1]
        assert pressed.split(">", 1)[0].count('aria-pressed="true"') == 1

    html = client.post(
        status_url(milestone),
        {"status": "not_started", "view": "milestone"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Not started</span>" in card(html, "milestone-status")
    assert "Not started</span>" in card(client.get(url).content.decode(), "milestone-status")


def test_each_learner_sees_their_own_statuses_on_the_prerequisites(
    client, guide, learner, make_user
):
    """The milestone's content is kept per process, the prerequisites' badges are not."""
    milestone = guide.milestones.get(slug="milestone-3")
    required = guide.milestones.get(slug="milestone-0")
    progress_set_status(learner=learner, milestone=required, status=ProgressStatus.DONE)
    other = make_user("grace")

    client.force_login(learner)
    mine = client.get(milestone.get_absolute_url()).content.decode()
    client.force_login(other)
    theirs = client.get(milestone.get_absolute_url()).content.decode()

    assert "Done" in required_list(mine)
    assert "Not started" in required_list(theirs)
    assert "finishing" not in card(mine, "milestone-status")
    assert "Milestone 0</a> first." in card(theirs, "milestone-status")


def test_the_milestone_page_shows_an_editors_change_at_once(client, guide, learner):
    client.force_login(learner)
    milestone = guide.milestones.get(slug="milestone-0")
    url = milestone.get_absolute_url()
    html = client.get(url).content.decode()
    assert "What milestone 0 teaches." in html
    assert "Docs 0" in html
    assert "Milestone 3" in html.split("This opens the way to", 1)[1]

    milestone.description = "Vectors, matrices and why they matter."
    milestone.save()
    resource = milestone.resources.get()
    resource.title = "The official docs"
    resource.save()
    MilestonePrerequisite.objects.filter(prerequisite=milestone).delete()

    html = client.get(url).content.decode()
    assert "Vectors, matrices and why they matter." in html
    assert "The official docs" in html
    assert "Docs 0" not in html
    assert "This opens the way to" not in html


def test_a_milestone_lists_what_another_guide_builds_on_it_and_its_latest_title(
    client, guide, make_guide, learner
):
    """Prerequisites may link two guides: a change at one end shows on the other's page."""
    client.force_login(learner)
    milestone = guide.milestones.get(slug="milestone-0")
    later = make_guide(slug="other-guide", milestones=1).milestones.get()
    assert "This opens the way to" in client.get(milestone.get_absolute_url()).content.decode()

    MilestonePrerequisite.objects.create(milestone=later, prerequisite=milestone)
    html = client.get(milestone.get_absolute_url()).content.decode()
    assert f'href="{later.get_absolute_url()}">Milestone 0</a>' in html

    later.title = "Testing in another guide"
    later.save()
    html = client.get(milestone.get_absolute_url()).content.decode()
    assert f'href="{later.get_absolute_url()}">Testing in another guide</a>' in html


def test_each_learner_sees_their_own_notes_and_mentors_in_the_forms(
    client, guide, learner, make_user, make_mentorship
):
    """The forms' markup is kept for each state they show: a note or a mentor of one
    learner's never shows in another's form."""
    milestone = guide.milestones.get(slug="milestone-0")
    other = make_user("grace")
    for person, mentor_name in [(learner, "marco"), (other, "nadia")]:
        make_mentorship(make_user(mentor_name), person)
        progress_set_status(learner=person, milestone=milestone, status=ProgressStatus.DONE)
    client.force_login(learner)
    client.post(notes_url(milestone), {"note": "Chapter 2 was hard", "evidence_url": ""})
    mine = client.get(milestone.get_absolute_url()).content.decode()
    client.force_login(other)
    theirs = client.get(milestone.get_absolute_url()).content.decode()

    assert "Chapter 2 was hard</textarea>" in mine
    assert "Chapter 2 was hard" not in theirs
    assert ">marco</option>" in mine
    assert "nadia" not in mine
    assert ">nadia</option>" in theirs
    assert "marco" not in theirs

    response = client.post(notes_url(milestone), {"note": "x", "evidence_url": "ftp://no"})
    assert "Enter a web address that starts with http:// or https://." in response.content.decode()
    html = client.get(milestone.get_absolute_url()).content.decode()
    assert "Enter a web address" not in html
    assert 'name="note"' in html
    assert "ftp://no" not in html
