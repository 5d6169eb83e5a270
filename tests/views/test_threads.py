"""The conversation on a milestone, as each person meets it: who may read and write each
new URL, htmx and plain posting, bad input, needs work on the dashboard, the count in the
header, where a mentor lands after login, and the mentee's timeline."""

import datetime
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.selectors.test_progress import MILESTONE_PAGE_QUERIES
from tracker.models import (
    MESSAGE_MAX_LENGTH,
    MentorshipStatus,
    Message,
    MessageKind,
    ProgressEvent,
    ProgressStatus,
    ReviewStatus,
    Thread,
    ThreadRead,
)
from tracker.services.mentoring import review_decide, review_request
from tracker.services.threads import message_post

ROLES = ["mentee", "mentor", "former", "other_mentor", "other_learner", "staff", "anonymous"]


@pytest.fixture
def world(make_guide, make_user, make_mentorship, complete):
    guide = make_guide(milestones=3)
    m0, m1, m2 = guide.milestones.order_by("order")
    mentee = make_user("lena")
    people = {
        "mentee": mentee,
        "mentor": make_user("marco"),
        "former": make_user("former"),
        "other_mentor": make_user("othermentor"),
        "other_learner": make_user("otherlearner"),
        "staff": make_user("staff", is_staff=True, is_superuser=True),
        "anonymous": None,
    }
    complete(mentee, [m0])
    active = make_mentorship(people["mentor"], mentee)
    make_mentorship(people["former"], mentee, MentorshipStatus.ENDED)
    make_mentorship(people["other_mentor"], people["other_learner"])
    message_post(author=mentee, learner=mentee, milestone=m0, body="Is this right?")
    return {
        "guide": guide,
        "milestones": (m0, m1, m2),
        "people": people,
        "active": active,
        "thread": Thread.objects.get(learner=mentee, milestone=m0),
    }


def client_as(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def post_url(milestone) -> str:
    return reverse("tracker:thread_post", args=[milestone.guide.slug, milestone.slug])


def thread_url(thread) -> str:
    return reverse("tracker:thread", args=[thread.pk])


MENTOR_THREAD_GET = {
    "mentee": HTTPStatus.NOT_FOUND,  # the learner reads it on the milestone page
    "mentor": HTTPStatus.OK,
    "former": HTTPStatus.NOT_FOUND,
    "other_mentor": HTTPStatus.NOT_FOUND,
    "other_learner": HTTPStatus.NOT_FOUND,
    "staff": HTTPStatus.NOT_FOUND,
    "anonymous": HTTPStatus.FOUND,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_mentor_thread_page(world, role):
    response = client_as(world["people"][role]).get(thread_url(world["thread"]))
    assert response.status_code == MENTOR_THREAD_GET[role]
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    if response.status_code == HTTPStatus.OK:
        assert "Is this right?" in response.content.decode()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "mentor"])
def test_nobody_but_an_active_mentor_posts_in_a_mentees_thread(world, role):
    before = Message.objects.count()
    response = client_as(world["people"][role]).post(
        thread_url(world["thread"]), {"body": "Let me in", "action": "message"}
    )
    assert response.status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.FOUND)
    assert Message.objects.count() == before


def test_a_missing_thread_answers_like_someone_elses(world):
    client = client_as(world["people"]["mentor"])
    assert client.get(reverse("tracker:thread", args=[987_654])).status_code == 404


@pytest.mark.parametrize("role", ["mentor", "former", "other_mentor", "other_learner", "staff"])
def test_posting_on_a_milestone_writes_only_in_ones_own_thread(world, role):
    """The learner's URL always writes in the poster's own thread, never the mentee's."""
    m0 = world["milestones"][0]
    client_as(world["people"][role]).post(post_url(m0), {"body": "Mine"})
    assert list(world["thread"].messages.values_list("body", flat=True)) == ["Is this right?"]


def test_the_former_mentors_history_stays_with_the_learner(world, client):
    client.force_login(world["people"]["mentee"])
    page = client.get(world["milestones"][0].get_absolute_url()).content.decode()
    assert "Is this right?" in page
    assert 'id="conversation"' in page


def test_the_learner_asks_and_the_mentor_replies_without_javascript(world):
    mentee, mentor = world["people"]["mentee"], world["people"]["mentor"]
    m1 = world["milestones"][1]
    learner = client_as(mentee)
    response = learner.post(post_url(m1), {"body": "How do I start?\nAny tips?"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith("#conversation")
    thread = Thread.objects.get(learner=mentee, milestone=m1)

    response = client_as(mentor).post(
        thread_url(thread), {"body": "Read https://example.com/start first.", "action": "message"}
    )
    assert response.status_code == HTTPStatus.FOUND
    page = learner.get(m1.get_absolute_url()).content.decode()
    assert "How do I start?<br>Any tips?" in page
    assert (
        '<a href="https://example.com/start" rel="nofollow noopener">https://example.com/start</a>'
        in page
    )


def test_htmx_posting_swaps_the_conversation_in_place(world, client):
    client.force_login(world["people"]["mentee"])
    m0 = world["milestones"][0]
    response = client.post(post_url(m0), {"body": "One more thing"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert html.lstrip().startswith('<section class="card mb-3" id="conversation"')
    assert "One more thing" in html
    assert "<html" not in html


def test_a_message_is_escaped(world, client):
    client.force_login(world["people"]["mentee"])
    m0 = world["milestones"][0]
    client.post(post_url(m0), {"body": '<script>alert("x")</script> <b>bold</b>'})
    page = client.get(m0.get_absolute_url()).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page


@pytest.mark.parametrize("htmx", [False, True])
def test_a_too_long_message_is_refused_and_kept(world, client, htmx):
    client.force_login(world["people"]["mentee"])
    m0 = world["milestones"][0]
    body = "word " * (MESSAGE_MAX_LENGTH // 5) + "extra"
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(post_url(m0), {"body": body}, headers=headers)
    html = response.content.decode()
    assert response.status_code == (HTTPStatus.OK if htmx else HTTPStatus.BAD_REQUEST)
    assert "at most 4000 characters" in html or "Keep the message" in html
    assert body.strip() in html
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [{}, {"body": ""}, {"body": "   "}, {"body": "x", "action": "approved"}, {"action": "nope"}],
)
def test_bad_input_from_the_learner_never_writes_nor_fails(world, client, data):
    client.force_login(world["people"]["mentee"])
    response = client.post(post_url(world["milestones"][0]), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"body": "", "action": "message"},
        {"action": "maybe"},
        {"body": "x" * 2001, "action": "approved"},
    ],
)
def test_bad_input_from_the_mentor_never_writes_nor_fails(world, data):
    response = client_as(world["people"]["mentor"]).post(thread_url(world["thread"]), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Message.objects.count() == 1


def test_no_verdict_buttons_before_the_milestone_is_done(world):
    mentee, mentor = world["people"]["mentee"], world["people"]["mentor"]
    m1 = world["milestones"][1]
    message_post(author=mentee, learner=mentee, milestone=m1, body="Started")
    thread = Thread.objects.get(learner=mentee, milestone=m1)
    client = client_as(mentor)
    assert "Request changes" not in client.get(thread_url(thread)).content.decode()
    response = client.post(thread_url(thread), {"body": "ok", "action": "approved"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not thread.messages.filter(kind=MessageKind.APPROVED).exists()


def test_changes_requested_shows_needs_work_and_returns_to_next_up(world):
    mentee, mentor = world["people"]["mentee"], world["people"]["mentor"]
    m0 = world["milestones"][0]
    client = client_as(mentor)
    response = client.post(
        thread_url(world["thread"]), {"body": "Add tests.", "action": "changes_requested"}
    )
    assert response.status_code == HTTPStatus.FOUND

    learner = client_as(mentee)
    dashboard = learner.get(reverse("tracker:dashboard")).content.decode()
    next_up = dashboard.split('id="next-heading"', 1)[1].split("</section>", 1)[0]
    assert m0.title in next_up
    assert "Needs work" in next_up
    milestone_page = learner.get(m0.get_absolute_url()).content.decode()
    assert "Needs work" in milestone_page.split('id="milestone-status"', 1)[1]

    review_request(mentee=mentee, milestone=m0, mentorship=world["active"], message="Fixed")
    dashboard = learner.get(reverse("tracker:dashboard")).content.decode()
    next_up = dashboard.split('id="next-heading"', 1)[1].split("</section>", 1)[0]
    assert m0.title not in next_up
    assert "Needs work" not in next_up


def test_the_header_counts_what_waits_for_each_person(world):
    mentee, mentor = world["people"]["mentee"], world["people"]["mentor"]
    mentor_client = client_as(mentor)
    page = mentor_client.get(reverse("tracker:guides")).content.decode()
    assert '1<span class="visually-hidden"> conversation waits for you' in page

    mentor_client.post(thread_url(world["thread"]), {"body": "Yes.", "action": "message"})
    page = mentor_client.get(reverse("tracker:guides")).content.decode()
    assert 'id="nav-attention"' not in page

    learner = client_as(mentee)
    page = learner.get(reverse("tracker:dashboard")).content.decode()
    assert 'id="nav-attention"' in page
    learner.get(world["milestones"][0].get_absolute_url())  # reads the reply
    page = learner.get(reverse("tracker:dashboard")).content.decode()
    assert 'id="nav-attention"' not in page


def test_the_learner_marks_a_reply_read_by_seeing_it_and_only_then(world):
    """Seeing the milestone page marks its thread read when something in it is new, and
    writes nothing on a visit with nothing new."""
    mentee, mentor = world["people"]["mentee"], world["people"]["mentor"]
    client_as(mentor).post(thread_url(world["thread"]), {"body": "Yes.", "action": "message"})
    learner = client_as(mentee)
    url = world["milestones"][0].get_absolute_url()
    assert not ThreadRead.objects.filter(person=mentee, read_at__gte=reply_time(world)).exists()

    assert "Yes." in learner.get(url).content.decode()
    mark = ThreadRead.objects.get(thread=world["thread"], person=mentee)
    assert mark.read_at >= reply_time(world)

    with CaptureQueriesContext(connection) as queries:
        learner.get(url)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert ThreadRead.objects.get(pk=mark.pk).read_at == mark.read_at


def reply_time(world):
    return Thread.objects.get(pk=world["thread"].pk).last_message_at


def test_a_former_mentors_messages_keep_their_names(world, client):
    """The authors come with the mentors already loaded; one who mentors no more is read
    for their messages all the same."""
    mentee, former = world["people"]["mentee"], world["people"]["former"]
    Message.objects.create(
        thread=world["thread"], author=former, kind=MessageKind.REPLY, body="Old advice."
    )
    client.force_login(mentee)
    page = client.get(world["milestones"][0].get_absolute_url()).content.decode()
    conversation = page.split('id="conversation"', 1)[1]
    assert '<strong class="text-body">former</strong>' in conversation
    assert '<strong class="text-body">marco</strong>' not in conversation


def test_the_header_count_costs_no_query_once_warm(world, django_assert_num_queries):
    client = client_as(world["people"]["mentor"])
    client.get(reverse("tracker:mentoring"))
    with django_assert_num_queries(2):  # the session with its user, the page's versions
        client.get(reverse("tracker:mentoring"))


def test_the_mentoring_page_lists_waiting_conversations_and_flags_old_ones(world, settings):
    mentor = world["people"]["mentor"]
    page = client_as(mentor).get(reverse("tracker:mentoring")).content.decode()
    waiting = page.split('id="waiting-threads-heading"', 1)[1].split("</section>", 1)[0]
    assert world["milestones"][0].title in waiting
    assert "Overdue" not in waiting

    old = timezone.now() - datetime.timedelta(days=settings.REVIEW_OVERDUE_DAYS + 1)
    Thread.objects.filter(pk=world["thread"].pk).update(last_message_at=old)
    Message.objects.update(created_at=old)
    message_post(
        author=world["people"]["mentee"],
        learner=world["people"]["mentee"],
        milestone=world["milestones"][1],
        body="New",
    )  # bumps the page's versions
    page = client_as(mentor).get(reverse("tracker:mentoring")).content.decode()
    waiting = page.split('id="waiting-threads-heading"', 1)[1].split("</section>", 1)[0]
    assert "Overdue" in waiting


def test_an_overdue_request_offers_the_learner_another_mentor(world, settings):
    mentee = world["people"]["mentee"]
    old = timezone.now() - datetime.timedelta(days=settings.REVIEW_OVERDUE_DAYS + 1)
    Message.objects.update(created_at=old)
    page = client_as(mentee).get(world["milestones"][0].get_absolute_url()).content.decode()
    conversation = page.split('id="conversation"', 1)[1]
    assert f"Waiting over {settings.REVIEW_OVERDUE_DAYS} days" in conversation
    assert "invite another mentor" in conversation


@pytest.mark.parametrize(
    ("who", "landing"),
    [("mentor", "tracker:mentoring"), ("mentee", "tracker:dashboard")],
)
def test_a_person_with_active_mentees_lands_on_mentoring(world, who, landing):
    user = world["people"][who]
    response = Client().post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response["Location"] == reverse(landing)


def test_next_still_wins_after_login(world):
    user = world["people"]["mentor"]
    target = reverse("tracker:settings")
    response = Client().post(
        reverse("login") + f"?next={target}", {"username": user.username, "password": PASSWORD}
    )
    assert response["Location"] == target


def test_the_plan_is_one_click_away_for_a_mentor(world):
    page = client_as(world["people"]["mentor"]).get(reverse("tracker:mentoring"))
    assert f'href="{reverse("tracker:dashboard")}"' in page.content.decode()


def make_events(learner, milestone, count: int) -> None:
    now = timezone.now()
    ProgressEvent.objects.bulk_create(
        ProgressEvent(
            learner=learner,
            milestone=milestone,
            actor=learner,
            old_status=ProgressStatus.NOT_STARTED,
            new_status=ProgressStatus.IN_PROGRESS,
            created_at=now - datetime.timedelta(minutes=i),
        )
        for i in range(count)
    )


@pytest.mark.parametrize("events", [1, 200])
def test_the_timeline_costs_the_same_for_1_or_200_events(
    world, events, django_assert_max_num_queries
):
    mentee = world["people"]["mentee"]
    ProgressEvent.objects.all().delete()
    make_events(mentee, world["milestones"][1], events)
    client = client_as(world["people"]["mentor"])
    client.get(reverse("tracker:mentee", args=[mentee.username]))
    with django_assert_max_num_queries(16):
        page = client.get(reverse("tracker:mentee", args=[mentee.username])).content.decode()
    timeline = page.split('id="timeline-heading"', 1)[1]
    assert "asked a question" in timeline
    assert ("Older" in timeline) is (events + 1 > 50)


def test_the_timeline_pages_through_everything_newest_first(world):
    mentee = world["people"]["mentee"]
    ProgressEvent.objects.all().delete()
    make_events(mentee, world["milestones"][1], 120)
    client = client_as(world["people"]["mentor"])
    url = reverse("tracker:mentee", args=[mentee.username])
    first = client.get(url).content.decode().split('id="timeline-heading"', 1)[1]
    assert "asked a question" in first  # the newest event
    last = client.get(url + "?page=3").content.decode().split('id="timeline-heading"', 1)[1]
    assert "Page 3 of 3" in last
    assert "asked a question" not in last
    assert client.get(url + "?page=zzz").status_code == HTTPStatus.OK


def test_the_timeline_shows_verdicts(world):
    mentee = world["people"]["mentee"]
    m0 = world["milestones"][0]
    review = review_request(mentee=mentee, milestone=m0, mentorship=world["active"], message="")
    review_decide(review=review, verdict=ReviewStatus.CHANGES_REQUESTED, comment="More tests")
    page = client_as(world["people"]["mentor"]).get(
        reverse("tracker:mentee", args=[mentee.username])
    )
    timeline = page.content.decode().split('id="timeline-heading"', 1)[1]
    assert "asked for changes on" in timeline
    assert "More tests" in timeline


@pytest.mark.parametrize("count", [1, 60])
def test_a_thread_costs_the_same_for_1_or_60_messages(world, count, django_assert_max_num_queries):
    mentee, mentor = world["people"]["mentee"], world["people"]["mentor"]
    m0 = world["milestones"][0]
    for i in range(count - 1):
        author = mentor if i % 2 else mentee
        message_post(author=author, learner=mentee, milestone=m0, body=f"Message {i}")
    mentor_client, learner_client = client_as(mentor), client_as(mentee)
    mentor_client.get(thread_url(world["thread"]))
    learner_client.get(m0.get_absolute_url())
    with django_assert_max_num_queries(14):
        page = mentor_client.get(thread_url(world["thread"])).content.decode()
    assert page.count('<li class="thread-message') == count
    # The learner's page: as tests.selectors.test_progress.MILESTONE_PAGE_QUERIES, plus
    # the guide, which is not the one the learner chose.
    with django_assert_max_num_queries(MILESTONE_PAGE_QUERIES + 1):
        page = learner_client.get(m0.get_absolute_url()).content.decode()
    assert page.count('<li class="thread-message') == count


def test_the_mail_preference_is_a_setting(world, client):
    mentee = world["people"]["mentee"]
    client.force_login(mentee)
    page = client.get(reverse("tracker:settings")).content.decode()
    assert "Mail me about new messages" in page
    client.post(reverse("tracker:settings"), {"display_name": "Lena"})
    mentee.profile.refresh_from_db()
    assert mentee.profile.mail_new_messages is False
