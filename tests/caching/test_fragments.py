"""The guide page's milestone items are kept per process (tracker.caching.fragments): each
learner still sees their own statuses, their own CSRF token, and an editor's change at once."""

import re
from http import HTTPStatus

import pytest
from django.test import Client

from tests.conftest import PASSWORD, status_url
from tracker.caching import fragments
from tracker.models import Milestone, Progress, ProgressStatus
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
