"""Marking milestones: the service's history and timestamps, and the status and notes views."""

import itertools
import threading
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.db import connection
from django.urls import reverse

from tracker.models import (
    Milestone,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewRequest,
    ReviewStatus,
)
from tracker.services.progress import progress_set_status

DONE = ProgressStatus.DONE
IN_PROGRESS = ProgressStatus.IN_PROGRESS
NOT_STARTED = ProgressStatus.NOT_STARTED


@pytest.fixture
def guide(make_guide):
    # Six milestones in three pillars; milestone-3 has milestone-0 as its prerequisite.
    return make_guide(milestones=6)


@pytest.fixture
def milestone(guide):
    return Milestone.objects.get(guide=guide, slug="milestone-0")


def status_url(milestone):
    return reverse("tracker:progress_status", args=[milestone.guide.slug, milestone.slug])


def notes_url(milestone):
    return reverse("tracker:progress_notes", args=[milestone.guide.slug, milestone.slug])


def events_of(learner, milestone):
    return list(ProgressEvent.objects.filter(learner=learner, milestone=milestone).order_by("id"))


# --- the service -------------------------------------------------------------------------


def test_first_status_creates_one_row_and_one_event(learner, milestone):
    progress_set_status(learner=learner, milestone=milestone, status=IN_PROGRESS)

    row = Progress.objects.get(learner=learner, milestone=milestone)
    assert row.status == IN_PROGRESS
    [event] = events_of(learner, milestone)
    assert (event.old_status, event.new_status) == (NOT_STARTED, IN_PROGRESS)
    assert event.actor == learner


def test_setting_the_same_status_again_records_nothing_new(learner, milestone):
    progress_set_status(learner=learner, milestone=milestone, status=DONE)
    progress_set_status(learner=learner, milestone=milestone, status=DONE)

    assert Progress.objects.filter(learner=learner, milestone=milestone).count() == 1
    assert len(events_of(learner, milestone)) == 1


def test_not_started_on_an_untouched_milestone_is_not_a_change(learner, milestone):
    progress_set_status(learner=learner, milestone=milestone, status=NOT_STARTED)

    assert events_of(learner, milestone) == []


def test_every_change_is_one_event_forming_a_chain(learner, milestone):
    for status in [IN_PROGRESS, DONE, IN_PROGRESS, NOT_STARTED, DONE]:
        progress_set_status(learner=learner, milestone=milestone, status=status)

    events = events_of(learner, milestone)
    assert [(e.old_status, e.new_status) for e in events] == [
        (NOT_STARTED, IN_PROGRESS),
        (IN_PROGRESS, DONE),
        (DONE, IN_PROGRESS),
        (IN_PROGRESS, NOT_STARTED),
        (NOT_STARTED, DONE),
    ]
    assert Progress.objects.get(learner=learner, milestone=milestone).status == DONE


def test_started_and_completed_timestamps_follow_the_status(learner, milestone):
    row = progress_set_status(learner=learner, milestone=milestone, status=IN_PROGRESS)
    assert row.started_at is not None
    assert row.completed_at is None
    started = row.started_at

    row = progress_set_status(learner=learner, milestone=milestone, status=DONE)
    assert row.started_at == started, "finishing keeps the moment the learner started"
    assert row.completed_at is not None

    row = progress_set_status(learner=learner, milestone=milestone, status=IN_PROGRESS)
    assert row.started_at == started
    assert row.completed_at is None

    row = progress_set_status(learner=learner, milestone=milestone, status=NOT_STARTED)
    assert row.started_at is None
    assert row.completed_at is None

    row.refresh_from_db()
    assert (row.started_at, row.completed_at) == (None, None)


def test_done_straight_from_not_started_sets_both_timestamps(learner, milestone):
    row = progress_set_status(learner=learner, milestone=milestone, status=DONE)
    row.refresh_from_db()
    assert row.started_at is not None
    assert row.completed_at is not None


def test_leaving_done_withdraws_verification_and_closes_waiting_reviews(
    learner, make_user, make_mentorship, milestone
):
    mentor = make_user("mentor")
    mentorship = make_mentorship(mentor, learner)
    other_mentorship = make_mentorship(make_user("other-mentor"), learner)
    row = progress_set_status(learner=learner, milestone=milestone, status=DONE)
    approved = ReviewRequest.objects.create(
        progress=row, mentorship=other_mentorship, status=ReviewStatus.APPROVED
    )
    waiting = ReviewRequest.objects.create(progress=row, mentorship=mentorship)
    Progress.objects.filter(pk=row.pk).update(verified_at=row.completed_at, verified_by=mentor)

    row = progress_set_status(learner=learner, milestone=milestone, status=IN_PROGRESS)

    row.refresh_from_db()
    assert row.verified_at is None
    assert row.verified_by is None
    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.CLOSED
    assert waiting.decided_at is not None
    assert waiting.closed_reason
    approved.refresh_from_db()
    assert approved.status == ReviewStatus.APPROVED, "a past verdict stays in the history"


def test_an_unknown_status_is_refused_and_writes_nothing(learner, milestone):
    with pytest.raises(ValueError, match="finished"):
        progress_set_status(learner=learner, milestone=milestone, status="finished")

    assert not Progress.objects.filter(learner=learner).exists()
    assert not ProgressEvent.objects.filter(learner=learner).exists()


# --- the status view without JavaScript --------------------------------------------------


def test_status_post_redirects_back_to_a_safe_next_with_a_message(client, learner, milestone):
    client.force_login(learner)
    guide_url = reverse("tracker:guide", args=[milestone.guide.slug])

    response = client.post(
        status_url(milestone), {"status": "done", "next": guide_url}, follow=True
    )

    assert response.redirect_chain == [(guide_url, HTTPStatus.FOUND)]
    assert "“Milestone 0” is now marked as done." in [str(m) for m in response.context["messages"]]
    assert Progress.objects.get(learner=learner, milestone=milestone).status == DONE


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/dashboard/",
        "javascript:alert(1)",
        "/\\evil.example/",
        "///evil.example/",
        "https:/evil.example/",
        "",
    ],
)
def test_status_post_never_redirects_to_another_site(client, learner, milestone, next_url):
    client.force_login(learner)

    response = client.post(status_url(milestone), {"status": "in_progress", "next": next_url})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == milestone.get_absolute_url()
    assert Progress.objects.get(learner=learner, milestone=milestone).status == IN_PROGRESS


# --- the status view with htmx -----------------------------------------------------------


def htmx_post(client, milestone, status, view):
    return client.post(
        status_url(milestone),
        {"status": status, "view": view, "next": "/"},
        headers={"HX-Request": "true"},
    )


def test_htmx_on_the_guide_returns_the_item_and_an_updated_summary(client, learner, milestone):
    client.force_login(learner)

    response = htmx_post(client, milestone, "done", "guide")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<html" not in html, "a fragment, not a whole page"
    assert html.lstrip().startswith('<li class="milestone-item" id="m-milestone-0">')
    assert 'aria-label="Mark Milestone 0 as done"' in html
    assert 'id="progress-summary"' in html
    summary = html[html.index('id="progress-summary"') :]
    assert 'hx-swap-oob="true"' in summary[: summary.index(">")]
    assert "<strong>17%</strong> · 1 of 6 milestones" in summary


def test_htmx_on_the_dashboard_returns_the_dashboard_body(client, learner, milestone):
    client.force_login(learner)

    response = htmx_post(client, milestone, "done", "dashboard")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="dashboard-body">')
    assert "<strong>17%</strong> · 1 of 6 milestones" in html


def test_htmx_on_the_milestone_page_returns_the_status_card(client, learner, milestone):
    client.force_login(learner)

    response = htmx_post(client, milestone, "in_progress", "milestone")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="milestone-status"' in html
    assert "In progress</span>" in html
    assert 'aria-pressed="true" aria-label="Mark Milestone 0 as in progress"' in html


# --- accessible names --------------------------------------------------------------------


class StatusButtons(HTMLParser):
    def __init__(self):
        super().__init__()
        self.labels: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "button" and attrs.get("name") == "status":
            self.labels.append(attrs.get("aria-label") or "")


def status_button_labels(html: str) -> list[str]:
    parser = StatusButtons()
    parser.feed(html)
    return parser.labels


def test_every_status_button_on_the_guide_names_its_milestone(client, learner, guide):
    client.force_login(learner)

    response = client.get(reverse("tracker:guide", args=[guide.slug]))

    labels = status_button_labels(response.content.decode())
    expected = [
        f"Mark {m.title} as {label}"
        for m in Milestone.objects.filter(guide=guide)
        for label in ("not started", "in progress", "done")
    ]
    assert sorted(labels) == sorted(expected)


def test_the_status_buttons_on_the_dashboard_name_their_milestones(client, learner, guide):
    client.force_login(learner)

    response = client.get(reverse("tracker:dashboard"))

    labels = status_button_labels(response.content.decode())
    assert len(labels) == 9, "three buttons for each of the three suggestions"
    assert "Mark Milestone 0 as done" in labels
    assert all(label.startswith("Mark Milestone ") for label in labels)


def test_the_status_buttons_on_a_milestone_page_name_it(client, learner, milestone):
    client.force_login(learner)

    response = client.get(milestone.get_absolute_url())

    assert status_button_labels(response.content.decode()) == [
        "Mark Milestone 0 as not started",
        "Mark Milestone 0 as in progress",
        "Mark Milestone 0 as done",
    ]


# --- notes and evidence ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "x" * 2001, "evidence_url": ""}, "at most 2000 characters"),
        (
            {"note": "", "evidence_url": "javascript:alert(1)"},
            "Enter a web address that starts with http:// or https://.",
        ),
        (
            {"note": "", "evidence_url": "ftp://x"},
            "Enter a web address that starts with http:// or https://.",
        ),
    ],
    ids=["long-note", "javascript-url", "ftp-url"],
)
def test_bad_notes_are_refused_with_a_message_and_nothing_is_written(
    client, learner, milestone, data, message
):
    client.force_login(learner)
    progress_set_status(learner=learner, milestone=milestone, status=IN_PROGRESS)

    response = client.post(notes_url(milestone), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    row = Progress.objects.get(learner=learner, milestone=milestone)
    assert (row.note, row.evidence_url) == ("", "")


def test_notes_and_an_https_link_are_saved(client, learner, milestone):
    client.force_login(learner)

    response = client.post(
        notes_url(milestone),
        {"note": "Worked through chapter 2.", "evidence_url": "https://github.com/me/repo"},
        follow=True,
    )

    assert response.redirect_chain == [(milestone.get_absolute_url(), HTTPStatus.FOUND)]
    assert "Your notes are saved." in [str(m) for m in response.context["messages"]]
    row = Progress.objects.get(learner=learner, milestone=milestone)
    assert row.note == "Worked through chapter 2."
    assert row.evidence_url == "https://github.com/me/repo"
    assert row.status == NOT_STARTED
    assert "https://github.com/me/repo" in response.content.decode()


# --- prerequisites are advice, not a lock ------------------------------------------------


def test_a_milestone_can_be_started_before_its_prerequisites(client, learner, guide):
    later = Milestone.objects.get(guide=guide, slug="milestone-3")
    assert [p.slug for p in later.prerequisites.all()] == ["milestone-0"]
    client.force_login(learner)

    client.post(status_url(later), {"status": "in_progress"})

    assert Progress.objects.get(learner=learner, milestone=later).status == IN_PROGRESS
    page = client.get(later.get_absolute_url()).content.decode()
    assert "the guide suggests finishing" in page
    suggestion = page[page.index("the guide suggests finishing") :]
    assert ">Milestone 0</a>" in suggestion[: suggestion.index("</p>")]


def test_finished_prerequisites_are_no_longer_suggested(client, learner, guide, complete):
    later = Milestone.objects.get(guide=guide, slug="milestone-3")
    complete(learner, [Milestone.objects.get(guide=guide, slug="milestone-0")])
    client.force_login(learner)

    page = client.get(later.get_absolute_url()).content.decode()

    assert "the guide suggests finishing" not in page


# --- two requests at once ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_status_changes_keep_one_row_and_a_consistent_history(make_guide, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so nothing would race")
    guide = make_guide(milestones=3)
    learner = make_user("racer")
    milestone = Milestone.objects.get(guide=guide, slug="milestone-0")
    threads_count = 8
    statuses = [[IN_PROGRESS, DONE, NOT_STARTED][n % 3] for n in range(threads_count)]
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def work(status):
        try:
            barrier.wait(timeout=10)
            progress_set_status(learner=learner, milestone=milestone, status=status)
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(s,)) for s in statuses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    [row] = Progress.objects.filter(learner=learner, milestone=milestone)
    events = events_of(learner, milestone)
    assert events, "at least one thread changed the status"
    assert events[0].old_status == NOT_STARTED
    for before, after in itertools.pairwise(events):
        assert after.old_status == before.new_status
    for event in events:
        assert event.old_status != event.new_status
    assert events[-1].new_status == row.status
