"""The conversation on a milestone (tracker.services.threads and the review services that
write into it): who may write, what each message is, needs work, what waits for whom,
the batched mail, and the reviews moved into threads by the migration."""

import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.test import override_settings

from tracker import tasks
from tracker.models import (
    MESSAGE_MAX_LENGTH,
    MentorshipStatus,
    Message,
    MessageKind,
    Notification,
    Profile,
    ReviewRequest,
    ReviewStatus,
    Thread,
)
from tracker.selectors.threads import needs_work_get, thread_get
from tracker.services.mentoring import (
    MentoringError,
    mentorship_end,
    review_decide,
    review_request,
    thread_verdict,
)
from tracker.services.threads import (
    ThreadError,
    message_post,
    new_messages_mail_record,
    thread_mark_read,
)

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def pair(make_user, make_mentorship, short_milestones):
    learner, mentor = make_user("lena"), make_user("marco")
    mentorship = make_mentorship(mentor, learner)
    return learner, mentor, mentorship, short_milestones[0]


def kinds(thread: Thread) -> list[str]:
    return list(thread.messages.order_by("created_at", "id").values_list("kind", flat=True))


def test_a_learner_asks_before_starting_and_the_mentor_replies(pair):
    learner, mentor, _, milestone = pair
    message_post(author=learner, learner=learner, milestone=milestone, body="Where to begin?")
    message_post(author=mentor, learner=learner, milestone=milestone, body="With chapter 1.")
    message_post(author=learner, learner=learner, milestone=milestone, body="Thanks!")

    thread = Thread.objects.get(learner=learner, milestone=milestone)
    assert kinds(thread) == [MessageKind.QUESTION, MessageKind.REPLY, MessageKind.REPLY]
    assert (thread.last_author, thread.last_kind) == (learner, MessageKind.REPLY)


def test_one_thread_per_learner_and_milestone(pair):
    learner, _, _, milestone = pair
    for body in ("one", "two", "three"):
        message_post(author=learner, learner=learner, milestone=milestone, body=body)
    assert Thread.objects.filter(learner=learner, milestone=milestone).count() == 1


@pytest.mark.parametrize("status", [MentorshipStatus.ENDED, MentorshipStatus.PENDING])
def test_only_active_mentors_may_write(pair, make_user, make_mentorship, status):
    learner, _, _, milestone = pair
    other = make_user("other")
    make_mentorship(other, learner, status)
    with pytest.raises(ThreadError):
        message_post(author=other, learner=learner, milestone=milestone, body="Hello")
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [("   ", "Write a message first."), ("x" * (MESSAGE_MAX_LENGTH + 1), "Keep the message")],
)
def test_an_empty_or_too_long_message_is_refused(pair, body, error):
    learner, _, _, milestone = pair
    with pytest.raises(ThreadError, match=error):
        message_post(author=learner, learner=learner, milestone=milestone, body=body)
    assert not Message.objects.exists()


def test_a_review_and_its_verdict_are_messages_of_the_thread(pair, complete):
    learner, _, mentorship, milestone = pair
    complete(learner, [milestone])
    review = review_request(
        mentee=learner, milestone=milestone, mentorship=mentorship, message="Done!"
    )
    review_decide(review=review, verdict=ReviewStatus.CHANGES_REQUESTED, comment="Add tests.")

    thread = Thread.objects.get(learner=learner, milestone=milestone)
    messages = list(thread.messages.order_by("id").values_list("kind", "body"))
    assert messages == [
        (MessageKind.REVIEW_REQUEST, "Done!"),
        (MessageKind.CHANGES_REQUESTED, "Add tests."),
    ]


def test_changes_requested_means_needs_work_until_a_new_review_request(pair, complete):
    learner, _, mentorship, milestone = pair
    complete(learner, [milestone])
    review = review_request(mentee=learner, milestone=milestone, mentorship=mentorship, message="")
    review_decide(review=review, verdict=ReviewStatus.CHANGES_REQUESTED, comment="More.")
    assert needs_work_get(learner=learner, guide=milestone.guide) == {milestone.pk}
    assert thread_get(learner=learner, milestone=milestone)["needs_work"]

    review_request(mentee=learner, milestone=milestone, mentorship=mentorship, message="Again")
    assert needs_work_get(learner=learner, guide=milestone.guide) == frozenset()


def test_a_verdict_in_the_thread_without_a_request_verifies(pair, complete):
    learner, mentor, _, milestone = pair
    complete(learner, [milestone])
    thread = Thread.objects.create(learner=learner, milestone=milestone)
    thread_verdict(mentor=mentor, thread=thread, verdict=ReviewStatus.APPROVED, comment="Good")

    progress = learner.progress.get(milestone=milestone)
    assert progress.verified_by == mentor
    assert kinds(thread) == [MessageKind.APPROVED]


def test_a_verdict_in_the_thread_answers_the_mentors_waiting_request(pair, complete):
    learner, mentor, mentorship, milestone = pair
    complete(learner, [milestone])
    review = review_request(mentee=learner, milestone=milestone, mentorship=mentorship, message="")
    thread = Thread.objects.get(learner=learner, milestone=milestone)
    thread_verdict(mentor=mentor, thread=thread, verdict=ReviewStatus.APPROVED, comment="")

    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert kinds(thread) == [MessageKind.REVIEW_REQUEST, MessageKind.APPROVED]


def test_no_verdict_on_a_milestone_that_is_not_done(pair):
    learner, mentor, _, milestone = pair
    thread = Thread.objects.create(learner=learner, milestone=milestone)
    with pytest.raises(MentoringError, match="marked as done"):
        thread_verdict(mentor=mentor, thread=thread, verdict=ReviewStatus.APPROVED, comment="")


def test_a_former_mentor_gives_no_verdict_and_the_history_stays(pair, complete):
    learner, mentor, mentorship, milestone = pair
    complete(learner, [milestone])
    message_post(author=learner, learner=learner, milestone=milestone, body="Look?")
    mentorship_end(mentorship=mentorship)
    thread = Thread.objects.get(learner=learner, milestone=milestone)
    with pytest.raises(MentoringError, match="ended"):
        thread_verdict(mentor=mentor, thread=thread, verdict=ReviewStatus.APPROVED, comment="")
    assert thread_get(learner=learner, milestone=milestone)["thread_messages"][0].body == "Look?"


def test_what_waits_for_whom(pair, make_user, make_mentorship):
    learner, mentor, _, milestone = pair
    assert Thread.objects.waiting_counts(learner) == (0, 0)
    message_post(author=learner, learner=learner, milestone=milestone, body="Help?")
    assert Thread.objects.waiting_counts(mentor) == (0, 1)
    assert Thread.objects.waiting_counts(learner) == (0, 0)

    thread = Thread.objects.get()
    thread_mark_read(thread=thread, person=mentor)
    assert Thread.objects.waiting_counts(mentor) == (0, 1), "a read question still waits"

    message_post(author=mentor, learner=learner, milestone=milestone, body="Sure.")
    assert Thread.objects.waiting_counts(mentor) == (0, 0)
    assert Thread.objects.waiting_counts(learner) == (1, 0)
    thread_mark_read(thread=thread, person=learner)
    assert Thread.objects.waiting_counts(learner) == (0, 0)

    stranger = make_user("stranger")
    assert Thread.objects.waiting_counts(stranger) == (0, 0)


@override_settings(TASKS=DUMMY_TASKS)
def test_a_burst_of_replies_sends_one_mail_and_a_rerun_none(pair):
    learner, mentor, _, milestone = pair
    message_post(author=learner, learner=learner, milestone=milestone, body="Q")
    for body in ("First", "Second", "Third"):
        message_post(author=mentor, learner=learner, milestone=milestone, body=body)

    mail_of_learner = new_messages_mail_record(person_id=learner.pk)
    assert mail_of_learner is not None
    assert mail_of_learner.recipient == learner.email
    assert all(word in mail_of_learner.body for word in ("First", "Second", "Third"))
    assert "3 new messages" in mail_of_learner.subject
    assert new_messages_mail_record(person_id=learner.pk) is None
    assert Notification.objects.filter(recipient=learner.email).count() == 1


@override_settings(TASKS=DUMMY_TASKS)
def test_no_mail_about_messages_already_read_or_when_turned_off(pair):
    learner, mentor, _, milestone = pair
    message_post(author=mentor, learner=learner, milestone=milestone, body="Read me")
    thread_mark_read(thread=Thread.objects.get(), person=learner)
    assert new_messages_mail_record(person_id=learner.pk) is None

    Profile.objects.filter(user=mentor).update(mail_new_messages=False)
    message_post(author=learner, learner=learner, milestone=milestone, body="Hello")
    assert new_messages_mail_record(person_id=mentor.pk) is None


def test_the_task_sends_the_mail_through_the_outbox(pair):
    learner, mentor, _, milestone = pair
    mail.outbox.clear()
    message_post(author=mentor, learner=learner, milestone=milestone, body="Ping")
    assert [message.to for message in mail.outbox] == [[learner.email]]
    assert "Ping" in mail.outbox[0].body
    assert tasks.new_messages_mail.call(person_id=learner.pk) == "nothing new"
    assert len(mail.outbox) == 1


def test_the_migration_moves_every_review_into_threads(pair, complete):
    learner, mentor, mentorship, milestone = pair
    complete(learner, [milestone])
    review = review_request(
        mentee=learner, milestone=milestone, mentorship=mentorship, message="Hi"
    )
    review_decide(review=review, verdict=ReviewStatus.APPROVED, comment="Nice")
    Thread.objects.all().delete()  # as before the migration

    migration = importlib.import_module("tracker.migrations.0016_conversations")
    migration.reviews_into_threads(apps, None)

    thread = Thread.objects.get(learner=learner, milestone=milestone)
    rows = list(thread.messages.order_by("id").values_list("kind", "body", "author"))
    assert rows == [
        (MessageKind.REVIEW_REQUEST, "Hi", learner.pk),
        (MessageKind.APPROVED, "Nice", mentor.pk),
    ]
    assert (thread.last_kind, thread.last_author_id) == (MessageKind.APPROVED, mentor.pk)
    assert ReviewRequest.objects.count() == 1
