"""Reads for scheduled mail and the calendar feed, each in a fixed number of queries.

The scheduled-mail reads take a batch of people and cost the same for one or for many:
one query per kind of row (preferences, progress, waiting reviews), never one per person.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from tracker.models import (
    Guide,
    MailKind,
    MailPreferences,
    MentorshipStatus,
    Profile,
    Progress,
    ProgressStatus,
    ReviewRequest,
    ReviewStatus,
    ScheduledMail,
)
from tracker.rules.digest import last_week
from tracker.rules.projection import Projection
from tracker.selectors.content import guide_content_get, guide_list_published
from tracker.selectors.plan import projection_build
from tracker.selectors.progress import progress_map_get


def mail_candidates_get() -> list[MailPreferences]:
    """Everyone who asked for any scheduled mail and can receive it, with their profile
    (time zone, guide, last activity) and what their last digest told: one query."""
    last_digest = ScheduledMail.objects.filter(
        user=OuterRef("user"), kind=MailKind.WEEKLY_DIGEST
    ).order_by("-created_at", "-id")
    return list(
        MailPreferences.objects.filter(
            Q(weekly_digest=True) | Q(inactivity_days__isnull=False) | Q(mentor_reviews=True),
            user__is_active=True,
            user__profile__isnull=False,
        )
        .exclude(user__email="")
        .select_related("user__profile__current_guide")
        .annotate(
            last_stage_id=Subquery(last_digest.values("next_stage_id")[:1]),
            last_stage_on=Subquery(last_digest.values("next_stage_on")[:1]),
        )
        .order_by("pk")
    )


def scheduled_mails_recorded(*, user_ids, periods) -> set[tuple[int, str, str]]:
    """(user id, kind, period) of what is already recorded for these people: one query."""
    return set(
        ScheduledMail.objects.filter(user_id__in=user_ids, period__in=periods).values_list(
            "user_id", "kind", "period"
        )
    )


@dataclass
class LearnerWeek:
    """What one learner's digest needs: the plan with dates and last week's work."""

    profile: Profile
    guide: Guide
    projection: Projection
    finished_last_week: list = field(default_factory=list)  # milestones, oldest first


class GuideChooser:
    """Each learner's dashboard guide, read once per batch (the first published guide is
    one query, whatever the number of learners)."""

    def __init__(self):
        self._fallback = None
        self._fallback_read = False

    def __call__(self, profile: Profile) -> Guide | None:
        if profile.current_guide_id and profile.current_guide.published:
            return profile.current_guide
        if not self._fallback_read:
            self._fallback = guide_list_published().first()
            self._fallback_read = True
        return self._fallback


def learner_weeks_get(
    *, profiles: list[Profile], now: datetime.datetime, choose_guide: GuideChooser
) -> dict[int, LearnerWeek]:
    """Each learner's projection and last week's finished milestones, by user id: one query
    for everyone's progress (and the guides' plans from the content cache)."""
    guides = {}
    for profile in profiles:
        guide = choose_guide(profile)
        if guide is not None:
            guides[profile.user_id] = guide
    if not guides:
        return {}
    rows = (
        Progress.objects.filter(
            learner_id__in=list(guides), milestone__guide_id__in={g.pk for g in guides.values()}
        )
        .only("learner_id", "milestone_id", "status", "completed_at")
        .order_by()
    )
    progress: dict[int, dict[int, Progress]] = defaultdict(dict)
    for row in rows:
        progress[row.learner_id][row.milestone_id] = row
    weeks = {}
    for profile in profiles:
        guide = guides.get(profile.user_id)
        if guide is None:
            continue
        plan, extras = guide_content_get(guide=guide)
        mine = progress[profile.user_id]
        by_id = {milestone.pk: milestone for milestone in plan.milestones}
        # Only this guide's rows: a learner's other guides never count here.
        mine = {pk: row for pk, row in mine.items() if pk in by_id}
        projection = projection_build(
            profile=profile,
            milestones=plan.milestones,
            progress=mine,
            stages=extras["stages"],
            now=now,
        )
        weeks[profile.user_id] = LearnerWeek(
            profile=profile,
            guide=guide,
            projection=projection,
            finished_last_week=_finished_last_week(profile, mine, by_id, projection.today),
        )
    return weeks


def _finished_last_week(profile: Profile, progress: dict, by_id: dict, today: datetime.date):
    start, end = last_week(today)
    zone = profile.zone
    finished = [
        (timezone.localtime(row.completed_at, zone), by_id[pk])
        for pk, row in progress.items()
        if row.status == ProgressStatus.DONE
        and row.completed_at is not None
        and start <= timezone.localtime(row.completed_at, zone).date() < end
    ]
    return [milestone for _, milestone in sorted(finished, key=lambda item: item[0])]


@dataclass(frozen=True)
class WaitingReview:
    mentee_name: str
    mentee_username: str
    milestone_title: str
    requested_at: datetime.datetime
    mentee_path: str


def waiting_reviews_by_mentor(*, mentor_ids) -> dict[int, list[WaitingReview]]:
    """Each mentor's waiting reviews from active mentees, oldest first: one query."""
    reviews = (
        ReviewRequest.objects.filter(
            status=ReviewStatus.WAITING,
            mentorship__status=MentorshipStatus.ACTIVE,
            mentorship__mentor_id__in=mentor_ids,
        )
        .select_related("progress__milestone", "mentorship__mentee__profile")
        .order_by("requested_at", "pk")
    )
    result: dict[int, list[WaitingReview]] = defaultdict(list)
    for review in reviews:
        mentee = review.mentorship.mentee
        profile = getattr(mentee, "profile", None)
        result[review.mentorship.mentor_id].append(
            WaitingReview(
                mentee_name=(profile.display_name if profile else "") or mentee.get_username(),
                mentee_username=mentee.get_username(),
                milestone_title=review.progress.milestone.title,
                requested_at=review.requested_at,
                mentee_path=reverse("tracker:mentee", kwargs={"username": mentee.get_username()}),
            )
        )
    return result


@dataclass(frozen=True)
class CalendarFeed:
    user: object
    guide: Guide | None


def calendar_feed_get(*, token: str) -> CalendarFeed | None:
    """Whoever holds this secret and the guide of their plan, or None: two queries at most
    (the secret with its person, the fallback guide)."""
    preferences = (
        MailPreferences.objects.select_related("user__profile__current_guide")
        .filter(calendar_token=token, user__is_active=True, user__profile__isnull=False)
        .first()
    )
    if preferences is None:
        return None
    user = preferences.user
    return CalendarFeed(user=user, guide=GuideChooser()(user.profile))


def calendar_projection_get(*, feed: CalendarFeed, now: datetime.datetime | None = None):
    """The plan with dates of the feed's person on its guide: one query (their progress),
    whatever the number of milestones."""
    plan, extras = guide_content_get(guide=feed.guide)
    return projection_build(
        profile=feed.user.profile,
        milestones=plan.milestones,
        progress=progress_map_get(learner=feed.user, guide=feed.guide),
        stages=extras["stages"],
        now=now or timezone.now(),
    )
