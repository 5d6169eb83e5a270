"""The state of a milestone's conversation, read from its messages: pure rules, no queries."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.models import MessageKind

ANSWERS = frozenset({MessageKind.REPLY, MessageKind.APPROVED, MessageKind.CHANGES_REQUESTED})


def needs_work(kinds: Iterable[str]) -> bool:
    """A thread's messages, oldest first: the latest verdict asks for changes and the
    learner has not asked for a review since."""
    state = False
    for kind in kinds:
        if kind == MessageKind.CHANGES_REQUESTED:
            state = True
        elif kind in (MessageKind.APPROVED, MessageKind.REVIEW_REQUEST):
            state = False
    return state


def read_is_behind(
    last_message_at: datetime.datetime | None, read_at: datetime.datetime | None
) -> bool:
    """Whether a person's read mark on a thread (``read_at``, None if they never read it)
    is older than its last message: marking it read would change something."""
    return last_message_at is not None and (read_at is None or read_at < last_message_at)


def needs_work_milestones(rows: Iterable[tuple[int, str]]) -> frozenset[int]:
    """The milestones that need work, from (milestone id, kind) rows in message order."""
    kinds_of: dict[int, list[str]] = {}
    for milestone_id, kind in rows:
        kinds_of.setdefault(milestone_id, []).append(kind)
    return frozenset(pk for pk, kinds in kinds_of.items() if needs_work(kinds))


@dataclass(frozen=True)
class OpenRequest:
    """The learner's question or review request that nobody has answered yet."""

    kind: str
    since: datetime.datetime
    overdue: bool


def open_request(
    messages: Iterable[tuple[str, datetime.datetime, bool]],
    *,
    now: datetime.datetime,
    overdue_after: datetime.timedelta,
) -> OpenRequest | None:
    """From (kind, written, by the learner) in order: the oldest question or review request
    of the learner's that no mentor's reply or verdict has followed, with its age."""
    waiting: tuple[str, datetime.datetime] | None = None
    for kind, written, by_learner in messages:
        if by_learner and kind in (MessageKind.QUESTION, MessageKind.REVIEW_REQUEST):
            if waiting is None or kind == MessageKind.REVIEW_REQUEST:
                waiting = (kind, waiting[1] if waiting else written)
        elif not by_learner and kind in ANSWERS:
            waiting = None
    if waiting is None:
        return None
    kind, since = waiting
    return OpenRequest(kind=kind, since=since, overdue=now - since > overdue_after)
