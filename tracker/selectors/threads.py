"""Reads of the conversations on milestones: one thread, a learner's needs-work set,
what waits for a mentor, and a mentee's timeline; each in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import CharField, DateTimeField, F, OuterRef, Subquery, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tracker.models import (
    Message,
    MessageKind,
    Milestone,
    ProgressEvent,
    Thread,
    ThreadRead,
    display_name,
)
from tracker.rules.threads import (
    OpenRequest,
    needs_work,
    needs_work_milestones,
    open_request,
    read_is_behind,
)
from tracker.selectors.prepared import PreparedQuery, Read

# The messages that say whether a milestone needs work (``rules.threads.needs_work``).
VERDICT_KINDS = [MessageKind.REVIEW_REQUEST, MessageKind.APPROVED, MessageKind.CHANGES_REQUESTED]


def overdue_after() -> datetime.timedelta:
    return datetime.timedelta(days=settings.REVIEW_OVERDUE_DAYS)


def thread_get(*, learner, milestone: Milestone, people=(), now=None) -> dict:
    """The thread on a learner's milestone (None before its first message), its messages
    with their authors, what they add up to, and whether the learner's read mark is
    behind it (``thread_unread``: only then is there something to mark read): one query,
    of the messages with their thread (a thread begins with its first message). The
    authors are taken from ``people`` (users loaded with their profiles: the learner,
    their mentors) where they are among them, the others read in one more."""
    messages = thread_messages_read(learner=learner, milestone=milestone).run()
    return thread_of_messages(messages, learner=learner, people=people, now=now)


def thread_messages_read(*, learner, milestone: Milestone) -> Read:
    """The messages of ``thread_get``, each with the thread, as a read to run with others
    (``run_together``)."""
    return Read(
        _messages_with_thread,
        {"learner_id": learner.pk, "milestone_id": milestone.pk},
        # Sorted here: Django takes longer to build an ORDER BY than to sort the rows.
        finish=lambda messages: sorted(messages, key=lambda m: (m.created_at, m.pk)),
    )


def thread_of_messages(messages: list[Message], *, learner, people=(), now=None) -> dict:
    """``thread_get`` of the messages ``thread_messages_read`` returned."""
    thread = messages[0].thread if messages else None
    if thread is not None:
        thread.my_read_at = messages[0].my_read_at
        for message in messages:
            message.thread = thread
        _attach_authors(messages, [learner, *people])
    context = _thread_context(thread, messages, learner_id=learner.pk, now=now)
    context["thread_unread"] = thread is not None and read_is_behind(
        thread.last_message_at, thread.my_read_at
    )
    return context


# Read on every milestone page a learner opens: compiled once (``PreparedQuery``).
_messages_with_thread = PreparedQuery(
    lambda learner_id, milestone_id: (
        Message.objects.filter(thread__learner_id=learner_id, thread__milestone_id=milestone_id)
        .select_related("thread")
        .annotate(my_read_at=_read_mark_of(learner_id))
        .order_by()
    ),
    "learner_id",
    "milestone_id",
)


def _read_mark_of(person_id: int) -> RawSQL:
    """The person's ``ThreadRead.read_at`` on each thread of a query, as a column. Plain
    SQL: Django's ``Subquery`` costs more to build than the thread's query itself."""
    quote = connection.ops.quote_name
    marks = quote(ThreadRead._meta.db_table)
    threads = quote(Thread._meta.db_table)
    return RawSQL(
        f"SELECT {marks}.{quote('read_at')} FROM {marks} "
        f"WHERE {marks}.{quote('thread_id')} = {threads}.{quote('id')} "
        f"AND {marks}.{quote('person_id')} = %s",
        [person_id],
        output_field=DateTimeField(),
    )


def _attach_authors(messages: list[Message], people) -> None:
    """Each message's author, with their profile: from ``people`` when among them, the
    others in one query."""
    known = {person.pk: person for person in people}
    missing = {m.author_id for m in messages if m.author_id is not None} - known.keys()
    if missing:
        known.update(get_user_model().objects.select_related("profile").in_bulk(missing))
    for message in messages:
        if message.author_id is not None:
            message.author = known[message.author_id]


def thread_needs_work(*, learner, milestone: Milestone) -> bool:
    """Whether a mentor sent the learner's milestone back (``rules.threads.needs_work``),
    from the kinds of its thread's messages: one query, in plain SQL, as the status
    change answers with it (the ORM takes longer to build it than the database to run it)."""
    quote = connection.ops.quote_name
    messages, threads = quote(Message._meta.db_table), quote(Thread._meta.db_table)
    kinds = ", ".join(["%s"] * len(VERDICT_KINDS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.{quote('kind')} FROM {messages} m "
            f"JOIN {threads} t ON t.{quote('id')} = m.{quote('thread_id')} "
            f"WHERE t.{quote('learner_id')} = %s AND t.{quote('milestone_id')} = %s "
            f"AND m.{quote('kind')} IN ({kinds}) "
            f"ORDER BY m.{quote('created_at')}, m.{quote('id')}",
            [learner.pk, milestone.pk, *VERDICT_KINDS],
        )
        return needs_work(kind for (kind,) in cursor.fetchall())


def thread_get_by_id(*, thread: Thread, now=None) -> dict:
    messages = list(thread.messages.select_related("author__profile").order_by("created_at", "id"))
    return _thread_context(thread, messages, learner_id=thread.learner_id, now=now)


def _thread_context(thread, messages: list[Message], *, learner_id: int, now) -> dict:
    now = now or timezone.now()
    waiting: OpenRequest | None = open_request(
        ((m.kind, m.created_at, m.author_id == learner_id) for m in messages),
        now=now,
        overdue_after=overdue_after(),
    )
    return {
        "thread": thread,
        "thread_learner_id": learner_id,
        "thread_messages": messages,
        "open_request": waiting,
        "needs_work": needs_work(m.kind for m in messages),
        "overdue_days": settings.REVIEW_OVERDUE_DAYS,
    }


def needs_work_get(*, learner, guide) -> frozenset[int]:
    """The learner's milestones on this guide that a mentor sent back: one query."""
    if not learner.is_authenticated:
        return frozenset()
    rows = (
        Message.objects.filter(
            thread__learner=learner,
            thread__milestone__guide=guide,
            kind__in=VERDICT_KINDS,
        )
        .order_by("created_at", "id")
        .values_list("thread__milestone_id", "kind")
    )
    return needs_work_milestones(rows)


@dataclass
class WaitingThread:
    thread: Thread
    overdue: bool


# Read for the mentees whose data changed, most often one: compiled once.
_waiting_threads_of = PreparedQuery(
    lambda learner_ids: (
        Thread.objects.filter(learner_id__in=learner_ids, last_author=F("learner"))
        .select_related("milestone")
        .only("learner_id", "last_message_at", "last_author_id", "last_kind", "milestone__title")
        .order_by("last_message_at")
    ),
    "learner_ids",
    many=("learner_ids",),
)


def threads_waiting_for_mentor(*, mentees, now=None) -> list[WaitingThread]:
    """The threads of these learners (a mentor's active mentees, with their profiles)
    whose last word is the learner's, oldest first: one query."""
    now = now or timezone.now()
    learners = {learner.pk: learner for learner in mentees}
    waiting = []
    for thread in _waiting_threads_of(learner_ids=list(learners)) if learners else []:
        thread.learner = learners[thread.learner_id]
        waiting.append(
            WaitingThread(thread=thread, overdue=now - thread.last_message_at > overdue_after())
        )
    return waiting


@dataclass(frozen=True)
class TimelineEvent:
    """One line of a mentee's timeline: a status change or a message."""

    what: str  # "status" or a MessageKind
    when: datetime.datetime
    milestone: Milestone | None
    detail: str  # the new status, or the message's text
    old_status: str
    actor_name: str


def mentee_timeline_get(*, mentee, page_number: str | int = 1) -> Page:
    """Status changes and messages of one mentee, newest first, a page at a time: one
    query for the count and one for the page (a UNION of both), one for the milestones
    and one for the names."""
    events = ProgressEvent.objects.filter(learner=mentee).values_list(
        Value("status", output_field=CharField()),
        "created_at",
        "milestone_id",
        "new_status",
        "old_status",
        "actor_id",
        "id",
    )
    messages = Message.objects.filter(thread__learner=mentee).values_list(
        "kind",
        "created_at",
        "thread__milestone_id",
        "body",
        Value("", output_field=CharField()),
        "author_id",
        "id",
    )
    rows = events.order_by().union(messages.order_by(), all=True).order_by("-created_at", "-id")
    paginator = Paginator(rows, settings.TIMELINE_PAGE_SIZE)
    page = paginator.get_page(page_number)
    raw = list(page.object_list)
    milestones = Milestone.objects.in_bulk({row[2] for row in raw})
    people = {
        person.pk: person
        for person in get_user_model()
        .objects.filter(pk__in={row[5] for row in raw if row[5]})
        .select_related("profile")
    }
    page.object_list = [
        TimelineEvent(
            what=what,
            when=when,
            milestone=milestones.get(milestone_id),
            detail=detail,
            old_status=old,
            actor_name=display_name(people[actor]) if actor in people else "Someone",
        )
        for what, when, milestone_id, detail, old, actor, _ in raw
    ]
    return page


def threads_of_learner(*, learner, limit: int = 20) -> list[Thread]:
    """The learner's latest conversations, each with ``unread`` (a message by someone
    else since they last read it): one query."""
    read_at = ThreadRead.objects.filter(thread=OuterRef("pk"), person=learner).values("read_at")
    threads = (
        Thread.objects.filter(learner=learner, last_message_at__isnull=False)
        .select_related("milestone__guide", "last_author__profile")
        .annotate(my_read_at=Subquery(read_at[:1]))
        .order_by("-last_message_at")[:limit]
    )
    result = list(threads)
    for thread in result:
        thread.unread = thread.last_author_id not in (None, learner.pk) and (
            thread.my_read_at is None or thread.last_message_at > thread.my_read_at
        )
    return result
