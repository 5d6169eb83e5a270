"""Demo and benchmark data: plausible learners, mentors, histories and reviews.

Everything is written with bulk inserts in chunks, so the scale data set (10,000 learners,
300,000 progress rows, 1,000,000 history events) fits in minutes and in modest memory.
The histories are consistent: each milestone's events form a chain from *not started*
to the row's current status, and ``started_at``/``completed_at`` match the chain.
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from tracker.models import (
    Guide,
    Mentorship,
    MentorshipStatus,
    Message,
    MessageKind,
    Milestone,
    Profile,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewRequest,
    ReviewStatus,
    Thread,
)

User = get_user_model()
NS, IP, DONE = ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS, ProgressStatus.DONE
DEMO_PASSWORD = "demo-password-2024"
CHUNK = 20_000
PUBLIC_SHARE = 0.3  # of demo learners who publish their profile


@dataclass(frozen=True)
class Plan:
    learners: int
    progress_per_learner: int
    events_per_learner: int
    mentees: int
    prefix: str
    # Extra mentors for the benchmark, by number of mentees: "<prefix>-mentor-<n>".
    extra_mentors: tuple[int, ...] = ()


DEMO = Plan(learners=24, progress_per_learner=20, events_per_learner=40, mentees=6, prefix="demo")
BENCH_SMALL = Plan(
    learners=100,
    progress_per_learner=30,
    events_per_learner=100,
    mentees=8,
    prefix="bench",
    extra_mentors=(100,),
)
SCALE = Plan(
    learners=10_000,
    progress_per_learner=30,
    events_per_learner=101,  # 1,000,319 events in all: each row's chain ends at its status
    mentees=8,
    prefix="bench",
    extra_mentors=(100, 200),
)


def _chunks(rows: Iterator, size: int = CHUNK) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _chain(final: str, length: int) -> list[tuple[str, str]]:
    """Status changes that start at *not started*, end at ``final``, ``length`` long-ish."""
    base = {NS: [], IP: [(NS, IP)], DONE: [(NS, IP), (IP, DONE)]}[final]
    steps = list(base)
    toggle = {
        NS: [(NS, IP), (IP, NS)],
        IP: [(IP, DONE), (DONE, IP)],
        DONE: [(DONE, IP), (IP, DONE)],
    }
    while len(steps) + 2 <= length:
        steps.extend(toggle[final])
    return steps


def seed(*, plan: Plan, guide: Guide, now: datetime.datetime | None = None, seed: int = 7) -> dict:
    """Create ``plan.learners`` learners with progress and history, and one mentor."""
    rng = random.Random(seed)
    now = now or timezone.now()
    milestones = list(
        Milestone.objects.filter(guide=guide, archived=False).order_by(
            "level", "pillar__order", "order"
        )
    )
    # Foundation first, then intermediate, then advanced: learners work roughly in order.
    rank = {"foundation": 0, "intermediate": 1, "advanced": 2}
    milestones.sort(key=lambda m: (rank[m.level], m.pillar_id, m.order))
    per_learner = min(plan.progress_per_learner, len(milestones))
    password = make_password(DEMO_PASSWORD)

    with transaction.atomic():
        users = [
            User(
                username=f"{plan.prefix}{n:05d}",
                email=f"{plan.prefix}{n:05d}@example.com",
                password=password,
                date_joined=now - datetime.timedelta(days=120),
            )
            for n in range(plan.learners)
        ]
        mentor = User(
            username=f"{plan.prefix}-mentor",
            email=f"{plan.prefix}-mentor@example.com",
            password=password,
        )
        for chunk in _chunks(iter([*users, mentor])):
            User.objects.bulk_create(chunk, batch_size=2_000)
        users = list(User.objects.filter(username__startswith=plan.prefix).exclude(pk=mentor.pk))
        mentor = User.objects.get(username=f"{plan.prefix}-mentor")
        users.sort(key=lambda u: u.username)
        names = {user.pk: f"Learner {user.username[len(plan.prefix) :]}" for user in users}
        names[mentor.pk] = f"{plan.prefix.capitalize()} mentor"
        Profile.objects.bulk_create(
            [
                Profile(
                    user=user,
                    display_name=names[user.pk],
                    region=rng.choice(
                        ["", "United States", "US tech hubs (San Francisco, Los Angeles, Seattle)"]
                    ),
                    public_profile=rng.random() < PUBLIC_SHARE,
                    current_guide=guide,
                )
                for user in [*users, mentor]
            ],
            batch_size=2_000,
        )

    window = datetime.timedelta(weeks=12).total_seconds()
    progress_count = event_count = 0

    def progress_rows() -> Iterator[tuple[Progress, list[ProgressEvent]]]:
        for user in users:
            # Each learner's own stream: the bench learner has the same plan in the small
            # data as at scale, so the two runs compare one person's pages in two crowds.
            learner_rng = random.Random(f"{seed}:{user.username}")
            done_upto = learner_rng.randint(0, per_learner)
            events_left = plan.events_per_learner
            for index, milestone in enumerate(milestones[:per_learner]):
                if index < done_upto:
                    final = DONE
                elif index < done_upto + 2:
                    final = IP
                else:
                    final = NS
                remaining_rows = per_learner - index
                length = max(len(_chain(final, 0)), events_left // remaining_rows)
                steps = _chain(final, length)
                events_left -= len(steps)
                moments = sorted(
                    now - datetime.timedelta(seconds=learner_rng.uniform(0, window)) for _ in steps
                )
                events = [
                    ProgressEvent(
                        learner_id=user.pk,
                        milestone_id=milestone.pk,
                        actor_id=user.pk,
                        old_status=old,
                        new_status=new,
                        created_at=moment,
                    )
                    for (old, new), moment in zip(steps, moments, strict=True)
                ]
                started = next((e.created_at for e in events if e.old_status == NS), None)
                progress = Progress(
                    learner_id=user.pk,
                    milestone_id=milestone.pk,
                    status=final,
                    started_at=started if final != NS else None,
                    completed_at=moments[-1] if final == DONE else None,
                    note="",
                )
                yield progress, events

    with transaction.atomic():
        for chunk in _chunks(progress_rows(), size=5_000):
            Progress.objects.bulk_create([p for p, _ in chunk], batch_size=2_000)
            events = [e for _, evs in chunk for e in evs]
            ProgressEvent.objects.bulk_create(events, batch_size=5_000)
            progress_count += len(chunk)
            event_count += len(events)

    _set_last_active(prefix=plan.prefix)
    reviews = _mentor_with_mentees(plan=plan, mentor=mentor, users=users, now=now, rng=rng)
    for size in plan.extra_mentors:
        _bench_mentor(plan=plan, size=size, users=users, password=password, now=now)
    _refresh_statistics()
    return {
        "learners": len(users),
        "progress": progress_count,
        "events": event_count,
        "mentees": min(plan.mentees, len(users)),
        "extra_mentors": [f"{plan.prefix}-mentor-{size}" for size in plan.extra_mentors],
        "reviews": reviews,
        "mentor": mentor.username,
    }


@transaction.atomic
def _mentor_with_mentees(*, plan, mentor, users, now, rng) -> int:
    mentees = users[: plan.mentees]
    mentorships = _active_mentorships(
        mentor=mentor, mentees=mentees, since=now - datetime.timedelta(days=60)
    )
    by_mentee = {m.mentee_id: m for m in mentorships}
    done = Progress.objects.filter(learner__in=mentees, status=DONE).order_by("learner_id", "pk")
    former_mentor = User.objects.create_user(
        username=f"{plan.prefix}-former-mentor",
        email=f"{plan.prefix}-former-mentor@example.com",
        password=DEMO_PASSWORD,
    )
    Profile.objects.create(user=former_mentor, display_name=f"Former {plan.prefix} mentor")
    states = [
        ReviewStatus.WAITING,
        ReviewStatus.APPROVED,
        ReviewStatus.CHANGES_REQUESTED,
        ReviewStatus.CLOSED,
    ]
    reviews, verified = [], []
    seen: set[int] = set()
    for progress in done:
        if progress.learner_id in seen:
            continue
        seen.add(progress.learner_id)
        state = states[len(seen) % len(states)]
        asked = now - datetime.timedelta(hours=rng.randint(2, 24 * 10))
        decided = state != ReviewStatus.WAITING
        mentorship = by_mentee[progress.learner_id]
        if state == ReviewStatus.CLOSED:
            mentorship = Mentorship.objects.create(
                mentor=former_mentor,
                mentee_id=progress.learner_id,
                status=MentorshipStatus.ENDED,
                invited_at=asked - datetime.timedelta(days=30),
                responded_at=asked - datetime.timedelta(days=29),
                ended_at=asked + datetime.timedelta(hours=5),
            )
        reviews.append(
            ReviewRequest(
                progress=progress,
                mentorship=mentorship,
                closed_reason="The mentorship ended." if state == ReviewStatus.CLOSED else "",
                message="Could you take a look at my repository?",
                status=state,
                comment={
                    ReviewStatus.APPROVED: "Clean work, well tested. Approved.",
                    ReviewStatus.CHANGES_REQUESTED: "Add a README that explains how to run it.",
                }.get(state, ""),
                requested_at=asked,
                decided_at=asked + datetime.timedelta(hours=5) if decided else None,
            )
        )
        if state == ReviewStatus.APPROVED:
            progress.verified_at = asked + datetime.timedelta(hours=5)
            progress.verified_by = mentor
            verified.append(progress)
    ReviewRequest.objects.bulk_create(reviews)
    Progress.objects.bulk_update(verified, ["verified_at", "verified_by"])
    _threads_of_reviews(reviews)
    _question_answered(mentor=mentor, mentees=mentees, now=now)
    return len(reviews)


def _threads_of_reviews(reviews: list[ReviewRequest]) -> None:
    """Each review's request and verdict as messages of its milestone's thread, as the
    services write them (tracker.services.threads): one thread per learner and milestone,
    however many of their mentors were asked."""
    written: dict[tuple[int, int], list[Message]] = {}
    for review in reviews:
        key = (review.progress.learner_id, review.progress.milestone_id)
        messages = written.setdefault(key, [])
        messages.append(
            Message(
                author_id=review.progress.learner_id,
                kind=MessageKind.REVIEW_REQUEST,
                body=review.message,
                created_at=review.requested_at,
            )
        )
        if review.status in {ReviewStatus.APPROVED, ReviewStatus.CHANGES_REQUESTED}:
            messages.append(
                Message(
                    author_id=review.mentorship.mentor_id,
                    kind=review.status,
                    body=review.comment,
                    created_at=review.decided_at,
                )
            )
    existing = {
        (thread.learner_id, thread.milestone_id): thread
        for thread in Thread.objects.filter(
            learner_id__in={learner_id for learner_id, _ in written},
            milestone_id__in={milestone_id for _, milestone_id in written},
        )
    }
    new, changed = [], []
    for key, messages in written.items():
        thread = existing.get(key)
        if thread is not None:
            messages.extend(thread.messages.all())  # rare: two mentors asked
        messages.sort(key=lambda message: message.created_at)
        if thread is None:
            learner_id, milestone_id = key
            thread = Thread(
                learner_id=learner_id, milestone_id=milestone_id, created_at=messages[0].created_at
            )
            new.append(thread)
        else:
            changed.append(thread)
        thread.last_message_at = messages[-1].created_at
        thread.last_author_id = messages[-1].author_id
        thread.last_kind = messages[-1].kind
        for message in messages:
            message.thread = thread
    Thread.objects.bulk_create(new)
    Thread.objects.bulk_update(changed, ["last_message_at", "last_author_id", "last_kind"])
    Message.objects.bulk_create(
        [m for messages in written.values() for m in messages if m.pk is None], batch_size=CHUNK
    )


def _question_answered(*, mentor, mentees, now) -> None:
    """A question asked before a milestone is done, and the mentor's reply."""
    progress = (
        Progress.objects.filter(learner__in=mentees, status=IP).order_by("learner_id", "pk").first()
    )
    if progress is None:
        return
    asked, answered = now - datetime.timedelta(days=2), now - datetime.timedelta(days=1)
    thread = Thread.objects.create(
        learner_id=progress.learner_id,
        milestone_id=progress.milestone_id,
        created_at=asked,
        last_message_at=answered,
        last_author=mentor,
        last_kind=MessageKind.REPLY,
    )
    Message.objects.bulk_create(
        [
            Message(
                thread=thread,
                author_id=progress.learner_id,
                kind=MessageKind.QUESTION,
                body="How deep should I go here before moving on? The exercises take me a while.",
                created_at=asked,
            ),
            Message(
                thread=thread,
                author=mentor,
                kind=MessageKind.REPLY,
                body="Far enough to explain each step in your own words. Speed comes later.",
                created_at=answered,
            ),
        ]
    )


@transaction.atomic
def _bench_mentor(*, plan, size, users, password, now) -> None:
    """A mentor with ``size`` active mentees, a waiting review from every third one."""
    mentor = User.objects.create(
        username=f"{plan.prefix}-mentor-{size}",
        email=f"{plan.prefix}-mentor-{size}@example.com",
        password=password,
    )
    Profile.objects.create(user=mentor, display_name=f"{plan.prefix.capitalize()} mentor of {size}")
    mentees = users[-size:]
    mentorships = _active_mentorships(
        mentor=mentor, mentees=mentees, since=now - datetime.timedelta(days=30)
    )
    first_done = {}
    for progress in Progress.objects.filter(learner__in=mentees[::3], status=DONE).order_by("pk"):
        first_done.setdefault(progress.learner_id, progress)
    by_mentee = {m.mentee_id: m for m in mentorships}
    reviews = ReviewRequest.objects.bulk_create(
        ReviewRequest(
            progress=progress,
            mentorship=by_mentee[learner_id],
            requested_at=now - datetime.timedelta(hours=learner_id % 200 + 1),
        )
        for learner_id, progress in first_done.items()
    )
    _threads_of_reviews(reviews)


def _set_last_active(*, prefix: str) -> None:
    """Each learner's latest status change, in one statement (bulk writes send no signal)."""
    latest = (
        ProgressEvent.objects.filter(learner_id=OuterRef("user_id"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    Profile.objects.filter(user__username__startswith=prefix).update(
        last_active_at=Subquery(latest)
    )


def _refresh_statistics() -> None:
    """After a bulk load, give the query planner fresh statistics. PostgreSQL also gets
    its visibility map (outside a transaction), so autovacuum does not start on the new
    rows while the app serves; SQLite folds its write-ahead log back into the database,
    which keeps reads fast."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _active_mentorships(*, mentor, mentees, since: datetime.datetime) -> list[Mentorship]:
    """Mentorships of every mentee, invited at ``since`` and accepted a day later."""
    return Mentorship.objects.bulk_create(
        Mentorship(
            mentor=mentor,
            mentee=mentee,
            status=MentorshipStatus.ACTIVE,
            invited_at=since,
            responded_at=since + datetime.timedelta(days=1),
        )
        for mentee in mentees
    )
