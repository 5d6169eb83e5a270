"""Reads of a guide's content: the published guides, a guide's plan, a milestone."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.template.loader import render_to_string

from tracker import caching
from tracker.models import (
    Guide,
    Level,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Profile,
    Progress,
    ProgressEvent,
    Resource,
    SalaryBand,
    profile_if_loaded,
)
from tracker.rules.stages import Tally, figure_sources, tally

# The guide's salary figures in the order of its salary table; a figure tied to no stage
# comes after a stage's at the same order, on every database.
FIGURE_ORDER = ("order", F("stage__order").asc(nulls_last=True), "region", "label")


def guide_list_published() -> QuerySet[Guide]:
    return Guide.objects.filter(published=True).order_by("created_at", "pk")


def milestone_list_active() -> QuerySet[Milestone]:
    return Milestone.objects.filter(archived=False).order_by("pillar__order", "order", "title")


def guide_get_for_landing() -> Guide | None:
    """The first published guide, with what the landing page shows of it."""
    guide = guide_list_published().first()
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
    guide.band_list = list(guide.salary_bands.select_related("stage").order_by(*FIGURE_ORDER))
    guide.band_sources = figure_sources(guide.band_list)
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


def guide_content_get(*, guide: Guide) -> tuple[GuidePlan, dict]:
    """The guide's plan and extras, built once per content version (tracker.caching)."""
    extras = caching.content.guide_content(
        guide, lambda: guide_extras_get(guide=guide), part="extras"
    )
    return guide_plan_get(guide=guide), extras


def guide_plan_get(*, guide: Guide) -> GuidePlan:
    """The guide's plan alone, built once per content version (tracker.caching)."""
    return caching.content.guide_content(guide, lambda: guide_plan_build(guide=guide))


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


def guide_plan_build(*, guide: Guide) -> GuidePlan:
    """Pillars → levels → milestones (with resources and prerequisites): four queries."""
    milestones = list(_with_details(milestone_list_active().filter(guide=guide)))
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


def guide_get_published(slug: str, *, viewer=None) -> Guide:
    """The published guide of this slug, or a 404. The guide a logged-in ``viewer`` has
    chosen came with their session's user (``tracker.auth``): when it is this one, it is
    taken from there instead of asked for again."""
    chosen = chosen_guide_of(viewer)
    if chosen is not None and chosen.slug == slug and chosen.published:
        return chosen
    guide = guide_list_published().filter(slug=slug).first()
    if guide is None:
        raise Http404("No such guide.")
    return guide


def chosen_guide_of(viewer) -> Guide | None:
    """The viewer's chosen guide if it is already loaded with them: never a query."""
    profile = profile_if_loaded(viewer)
    chosen = Profile.current_guide.field
    if profile is None or not chosen.is_cached(profile):
        return None
    return chosen.get_cached_value(profile)


def guide_extras_get(*, guide: Guide) -> dict:
    """Salary bands, stages, advice and impact areas of a guide: four queries."""
    bands = list(
        SalaryBand.objects.filter(guide=guide).select_related("stage").order_by(*FIGURE_ORDER)
    )
    return {
        "stages": list(guide.stages.order_by("order")),
        "bands": bands,
        # Whom to credit for the figures; with more than one, each figure names its own.
        "band_sources": figure_sources(bands),
        # The regions a learner's choice picks a stage's figure among.
        "band_regions": sorted({band.region for band in bands if band.stage_id is not None}),
        "advice": list(guide.advice.order_by("order")),
        "impact_areas": list(guide.impact_areas.order_by("order")),
    }


def milestone_get_active(*, guide: Guide, slug: str) -> Milestone:
    """The guide's active milestone of this slug, with its pillar, resources and
    prerequisites, from the guide's plan kept in the process (``guide_plan_get``): no
    query. The milestone is shared by the whole process: nothing may be written onto it
    (``LearnerMilestone`` carries a learner's row)."""
    milestone = guide_plan_get(guide=guide).by_slug.get(slug)
    if milestone is None:
        raise Http404("No such milestone.")
    return milestone


def milestone_unlocks_get(*, guide: Guide) -> dict[int, list[Milestone]]:
    """The active milestones that require each milestone of the guide (of any guide, as
    prerequisites may link two), in the guide's order: one query, once per content
    version and process (``tracker.caching.content``). Shared like the plan."""

    def build() -> dict[int, list[Milestone]]:
        rows = (
            MilestonePrerequisite.objects.filter(
                prerequisite__guide=guide, milestone__archived=False
            )
            .select_related("milestone__guide")
            .only("prerequisite_id", *(f"milestone__{name}" for name in UNLOCK_FIELDS))
            .order_by("milestone__pillar__order", "milestone__order", "milestone__title")
        )
        unlocks: dict[int, list[Milestone]] = {}
        for row in rows:
            unlocks.setdefault(row.prerequisite_id, []).append(row.milestone)
        return unlocks

    return caching.content.guide_content(guide, build, part="unlocks")


# What a milestone's "opens the way to" list shows of each: its link and title.
UNLOCK_FIELDS = ("id", "slug", "title", "guide__slug")


def salary_region_list() -> list[str]:
    """The regions a learner may choose: those where a published guide quotes a stage's
    figure (a figure tied to no stage, such as a tech-hub average, is shown to everyone)."""
    return list(
        SalaryBand.objects.filter(guide__published=True, stage__isnull=False)
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


def guide_file_data_get(*, guide: Guide) -> dict[str, Any]:
    """The guide's current content in the shape that tracker.guidefile reads and writes."""
    milestones = (
        guide.milestones.filter(archived=False)
        .order_by("pillar__order", "order", "slug")
        .prefetch_related("resources", "prerequisites")
    )
    by_pillar: dict[int, list] = {}
    for milestone in milestones:
        by_pillar.setdefault(milestone.pillar_id, []).append(
            {
                "slug": milestone.slug,
                "title": milestone.title,
                "level": milestone.level,
                "hours": milestone.estimated_hours,
                "order": milestone.order,
                "description": milestone.description,
                "prerequisites": sorted(p.slug for p in milestone.prerequisites.all()),
                "is_project": milestone.is_project,
                "resources": [
                    {"title": r.title, "url": r.url, "kind": r.kind}
                    for r in milestone.resources.all()
                ],
            }
        )
    return {
        "guide": {
            "slug": guide.slug,
            "title": guide.title,
            "summary": guide.summary,
            "promise": guide.promise,
            "published": guide.published,
            "source": {
                "author": guide.source_author,
                "title": guide.source_title,
                "published_on": guide.source_published_on,
                "url": guide.source_url,
            },
        },
        "stages": [
            {
                "slug": s.slug,
                "name": s.name,
                "order": s.order,
                "completes_level": s.completes_level,
                "description": s.description,
            }
            for s in guide.stages.order_by("order")
        ],
        "salary_bands": [
            {
                "stage": b.stage.slug if b.stage else None,
                "label": b.label,
                "region": b.region,
                "low": b.low,
                "high": b.high,
                "currency": b.currency,
                "note": b.note,
                "source": b.source,
                "as_of": b.as_of,
                "order": b.order,
            }
            for b in guide.salary_bands.select_related("stage").order_by(*FIGURE_ORDER)
        ],
        "advice": [
            {
                "slug": a.slug,
                "title": a.title,
                "body": a.body,
                "general": a.general,
                "rule": a.rule,
                "inactive_days": a.inactive_days,
                "order": a.order,
            }
            for a in guide.advice.order_by("order", "slug")
        ],
        "impact_areas": [
            {"slug": i.slug, "name": i.name, "description": i.description, "order": i.order}
            for i in guide.impact_areas.order_by("order", "slug")
        ],
        "pillars": [
            {
                "slug": p.slug,
                "name": p.name,
                "description": p.description,
                "order": p.order,
                "milestones": by_pillar.get(p.pk, []),
            }
            for p in guide.pillars.order_by("order", "slug")
            if p.pk in by_pillar
        ],
    }


def milestone_with_history(milestones: QuerySet[Milestone]) -> QuerySet[Milestone]:
    """The milestones that learners' progress or history points at: never deleted."""
    return milestones.filter(
        Exists(Progress.objects.filter(milestone=OuterRef("pk")))
        | Exists(ProgressEvent.objects.filter(milestone=OuterRef("pk")))
    )
