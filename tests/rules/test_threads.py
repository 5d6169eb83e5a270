"""What a milestone's conversation adds up to (tracker.rules.threads): needs work, and
the request still waiting for an answer, with its age."""

import datetime

import pytest

from tracker.models import MessageKind as K
from tracker.rules.threads import needs_work, needs_work_milestones, open_request, read_is_behind

NOW = datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC)
WEEK = datetime.timedelta(days=7)


def days_ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        pytest.param([], False, id="no-messages"),
        pytest.param([K.QUESTION, K.REPLY], False, id="questions-only"),
        pytest.param([K.REVIEW_REQUEST, K.CHANGES_REQUESTED], True, id="changes-requested"),
        pytest.param(
            [K.REVIEW_REQUEST, K.CHANGES_REQUESTED, K.REPLY, K.QUESTION],
            True,
            id="talk-after-the-verdict-keeps-it",
        ),
        pytest.param(
            [K.REVIEW_REQUEST, K.CHANGES_REQUESTED, K.REVIEW_REQUEST],
            False,
            id="asked-for-review-again",
        ),
        pytest.param(
            [K.CHANGES_REQUESTED, K.REVIEW_REQUEST, K.APPROVED], False, id="then-approved"
        ),
        pytest.param([K.APPROVED, K.CHANGES_REQUESTED], True, id="latest-verdict-counts"),
    ],
)
def test_needs_work_follows_the_latest_verdict_until_a_new_request(kinds, expected):
    assert needs_work(kinds) is expected


def test_needs_work_milestones_reads_each_thread_on_its_own():
    rows = [
        (1, K.REVIEW_REQUEST),
        (2, K.REVIEW_REQUEST),
        (1, K.CHANGES_REQUESTED),
        (2, K.CHANGES_REQUESTED),
        (2, K.REVIEW_REQUEST),
    ]
    assert needs_work_milestones(rows) == frozenset({1})


def test_an_unanswered_question_waits_since_it_was_asked():
    waiting = open_request([(K.QUESTION, days_ago(2), True)], now=NOW, overdue_after=WEEK)
    assert waiting is not None
    assert (waiting.kind, waiting.since, waiting.overdue) == (K.QUESTION, days_ago(2), False)


def test_a_mentors_reply_answers_it():
    messages = [(K.QUESTION, days_ago(3), True), (K.REPLY, days_ago(1), False)]
    assert open_request(messages, now=NOW, overdue_after=WEEK) is None


def test_the_learners_own_reply_does_not_answer_their_question():
    messages = [(K.QUESTION, days_ago(9), True), (K.QUESTION, days_ago(8), True)]
    waiting = open_request(messages, now=NOW, overdue_after=WEEK)
    assert waiting.since == days_ago(9)
    assert waiting.overdue


def test_a_review_request_after_a_question_is_what_waits_from_the_first_word():
    messages = [(K.QUESTION, days_ago(10), True), (K.REVIEW_REQUEST, days_ago(1), True)]
    waiting = open_request(messages, now=NOW, overdue_after=WEEK)
    assert (waiting.kind, waiting.since, waiting.overdue) == (K.REVIEW_REQUEST, days_ago(10), True)


def test_a_verdict_answers_a_review_request():
    messages = [(K.REVIEW_REQUEST, days_ago(10), True), (K.CHANGES_REQUESTED, days_ago(1), False)]
    assert open_request(messages, now=NOW, overdue_after=WEEK) is None


def test_overdue_only_past_the_set_number_of_days():
    fresh = open_request([(K.REVIEW_REQUEST, days_ago(6.9), True)], now=NOW, overdue_after=WEEK)
    old = open_request([(K.REVIEW_REQUEST, days_ago(7.1), True)], now=NOW, overdue_after=WEEK)
    assert not fresh.overdue
    assert old.overdue


def test_a_read_mark_is_behind_a_thread_only_when_older_than_its_last_message():
    last = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
    assert read_is_behind(last, None)
    assert read_is_behind(last, last - datetime.timedelta(seconds=1))
    assert not read_is_behind(last, last)
    assert not read_is_behind(last, last + datetime.timedelta(minutes=5))
    assert not read_is_behind(None, None)
