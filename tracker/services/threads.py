"""Writes of the conversation on a milestone: messages, verdicts, read marks, and the
batched mail that tells each person about new messages.

A message bumps the learner's ``progress_version`` (tracker.caching.versions): the
dashboard's "Next up" and both sides' mentoring pages show what the thread says.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from tracker import tasks
from tracker.caching.versions import attention_changed, learner_data_changed
from tracker.models import (
    MESSAGE_MAX_LENGTH,
    Mentorship,
    MentorshipStatus,
    Message,
    MessageKind,
    Milestone,
    Notification,
    Profile,
    Thread,
    ThreadRead,
    display_name,
)
from tracker.rules.threads import read_is_behind
from tracker.services import notifications

User = get_user_model()


class ThreadError(Exception):
    """A message that cannot be posted; the text is shown to the person as is."""


def thread_get_locked(*, learner: AbstractBaseUser, milestone: Milestone) -> Thread:
    """The learner's thread on the milestone, created on first use, locked."""
    try:
        with transaction.atomic():
            thread, _ = Thread.objects.select_for_update().get_or_create(
                learner=learner, milestone=milestone
            )
    except IntegrityError:  # created at the same moment by another request
        thread = Thread.objects.select_for_update().get(learner=learner, milestone=milestone)
    return thread


def _check_body(body: str, *, required: bool) -> str:
    body = body.strip()
    if required and not body:
        raise ThreadError("Write a message first.")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ThreadError(f"Keep the message to {MESSAGE_MAX_LENGTH} characters.")
    return body


def _active_mentor_ids(learner_id: int) -> list[int]:
    return list(
        Mentorship.objects.filter(mentee_id=learner_id, status=MentorshipStatus.ACTIVE)
        .order_by("mentor_id")
        .values_list("mentor_id", flat=True)
    )


MAILED_ON_THEIR_OWN = (
    MessageKind.REVIEW_REQUEST,
    MessageKind.APPROVED,
    MessageKind.CHANGES_REQUESTED,
)


def message_add(
    *, thread: Thread, author: AbstractBaseUser, kind: MessageKind | str, body: str = ""
) -> Message:
    """Append a message to a locked thread (in the caller's transaction): the thread's
    summary, the author's read mark, the cache versions and the mails all follow.
    Review requests and verdicts have mails of their own (tracker.services.mentoring);
    questions and replies are batched (``new_messages_mail_record``)."""
    now = timezone.now()
    message = Message.objects.create(
        thread=thread, author=author, kind=kind, body=body, created_at=now
    )
    thread.last_message_at, thread.last_author, thread.last_kind = now, author, kind
    thread.save(update_fields=["last_message_at", "last_author", "last_kind"])
    ThreadRead.objects.update_or_create(thread=thread, person=author, defaults={"read_at": now})
    learner_data_changed(learner_ids=[thread.learner_id])
    mentor_ids = _active_mentor_ids(thread.learner_id)
    attention_changed(person_ids=[thread.learner_id, *mentor_ids])
    recipients = mentor_ids if author.pk == thread.learner_id else [thread.learner_id]
    if kind not in MAILED_ON_THEIR_OWN:
        for person_id in recipients:
            _mail_later(person_id=person_id)
    return message


def _mail_later(*, person_id: int) -> None:
    """Enqueue the batching task a while from now: the messages written meanwhile go into
    the same mail (tracker.tasks.new_messages_mail)."""
    task = tasks.new_messages_mail
    if task.get_backend().supports_defer:
        delay = datetime.timedelta(seconds=settings.MESSAGE_MAIL_DELAY_SECONDS)
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(person_id=person_id)


def _may_take_part(*, thread: Thread, person: AbstractBaseUser) -> bool:
    return person.pk == thread.learner_id or person.pk in _active_mentor_ids(thread.learner_id)


@transaction.atomic
def message_post(
    *, author: AbstractBaseUser, learner: AbstractBaseUser, milestone: Milestone, body: str
) -> Message:
    """A question or a reply, by the learner or one of their active mentors. The
    learner's first word, or one after their own, is a question; after a mentor's it is
    a reply."""
    body = _check_body(body, required=True)
    thread = thread_get_locked(learner=learner, milestone=milestone)
    if not _may_take_part(thread=thread, person=author):
        raise ThreadError("Only the learner and their active mentors can write here.")
    if author.pk == learner.pk:
        answering = thread.last_author_id is not None and thread.last_author_id != learner.pk
        kind = MessageKind.REPLY if answering else MessageKind.QUESTION
    else:
        kind = MessageKind.REPLY
    return message_add(thread=thread, author=author, kind=kind, body=body)


@transaction.atomic
def thread_mark_read(*, thread: Thread, person: AbstractBaseUser) -> None:
    """Everything in the thread up to now is read by this person."""
    last_message_at = (
        Thread.objects.filter(pk=thread.pk).values_list("last_message_at", flat=True).first()
    )
    if last_message_at is None:
        return
    mark = ThreadRead.objects.filter(thread=thread, person=person).first()
    if not read_is_behind(last_message_at, mark.read_at if mark is not None else None):
        return  # nothing new: no write, and the cached header stays
    ThreadRead.objects.update_or_create(
        thread=thread, person=person, defaults={"read_at": timezone.now()}
    )
    attention_changed(person_ids=[person.pk])


def _unmailed_messages(person_id: int, after_id: int):
    """Messages by others, in threads this person may read, not yet mailed nor read."""
    mentees = Mentorship.objects.filter(mentor_id=person_id, status=MentorshipStatus.ACTIVE).values(
        "mentee_id"
    )
    read = ThreadRead.objects.filter(
        thread=OuterRef("thread"), person_id=person_id, read_at__gte=OuterRef("created_at")
    )
    return (
        Message.objects.filter(Q(thread__learner_id=person_id) | Q(thread__learner_id__in=mentees))
        .filter(pk__gt=after_id)
        .exclude(kind__in=MAILED_ON_THEIR_OWN)
        .exclude(author_id=person_id)
        .exclude(Exists(read))
        .select_related("thread__milestone__guide", "thread__learner__profile", "author__profile")
        .order_by("pk")
    )


@transaction.atomic
def new_messages_mail_record(*, person_id: int) -> Notification | None:
    """One mail about every message this person has not been told about, unless they
    turned such mail off. The mark moves in the same transaction as the mail is
    recorded, and the mail's key names the last message: run again, it sends nothing."""
    profile = (
        Profile.objects.select_for_update()
        .select_related("user")
        .filter(user_id=person_id, user__is_active=True)
        .first()
    )
    if profile is None or not profile.mail_new_messages:
        return None
    messages = list(_unmailed_messages(person_id, profile.messages_mailed_through))
    if not messages:
        return None
    last_id = messages[-1].pk
    Profile.objects.filter(pk=profile.pk).update(messages_mailed_through=last_id)
    lines = []
    for message in messages:
        thread = message.thread
        if thread.learner_id == person_id:
            path = thread.milestone.get_absolute_url()
        else:
            path = reverse("tracker:thread", args=[thread.pk])
        lines.append(
            {
                "author": display_name(message.author) if message.author else "Someone",
                "kind": message.get_kind_display(),
                "milestone": thread.milestone.title,
                "learner": display_name(thread.learner),
                "mine": thread.learner_id == person_id,
                "body": message.body,
                "path": path,
            }
        )
    return notifications.notification_record(
        key=f"new-messages:{person_id}:{last_id}",
        recipient=profile.user.email,
        template="new_messages",
        context={
            "name": display_name(profile.user),
            "count": len(lines),
            "messages": lines,
            "settings_path": reverse("tracker:settings"),
        },
    )
