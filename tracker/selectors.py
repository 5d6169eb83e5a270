"""Every read a page needs, each in a fixed number of queries whatever the data size."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.template.loader import render_to_string

from tracker.advice import advice_for
from tracker.charts import WEEKS, activity, activity_svg, week_start
from tracker.models import (
    LEVEL_RANK,
    AdviceRule,
    Guide,
    Level,
    Mentorship,
    MentorshipStatus,
    Milestone,
    Pillar,
    Profile,
    Progress,
    ProgressEvent,
    ProgressStatus,
    Resource,
    ReviewRequest,
    SalaryBand,
)
from tracker.stages import Tally, standing, tally


def published_guides() -> QuerySet[Guide]:
    return Guide.objects.filter(published=True).order_by("created_at", "pk")


def active_milestones() -> QuerySet[Milestone]:
    return Milestone.objects.filter(archived=False).order_by("pillar__order", "order", "title")


def landing_guide() -> Guide | None:
    """The first published guide, with what the landing page shows of it."""
    guide = published_guides().first()
    if guide is None:
        return None
    guide.pillar_list = list(
        guide.pillars.annotate(
            milestone_total=Count("milestones", filter=Q(milestones__archived=False)),
            hours_total=Sum("milestones__estimated_hours", filter=Q(milestones__archived=False)),
        )
        .filter(milestone_total__gt=0)
        .order_by("order")
    )
    guide.band_list = list(guide.salary_bands.select_related("stage").order_by("stage__order"))
    return guide


@dataclass
class LevelGroup:
    level: str
    label: str
    milestones: list[Milestone]

    @property
    def hours(self) -> int:
        return sum(m.estimated_hours for m in self.milestones)


@dataclass
class PillarPlan:
    pillar: Pillar
    levels: list[LevelGroup]
    milestones: list[Milestone]
    tally: Tally = field(default_factory=Tally)


class LearnerMilestone:
    """A cached, shared milestone as one learner sees it: reads go through to the
    milestone, and ``mine`` holds the learner's progress row (or None).

    The cached plan is shared by every request of a process, so nothing per-learner is
    ever written onto its objects.
    """

    def __init__(self, milestone: Milestone, mine: Progress | None):
        self.milestone = milestone
        self.mine = mine

    def __getattr__(self, name):
        return getattr(self.milestone, name)


@dataclass
class GuidePlan:
    """A guide with its active milestones grouped by pillar and level."""

    guide: Guide
    pillars: list[PillarPlan]
    milestones: list
    by_slug: dict

    def tally(self, statuses: dict[int, str]) -> Tally:
        for plan in self.pillars:
            plan.tally = tally(plan.milestones, statuses)
        return tally(self.milestones, statuses)

    def for_learner(self, progress: dict[int, Progress]) -> "GuidePlan":
        """A per-request copy whose milestones carry the learner's rows."""
        seen = {m.pk: LearnerMilestone(m, progress.get(m.pk)) for m in self.milestones}
        pillars = [
            PillarPlan(
                plan.pillar,
                [
                    LevelGroup(group.level, group.label, [seen[m.pk] for m in group.milestones])
                    for group in plan.levels
                ],
                [seen[m.pk] for m in plan.milestones],
            )
            for plan in self.pillars
        ]
        milestones = list(seen.values())
        return GuidePlan(self.guide, pillars, milestones, {m.slug: m for m in milestones})


_CONTENT_CACHE: dict[tuple, tuple[GuidePlan, dict]] = {}


def guide_content(*, guide: Guide) -> tuple[GuidePlan, dict]:
    """The guide's plan and extras, cached per process until its content changes.

    The key holds ``content_version``, which every content write bumps (tracker.signals),
    so a cached plan is never stale and costs no query to validate: the page has already
    fetched the guide row.
    """
    key = (guide.pk, guide.content_version, guide.updated_at)
    content = _CONTENT_CACHE.get(key)
    if content is None:
        content = (guide_plan(guide=guide), guide_extras(guide=guide))
        if len(_CONTENT_CACHE) >= 16:
            _CONTENT_CACHE.clear()
        _CONTENT_CACHE[key] = content
    return content


def clear_content_cache() -> None:
    _CONTENT_CACHE.clear()


def _with_details(milestones: QuerySet[Milestone]) -> QuerySet[Milestone]:
    return milestones.select_related("pillar").prefetch_related(
        Prefetch("resources", queryset=Resource.objects.order_by("order", "id")),
        Prefetch(
            "prerequisites",
            # With the guide's slug, which their links need: one join, not a query each.
            queryset=Milestone.objects.filter(archived=False)
            .select_related("guide")
            .only("id", "slug", "title", "pillar_id", "guide__slug"),
        ),
    )


def guide_plan(*, guide: Guide) -> GuidePlan:
    """Pillars → levels → milestones (with resources and prerequisites): four queries."""
    milestones = list(_with_details(active_milestones().filter(guide=guide)))
    pillars: dict[int, PillarPlan] = {}
    for milestone in milestones:
        milestone.guide = guide
        # Content only, the same for everyone: rendered once while the plan is cached.
        milestone.links_html = render_to_string(
            "includes/_milestone_links.html", {"milestone": milestone}
        )
        plan = pillars.get(milestone.pillar_id)
        if plan is None:
            plan = pillars[milestone.pillar_id] = PillarPlan(milestone.pillar, [], [])
        plan.milestones.append(milestone)
    for plan in pillars.values():
        for level in Level:
            of_level = [m for m in plan.milestones if m.level == level]
            if of_level:
                plan.levels.append(LevelGroup(level.value, level.label, of_level))
    ordered = sorted(pillars.values(), key=lambda plan: (plan.pillar.order, plan.pillar.name))
    return GuidePlan(guide, ordered, milestones, {m.slug: m for m in milestones})


def guide_by_slug(slug: str) -> Guide:
    guide = published_guides().filter(slug=slug).first()
    if guide is None:
        raise Http404("No such guide.")
    return guide


def guide_extras(*, guide: Guide) -> dict:
    """Salary bands, stages, advice and impact areas of a guide: four queries."""
    return {
        "stages": list(guide.stages.order_by("order")),
        "bands": list(
            SalaryBand.objects.filter(guide=guide)
            .select_related("stage")
            .order_by("stage__order", "region")
        ),
        "advice": list(guide.advice.order_by("order")),
        "impact_areas": list(guide.impact_areas.order_by("order")),
    }


def milestone_detail(*, guide: Guide, slug: str) -> Milestone:
    milestone = (
        _with_details(Milestone.objects.filter(guide=guide, slug=slug, archived=False))
        .prefetch_related(
            Prefetch(
                "unlocks",
                queryset=Milestone.objects.filter(archived=False)
                .select_related("guide")
                .only("id", "slug", "title", "guide__slug"),
            )
        )
        .first()
    )
    if milestone is None:
        raise Http404("No such milestone.")
    milestone.guide = guide
    return milestone


def statuses_of(*, learner, guide: Guide, with_notes: bool = False) -> dict[int, Progress]:
    """The learner's progress rows on a guide, keyed by milestone id: one query."""
    if not learner.is_authenticated:
        return {}
    rows = Progress.objects.filter(learner=learner, milestone__guide=guide).order_by()
    if not with_notes:
        rows = rows.defer("note")
    return {row.milestone_id: row for row in rows}


def level_sort_key(milestone: Milestone) -> tuple:
    return (LEVEL_RANK[milestone.level], milestone.pillar.order, milestone.order)


def attach_progress(milestone: Milestone, progress: dict[int, Progress]) -> None:
    """Set ``mine`` on a freshly fetched milestone and its prerequisites: their learner's
    progress row, or None. (Never on the cached plan: see LearnerMilestone.)"""
    milestone.mine = progress.get(milestone.pk)
    for required in milestone.prerequisites.all():
        required.mine = progress.get(required.pk)


def milestone_page(*, learner, guide: Guide, milestone: Milestone) -> dict:
    """One milestone, and for a learner their row, notes form and unfinished prerequisites."""
    context = {"guide": guide, "milestone": milestone, "progress": None}
    if not learner.is_authenticated:
        attach_progress(milestone, {})
        return context
    ids = [milestone.pk, *(p.pk for p in milestone.prerequisites.all())]
    rows = Progress.objects.filter(learner=learner, milestone_id__in=ids)
    attach_progress(milestone, {row.milestone_id: row for row in rows})
    context["progress"] = milestone.mine
    context["unfinished_prerequisites"] = [
        p
        for p in milestone.prerequisites.all()
        if not (p.mine and p.mine.status == ProgressStatus.DONE)
    ]
    context["reviews"] = reviews_of_progress(progress=milestone.mine)
    context["mentors"] = active_mentors_of(mentee=learner)
    return context


def active_mentors_of(*, mentee) -> list[Mentorship]:
    return list(
        Mentorship.objects.filter(mentee=mentee, status=MentorshipStatus.ACTIVE).select_related(
            "mentor__profile"
        )
    )


def guide_page(*, guide: Guide, learner, with_notes: bool = False, region: str = "") -> dict:
    """Everything the guide page shows, for a visitor or a learner; ``region`` picks the
    salary bands of the learner's standing."""
    cached_plan, extras = guide_content(guide=guide)
    progress = statuses_of(learner=learner, guide=guide, with_notes=with_notes)
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


def dashboard_guide(*, profile: Profile) -> Guide | None:
    """The learner's chosen guide while it is published, else the first published one."""
    if profile.current_guide_id and profile.current_guide.published:
        return profile.current_guide
    return published_guides().first()


def next_up(milestones: list[Milestone], statuses: dict[int, str], limit: int = 3) -> list:
    """In-progress work first, then what is open to start: foundations before advanced."""

    def done(milestone: Milestone) -> bool:
        return statuses.get(milestone.pk) == ProgressStatus.DONE

    in_progress = [m for m in milestones if statuses.get(m.pk) == ProgressStatus.IN_PROGRESS]
    ready = [
        m
        for m in milestones
        if m.pk not in statuses or statuses[m.pk] == ProgressStatus.NOT_STARTED
        if all(done(p) for p in m.prerequisites.all())
    ]
    return (sorted(in_progress, key=level_sort_key) + sorted(ready, key=level_sort_key))[:limit]


def dashboard(*, learner, profile: Profile, guide: Guide, now) -> dict:
    """The learner's dashboard: progress, stage and salary, next up, advice, activity."""
    page = guide_page(guide=guide, learner=learner, region=profile.region)
    plan, statuses = page["plan"], page["statuses"]
    window_start = now - datetime.timedelta(weeks=WEEKS)
    # One query for the chart and the streak: the status changes of the last year.
    recent = list(
        ProgressEvent.objects.filter(
            learner=learner,
            milestone__guide=guide,
            created_at__gte=now - datetime.timedelta(weeks=53),
        )
        .order_by()
        .values_list("created_at", "new_status")
    )
    completed_on = [
        moment.date()
        for moment, status in recent
        if status == ProgressStatus.DONE and moment >= window_start
    ]
    recent_weeks = sorted({week_start(moment.date()) for moment, _ in recent}, reverse=True)
    last_activity = profile.last_active_at
    applicable = advice_for(page["advice"], plan.milestones, statuses, last_activity, now)
    recent_activity = activity(completed_on, recent_weeks, now.date())
    page.update(
        {
            "profile": profile,
            "next_up": next_up(plan.milestones, statuses),
            "applicable_advice": applicable,
            "project_themes": page["impact_areas"]
            if any(item.rule == AdviceRule.NO_PROJECT_STARTED for item in applicable)
            else [],
            "activity": recent_activity,
            "activity_chart": activity_svg(recent_activity),
            "last_activity": last_activity,
            "reviews": list(
                ReviewRequest.objects.filter(progress__learner=learner)
                .select_related("progress__milestone__guide", "mentorship__mentor")
                .order_by("-requested_at")[:5]
            ),
            "is_new": not statuses,
        }
    )
    return page


def reviews_of_progress(*, progress: Progress | None) -> list:
    if progress is None:
        return []
    return list(progress.reviews.select_related("mentorship__mentor").order_by("-requested_at"))


def salary_regions() -> list[str]:
    return list(
        SalaryBand.objects.filter(guide__published=True)
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


def public_profile(*, username: str) -> dict:
    """A learner's published progress; 404 alike for a missing and a private profile."""
    profile = (
        Profile.objects.select_related("user")
        .filter(user__username=username, public_profile=True, user__is_active=True)
        .first()
    )
    if profile is None:
        raise Http404("No such profile.")
    guide = dashboard_guide(profile=profile)
    if guide is None:
        return {"profile": profile, "guide": None, "overall": Tally(), "plan": None}
    page = guide_page(guide=guide, learner=profile.user)
    page["profile"] = profile
    page["done"] = [
        m for m in page["plan"].milestones if m.mine and m.mine.status == ProgressStatus.DONE
    ]
    return page
