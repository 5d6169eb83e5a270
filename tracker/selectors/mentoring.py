"""Reads for the mentoring pages, in a fixed number of queries however many mentees."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from tracker.models import (
    FINISHED,
    Guide,
    Mentorship,
    MentorshipStatus,
    Pillar,
    Progress,
    ReviewRequest,
    ReviewStatus,
    Thread,
)
from tracker.rules.stages import StageStanding, Tally, standing, tally
from tracker.selectors import newest_first
from tracker.selectors.content import guide_content_get, guide_list_published
from tracker.selectors.prepared import PreparedQuery, Read
from tracker.selectors.progress import guide_get_for_dashboard, guide_page_get
from tracker.selectors.threads import needs_work_get


@dataclass
class MenteeRow:
    mentorship: Mentorship
    overall: Tally
    pillars: list[tuple[Pillar, Tally]]
    standing: StageStanding
    last_active: datetime.datetime | None
    waiting: list[ReviewRequest] = field(default_factory=list)

    @property
    def mentee(self):
        return self.mentorship.mentee

    @property
    def oldest_waiting(self) -> datetime.datetime | None:
        return min((r.requested_at for r in self.waiting), default=None)

    def attention_key(self):
        """Oldest waiting request first, then the longest inactive (never active first)."""
        oldest = self.oldest_waiting
        last = self.last_active
        return (
            oldest is None,
            oldest or datetime.datetime.max.replace(tzinfo=datetime.UTC),
            last is not None,
            last or datetime.datetime.min.replace(tzinfo=datetime.UTC),
        )


# Read on every milestone page a learner opens: compiled once (``PreparedQuery``).
_active_of_mentee = PreparedQuery(
    lambda mentee_id: (
        Mentorship.objects.filter(mentee_id=mentee_id, status=MentorshipStatus.ACTIVE)
        .select_related("mentor__profile")
        .order_by()
    ),
    "mentee_id",
)


def mentorship_list_active_of_mentee(*, mentee) -> list[Mentorship]:
    """The mentee's active mentorships with their mentors and profiles, newest first."""
    return mentorships_active_of_mentee_read(mentee=mentee).run()


def mentorships_active_of_mentee_read(*, mentee) -> Read:
    """``mentorship_list_active_of_mentee`` as a read to run with others (``run_together``)."""
    return Read(
        _active_of_mentee,
        {"mentee_id": mentee.pk},
        finish=lambda mentorships: newest_first(mentorships, "invited_at"),
    )


def has_active_mentees(*, user) -> bool:
    return Mentorship.objects.filter(mentor=user, status=MentorshipStatus.ACTIVE).exists()


def mentorship_list_invitations(*, mentor) -> list[Mentorship]:
    return list(
        Mentorship.objects.filter(mentor=mentor, status=MentorshipStatus.PENDING)
        .select_related("mentee__profile")
        .order_by("invited_at")
    )


MENTEE_FIELDS = (
    "mentor_id",
    "mentee_id",
    "status",
    "mentee__username",
    "mentee__profile__user_id",
    "mentee__profile__display_name",
    "mentee__profile__last_active_at",
    "mentee__profile__current_guide_id",
)


def _active_mentorships(mentor_id: int):
    # Only what the rows and the queue show: a mentor's page reads hundreds of these.
    return (
        Mentorship.objects.filter(mentor_id=mentor_id, status=MentorshipStatus.ACTIVE)
        .select_related("mentee__profile")
        .only(*MENTEE_FIELDS)
    )


# What the mentoring page reads of the mentees whose data changed, most often one:
# compiled once (``PreparedQuery``).
_mentorships_of = PreparedQuery(
    lambda mentor_id, mentorship_ids: _active_mentorships(mentor_id).filter(pk__in=mentorship_ids),
    "mentor_id",
    "mentorship_ids",
    many=("mentorship_ids",),
)
_waiting_reviews_of = PreparedQuery(
    lambda mentorship_ids: (
        ReviewRequest.objects.filter(mentorship_id__in=mentorship_ids, status=ReviewStatus.WAITING)
        .select_related("progress__milestone")
        .only(
            "mentorship_id",
            "message",
            "status",
            "requested_at",
            "progress__evidence_url",
            "progress__milestone__title",
        )
        .order_by("requested_at")
    ),
    "mentorship_ids",
    many=("mentorship_ids",),
)
# The guides chosen and the published ones, the first of which is everyone else's.
_guides_for = PreparedQuery(
    lambda guide_ids: Guide.objects.filter(Q(published=True) | Q(pk__in=guide_ids)).order_by(
        "created_at", "pk"
    ),
    "guide_ids",
    many=("guide_ids",),
)
_finished_of = PreparedQuery(
    lambda learner_ids: Progress.objects.filter(
        learner_id__in=learner_ids, status__in=FINISHED
    ).values_list("learner_id", "milestone_id", "status"),
    "learner_ids",
    many=("learner_ids",),
)


def mentor_work_get(*, mentor, mentorship_ids=None) -> dict:
    """Active mentees sorted by who needs attention, and the review queue: of every
    active mentorship, or of those of ``mentorship_ids``."""
    if mentorship_ids is None:
        active = list(_active_mentorships(mentor.pk))
    else:
        active = _mentorships_of(mentor_id=mentor.pk, mentorship_ids=list(mentorship_ids))
    mentee_ids = [m.mentee_id for m in active]
    by_pk = {m.pk: m for m in active}
    queue = _waiting_reviews_of(mentorship_ids=list(by_pk)) if by_pk else []
    for review in queue:
        review.mentorship = by_pk[review.mentorship_id]
    return {"mentees": _mentee_rows(active, mentee_ids, queue), "queue": queue}


def _mentee_rows(active: list[Mentorship], mentee_ids: list[int], queue) -> list[MenteeRow]:
    if not active:
        return []
    chosen = {getattr(getattr(m.mentee, "profile", None), "current_guide_id", None) for m in active}
    candidates = _guides_for(guide_ids=list(chosen - {None}))
    default_guide = next((guide for guide in candidates if guide.published), None)
    guides = {guide.pk: guide for guide in candidates}
    guide_of = {
        m.mentee_id: getattr(getattr(m.mentee, "profile", None), "current_guide_id", None)
        or (default_guide.pk if default_guide else None)
        for m in active
    }
    guides = {pk: guides[pk] for pk in set(guide_of.values()) - {None}}
    content = {pk: guide_content_get(guide=guide) for pk, guide in guides.items()}
    done = defaultdict(dict)
    for learner_id, milestone_id, status in _finished_of(learner_ids=mentee_ids):
        done[learner_id][milestone_id] = status
    waiting = defaultdict(list)
    for review in queue:
        waiting[review.mentorship_id].append(review)

    rows = []
    for mentorship in active:
        plan, extras = content.get(guide_of[mentorship.mentee_id], (None, {"stages": []}))
        own = plan.milestones if plan else []
        statuses = done[mentorship.mentee_id]
        rows.append(
            MenteeRow(
                mentorship=mentorship,
                overall=tally(own, statuses),
                pillars=[
                    (pillar_plan.pillar, tally(pillar_plan.milestones, statuses))
                    for pillar_plan in (plan.pillars if plan else [])
                ],
                standing=standing(extras["stages"], own, statuses),
                last_active=getattr(mentorship.mentee, "profile", None)
                and mentorship.mentee.profile.last_active_at,
                waiting=waiting[mentorship.pk],
            )
        )
    rows.sort(key=MenteeRow.attention_key)
    return rows


def mentee_overview_get(*, mentee) -> dict:
    """The learner's side: their mentors, invitations they sent, and their requests."""
    mentorships = list(
        Mentorship.objects.filter(
            mentee=mentee, status__in=[MentorshipStatus.ACTIVE, MentorshipStatus.PENDING]
        )
        .select_related("mentor__profile")
        .order_by("status", "invited_at")
    )
    requests = list(
        ReviewRequest.objects.filter(progress__learner=mentee)
        .select_related("progress__milestone__guide", "mentorship__mentor__profile")
        .order_by("-requested_at")[:20]
    )
    return {"my_mentorships": mentorships, "my_requests": requests}


def mentee_progress_get(*, mentee, mentorship: Mentorship) -> dict:
    """A mentee's whole plan, read-only, with reviews; notes only if they share them."""
    profile = getattr(mentee, "profile", None)
    guide = guide_get_for_dashboard(profile=profile) if profile else guide_list_published().first()
    if guide is None:
        return {"guide": None}
    share_notes = bool(profile and profile.share_notes_with_mentors)
    page = guide_page_get(guide=guide, learner=mentee, with_notes=share_notes)
    reviews = defaultdict(list)
    for review in (
        ReviewRequest.objects.filter(progress__learner=mentee, progress__milestone__guide=guide)
        .select_related("mentorship__mentor", "progress__milestone")
        .order_by("-requested_at")
    ):
        reviews[review.progress_id].append(review)
    threads = {
        thread.milestone_id: thread
        for thread in Thread.objects.filter(learner=mentee, milestone__guide=guide)
    }
    for milestone in page["plan"].milestones:
        milestone.review_list = reviews.get(milestone.mine.pk, []) if milestone.mine else []
        milestone.thread = threads.get(milestone.pk)
    page["needs_work"] = needs_work_get(learner=mentee, guide=guide)
    page["share_notes"] = share_notes
    page["mentorship"] = mentorship
    page["mentee"] = mentee
    return page
