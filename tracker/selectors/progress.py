"""Reads of a learner's progress: the guide and milestone pages as they see them, their
dashboard and their public profile."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from tracker.models import (
    AdviceRule,
    Guide,
    Mentorship,
    Milestone,
    Profile,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewRequest,
    is_finished,
)
from tracker.rules.advice import advice_for
from tracker.rules.charts import activity_svg, weekly_activity
from tracker.rules.plan import next_up
from tracker.rules.stages import Tally, reached_on, required_for, standing
from tracker.selectors import newest_first
from tracker.selectors.content import (
    LearnerMilestone,
    guide_content_get,
    guide_list_published,
    milestone_unlocks_get,
)
from tracker.selectors.plan import learner_today, projection_build
from tracker.selectors.prepared import PreparedQuery, Read, run_together
from tracker.selectors.threads import (
    needs_work_get,
    thread_messages_read,
    thread_needs_work,
    thread_of_messages,
)


def _progress_on_guide(learner_id: int, guide_id: int) -> QuerySet[Progress]:
    return Progress.objects.filter(learner_id=learner_id, milestone__guide_id=guide_id).order_by()


# Read by nearly every page a learner sees: compiled once (``PreparedQuery``).
_progress_with_notes = PreparedQuery(_progress_on_guide, "learner_id", "guide_id")
_progress_without_notes = PreparedQuery(
    lambda learner_id, guide_id: _progress_on_guide(learner_id, guide_id).defer("note"),
    "learner_id",
    "guide_id",
)


# Read by the milestone page and its status change: compiled once per number of
# milestones (the milestone and what it requires).
_progress_on = PreparedQuery(
    lambda learner_id, milestone_ids: Progress.objects.filter(
        learner_id=learner_id, milestone_id__in=milestone_ids
    ).order_by(),
    "learner_id",
    "milestone_ids",
    many=("milestone_ids",),
)
_reviews_on_milestone = PreparedQuery(
    lambda learner_id, milestone_id: ReviewRequest.objects.filter(
        progress__learner_id=learner_id, progress__milestone_id=milestone_id
    ).order_by(),
    "learner_id",
    "milestone_id",
)
_reviews_with_mentors = PreparedQuery(
    lambda progress_id: (
        ReviewRequest.objects.filter(progress_id=progress_id)
        .select_related("mentorship__mentor")
        .order_by()
    ),
    "progress_id",
)


def progress_map_get(*, learner, guide: Guide, with_notes: bool = False) -> dict[int, Progress]:
    """The learner's progress rows on a guide, keyed by milestone id: one query."""
    if not learner.is_authenticated:
        return {}
    read = _progress_with_notes if with_notes else _progress_without_notes
    return {row.milestone_id: row for row in read(learner_id=learner.pk, guide_id=guide.pk)}


def milestone_page_get(*, learner, guide: Guide, milestone: Milestone) -> dict:
    """One milestone of the guide's kept plan (``milestone_get_active``), what it requires
    and opens the way to: no query for a visitor. For a learner, also their row on it and
    on its prerequisites, its reviews, their active mentorships (``mentors``, with the
    mentors and their profiles) and its thread (``thread_get``): four reads that do not
    depend on each other, sent together (``run_together``)."""
    unlocks = milestone_unlocks_get(guide=guide).get(milestone.pk, [])
    if not learner.is_authenticated:
        return {**_milestone_status(milestone, {}, guide=guide), "unlocks": unlocks}
    # The mentoring selectors read mentees' pages with this module's.
    from tracker.selectors.mentoring import mentorships_active_of_mentee_read  # noqa: PLC0415

    ids = [milestone.pk, *(p.pk for p in milestone.prerequisites.all())]
    mentorships, rows, reviews, messages = run_together(
        mentorships_active_of_mentee_read(mentee=learner),
        Read(_progress_on, {"learner_id": learner.pk, "milestone_ids": ids}),
        Read(
            _reviews_on_milestone,
            {"learner_id": learner.pk, "milestone_id": milestone.pk},
            finish=_newest_first,
        ),
        thread_messages_read(learner=learner, milestone=milestone),
    )
    rows = {row.milestone_id: row for row in rows}
    context = {**_milestone_status(milestone, rows, guide=guide), "unlocks": unlocks}
    context["progress"] = rows.get(milestone.pk)
    context["reviews"] = _with_mentorships(reviews, mentorships)
    context["mentors"] = mentorships
    people = [mentorship.mentor for mentorship in mentorships]
    context.update(thread_of_messages(messages, learner=learner, people=people))
    return context


def milestone_status_get(*, learner, guide: Guide, milestone: Milestone, progress) -> dict:
    """What the milestone page's status and review cards show right after the learner's
    ``progress`` on it was written: their rows on its prerequisites (a query if it has
    any), its reviews and whether it needs work: three queries at most."""
    required = [p.pk for p in milestone.prerequisites.all()]
    rows = {}
    if required:
        rows = {
            row.milestone_id: row
            for row in _progress_on(learner_id=learner.pk, milestone_ids=required)
        }
    rows[milestone.pk] = progress
    context = _milestone_status(milestone, rows, guide=guide)
    context["progress"] = progress
    context["reviews"] = review_list_of_progress(progress=progress)
    context["needs_work"] = thread_needs_work(learner=learner, milestone=milestone)
    return context


def _milestone_status(milestone: Milestone, rows: dict[int, Progress], *, guide: Guide) -> dict:
    """The shared milestone and its prerequisites as one learner sees them (their rows in
    ``rows``; never written onto the kept plan: see ``LearnerMilestone``)."""
    prerequisites = [LearnerMilestone(p, rows.get(p.pk)) for p in milestone.prerequisites.all()]
    unfinished = [p for p in prerequisites if not (p.mine and is_finished(p.mine.status))]
    return {
        "guide": guide,
        "milestone": LearnerMilestone(milestone, rows.get(milestone.pk)),
        "progress": None,
        "prerequisites": prerequisites,
        "unfinished_prerequisites": unfinished,
        # Which they are, for the kept status card's key.
        "unfinished_ids": tuple(p.pk for p in unfinished),
    }


def guide_page_get(*, guide: Guide, learner, with_notes: bool = False, region: str = "") -> dict:
    """Everything the guide page shows, for a visitor or a learner; ``region`` picks the
    salary bands of the learner's standing."""
    cached_plan, extras = guide_content_get(guide=guide)
    progress = progress_map_get(learner=learner, guide=guide, with_notes=with_notes)
    plan = cached_plan.for_learner(progress)
    statuses = {pk: row.status for pk, row in progress.items()}
    return {
        "guide": guide,
        "plan": plan,
        "statuses": statuses,
        "overall": plan.tally(statuses),
        "standing": standing(extras["stages"], plan.milestones, statuses, extras["bands"], region),
        **extras,
    }


def guide_get_for_dashboard(*, profile: Profile) -> Guide | None:
    """The learner's chosen guide while it is published, else the first published one."""
    if profile.current_guide_id and profile.current_guide.published:
        return profile.current_guide
    return guide_list_published().first()


def dashboard_get(*, learner, profile: Profile, guide: Guide, now) -> dict:
    """The learner's dashboard: progress, stage and salary, next up, advice, activity.

    Each section is cached apart (``{% cached %}`` in its template) under the state that
    it shows, given here (``*_state``): a status change renders again only the sections
    whose state it changed. What only some sections show is read or worked out when one
    of them renders (``SimpleLazyObject``): the page right after a change reads the
    learner's rows (one query) and, for the sections not cached, the completions of the
    last year (one), the milestones a mentor sent back (one) and the reviews (one)."""
    page = guide_page_get(guide=guide, learner=learner, region=profile.region)
    plan, statuses = page["plan"], page["statuses"]
    zone = profile.zone
    today = learner_today(profile=profile, now=now)
    last_activity = profile.last_active_at
    site_today = timezone.localdate(now)
    last_active_on = timezone.localdate(last_activity) if last_activity else None
    progress = {m.pk: m.mine for m in plan.milestones if m.mine is not None}
    statuses_state = tuple(sorted(statuses.items()))
    joined = timezone.localtime(profile.user.date_joined, zone).date()
    # What the projection is worked out from (selectors.plan.projection_build).
    plan_state = (
        statuses_state,
        tuple(
            (pk, timezone.localtime(row.completed_at, zone).date())
            for pk, row in sorted(progress.items())
            if row.status == ProgressStatus.DONE and row.completed_at is not None
        ),
        profile.hours_per_week,
        profile.target_stage_id,
        profile.target_date,
        profile.time_zone,
        today,
        joined,
    )

    def completions() -> list[tuple[datetime.date, int]]:
        # The completions of the last year, with the hours of what was completed (weeks in
        # the learner's time zone, from Monday), from a day's first moment: the same all
        # day long, like the key of the section that shows them.
        since = datetime.datetime.combine(
            today - datetime.timedelta(weeks=53), datetime.time(), tzinfo=zone
        )
        recent = (
            ProgressEvent.objects.filter(
                learner=learner,
                milestone__guide=guide,
                new_status=ProgressStatus.DONE,
                created_at__gte=since,
            )
            .order_by()
            .values_list("created_at", "milestone__estimated_hours")
        )
        return [(timezone.localtime(moment, zone).date(), hours) for moment, hours in recent]

    activity = SimpleLazyObject(
        lambda: weekly_activity(completions(), today, profile.hours_per_week)
    )
    projection = SimpleLazyObject(
        lambda: projection_build(
            profile=profile,
            milestones=plan.milestones,
            progress=progress,
            stages=page["stages"],
            now=now,
        )
    )
    next_stage = page["standing"].next
    needs_work = SimpleLazyObject(lambda: needs_work_get(learner=learner, guide=guide))
    applicable = SimpleLazyObject(
        lambda: advice_for(page["advice"], plan.milestones, statuses, last_activity, now)
    )
    page.update(
        {
            "profile": profile,
            "next_up": SimpleLazyObject(
                lambda: next_up(plan.milestones, statuses, needs_work=needs_work)
            ),
            "needs_work": needs_work,
            "applicable_advice": applicable,
            "project_themes": SimpleLazyObject(
                lambda: (
                    page["impact_areas"]
                    if any(item.rule == AdviceRule.NO_PROJECT_STARTED for item in applicable)
                    else []
                )
            ),
            "activity": activity,
            "activity_chart": SimpleLazyObject(lambda: activity_svg(activity)),
            "last_activity": last_activity,
            "reviews": SimpleLazyObject(
                lambda: list(
                    ReviewRequest.objects.filter(progress__learner=learner)
                    .select_related("progress__milestone__guide", "mentorship__mentor")
                    .order_by("-requested_at")[:5]
                )
            ),
            "is_new": not statuses,
            "projection": projection,
            "next_stage_date": SimpleLazyObject(
                lambda: projection.stage_dates.get(next_stage.pk) if next_stage else None
            ),
            # What each section shows of the learner, the key of its cached markup.
            "statuses_state": statuses_state,
            "plan_state": plan_state,
            "advice_state": (statuses_state, site_today, last_active_on),
            "history_state": (profile.pk, profile.history_version, site_today),
            # The learner's threads (needs work) change with their attention version.
            "threads_state": (profile.pk, profile.attention_version),
            "activity_state": (
                profile.pk,
                profile.history_version,
                profile.hours_per_week,
                profile.time_zone,
                today,
                site_today,
                last_active_on,
            ),
        }
    )
    return page


def review_list_of_progress(*, progress: Progress | None) -> list:
    """The reviews asked for on a progress row, newest first, each with its mentorship
    and mentor: one query."""
    if progress is None:
        return []
    return _newest_first(_reviews_with_mentors(progress_id=progress.pk))


def _newest_first(reviews: list[ReviewRequest]) -> list[ReviewRequest]:
    # Sorted here: Django takes longer to build an ORDER BY than to sort a few rows.
    return newest_first(reviews, "requested_at")


def _with_mentorships(reviews: list[ReviewRequest], mentorships: list[Mentorship]) -> list:
    """The reviews, each with its mentorship: from ``mentorships`` (loaded with their
    mentors) where it is among them, the others read in one query."""
    known = {mentorship.pk: mentorship for mentorship in mentorships}
    missing = {review.mentorship_id for review in reviews} - known.keys()
    if missing:
        known.update(Mentorship.objects.select_related("mentor").in_bulk(missing))
    for review in reviews:
        review.mentorship = known[review.mentorship_id]
    return reviews


def public_profile_get(*, username: str) -> dict:
    """A learner's published portfolio: the stage reached and when, progress by pillar
    weighted by hours, and the work a mentor verified with its evidence; never a note.
    404 alike for a missing and a private profile. Four queries once the plan is cached."""
    profile = (
        Profile.objects.select_related("user")
        .filter(user__username=username, public_profile=True, user__is_active=True)
        .first()
    )
    if profile is None:
        raise Http404("No such profile.")
    guide = guide_get_for_dashboard(profile=profile)
    if guide is None:
        page = {"profile": profile, "guide": None, "overall": Tally(), "plan": None}
    else:
        # Without notes: guide_page_get defers them, and nothing here reads one.
        page = guide_page_get(guide=guide, learner=profile.user)
        page["profile"] = profile
        page.update(_portfolio_get(page=page, learner=profile.user, guide=guide))
    page["share_title"], page["description"] = _share_text(page)
    return page


@dataclass(frozen=True)
class StageRung:
    """One career stage on the public profile: what it asks for and whether it is reached."""

    stage: object
    required: int
    done: int
    reached: bool
    reached_on: datetime.datetime | None
    required_hours: int = 0
    done_hours: int = 0

    @property
    def percent(self) -> int:
        """Done, weighted by hours (the measure every page uses); by count without hours."""
        if self.required_hours:
            return round(100 * self.done_hours / self.required_hours)
        return round(100 * self.done / self.required)


@dataclass(frozen=True)
class VerifiedWork:
    """A done milestone a mentor approved, as the public profile shows it."""

    milestone: object
    completed_at: datetime.datetime
    verified_at: datetime.datetime
    evidence_url: str
    verifier_name: str  # empty unless the mentor publishes a profile of their own
    verifier_username: str


def _verifiers_get(*, learner, guide: Guide) -> dict[int, tuple[str, str]]:
    """Who verified each of the learner's milestones, by milestone id: (name, username)
    of the mentors who publish their own profile; one query, whatever the count."""
    rows = (
        Progress.objects.filter(
            learner=learner,
            milestone__guide=guide,
            verified_at__isnull=False,
            verified_by__is_active=True,
            verified_by__profile__public_profile=True,
        )
        .order_by()
        .values_list("milestone_id", "verified_by__username", "verified_by__profile__display_name")
    )
    return {pk: (name or username, username) for pk, username, name in rows}


def _portfolio_get(*, page: dict, learner, guide: Guide) -> dict:
    """The stage ladder with dates, the verified work and the other completed milestones."""
    plan, current = page["plan"], page["standing"].current
    done = [m for m in plan.milestones if m.mine and is_finished(m.mine.status)]
    completed = {m.pk: m.mine.completed_at for m in done}
    ladder = []
    for stage in sorted(page["stages"], key=lambda stage: stage.order):
        required = required_for(stage, plan.milestones)
        if not required:
            continue  # the first stage asks for nothing: everyone starts there
        reached = current is not None and stage.order <= current.order
        ladder.append(
            StageRung(
                stage=stage,
                required=len(required),
                done=sum(1 for m in required if m.pk in completed),
                required_hours=sum(m.estimated_hours for m in required),
                done_hours=sum(m.estimated_hours for m in required if m.pk in completed),
                reached=reached,
                reached_on=reached_on(stage, plan.milestones, completed) if reached else None,
            )
        )
    verifiers = _verifiers_get(learner=learner, guide=guide)
    verified = [
        VerifiedWork(
            milestone=m,
            completed_at=m.mine.completed_at,
            verified_at=m.mine.verified_at,
            evidence_url=m.mine.evidence_url,
            verifier_name=verifiers.get(m.pk, ("", ""))[0],
            verifier_username=verifiers.get(m.pk, ("", ""))[1],
        )
        for m in done
        if m.mine.verified_at is not None
    ]
    return {
        "done": done,
        "ladder": ladder,
        "reached_on": reached_on(current, plan.milestones, completed),
        "verified_projects": [work for work in verified if work.milestone.is_project],
        "verified_milestones": [work for work in verified if not work.milestone.is_project],
        "verified_count": len(verified),
        "also_done": [m for m in done if m.mine.verified_at is None],
    }


def _share_text(page: dict) -> tuple[str, str]:
    """The page's title and the description of its link previews, from the stage and
    the progress (never from anything the learner wrote but their name)."""
    name = str(page["profile"])
    if page["guide"] is None:
        return f"{name}'s learning path", f"{name}'s learning path on CareerPath."
    stage = page["standing"].current
    stage_name = stage.name if stage is not None else "Getting started"
    overall = page["overall"]
    title = page["guide"].title
    description = (
        f"{name}: {stage_name} on \N{LEFT DOUBLE QUOTATION MARK}{title}"
        f"\N{RIGHT DOUBLE QUOTATION MARK}. {overall.hours_percent}% of the plan done, weighted by"
        f" hours ({overall.done} of {overall.total} milestones)"
    )
    if page["verified_count"]:
        description += f", {page['verified_count']} verified by a mentor"
    return f"{name}'s learning path: {stage_name}", description + "."


def archived_milestone_page_get(*, learner, guide: Guide, slug: str) -> dict:
    """An archived milestone, for a learner who has history on it: their status, notes,
    evidence and status changes, read-only. 404 alike for anyone else, a visitor, and a
    milestone that does not exist. Three queries at most."""
    if not learner.is_authenticated:
        raise Http404("No such milestone.")
    milestone = (
        Milestone.objects.filter(guide=guide, slug=slug, archived=True)
        .select_related("pillar")
        .first()
    )
    if milestone is None:
        raise Http404("No such milestone.")
    progress = Progress.objects.filter(learner=learner, milestone=milestone).first()
    events = list(
        ProgressEvent.objects.filter(learner=learner, milestone=milestone).order_by(
            "-created_at", "-id"
        )[:20]
    )
    if progress is None and not events:
        raise Http404("No such milestone.")
    milestone.guide = guide
    return {"guide": guide, "milestone": milestone, "progress": progress, "events": events}
