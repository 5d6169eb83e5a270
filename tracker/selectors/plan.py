"""Reads for the plan with dates: a learner's projection (tracker.rules.projection).

``plan_projection_for(user)`` is what the dashboard, the calendar feed and the digest
call; ``projection_build`` does the same from a plan already loaded (the dashboard's).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from tracker.models import (
    LEVEL_RANK,
    CareerStage,
    Guide,
    Level,
    Milestone,
    PlanSnapshot,
    Profile,
    Progress,
    ProgressStatus,
    is_finished,
)
from tracker.models.accounts import time_zone_names
from tracker.rules.plan import level_sort_key
from tracker.rules.projection import (
    Completion,
    PlanMilestone,
    PlanStage,
    Projection,
    kept_pace,
    project_plan,
)
from tracker.selectors.content import guide_content_get


def learner_today(*, profile: Profile, now: datetime.datetime) -> datetime.date:
    """Today's date where the learner lives (weeks and dates follow their time zone)."""
    return timezone.localtime(now, profile.zone).date()


def plan_milestones(milestones, progress: dict[int, Progress]) -> list[PlanMilestone]:
    """The plan's active milestones as plain data, with the learner's state on each."""
    result = []
    for milestone in milestones:
        row = progress.get(milestone.pk)
        status = row.status if row is not None else ProgressStatus.NOT_STARTED
        result.append(
            PlanMilestone(
                id=milestone.pk,
                title=milestone.title,
                slug=milestone.slug,
                hours=milestone.estimated_hours,
                level_rank=milestone.level_rank,
                sort_key=level_sort_key(milestone),
                prerequisites=frozenset(p.pk for p in milestone.prerequisites.all()),
                finished=is_finished(status),
                in_progress=status == ProgressStatus.IN_PROGRESS,
            )
        )
    return result


def plan_stages(stages) -> list[PlanStage]:
    return [
        PlanStage(
            id=stage.pk,
            name=stage.name,
            order=stage.order,
            level_rank=LEVEL_RANK[stage.completes_level] if stage.completes_level else None,
        )
        for stage in stages
    ]


def projection_build(
    *, profile: Profile, milestones, progress: dict[int, Progress], stages, now
) -> Projection:
    """The projection from what a page already loaded: no query of its own."""
    zone = profile.zone
    today = learner_today(profile=profile, now=now)
    hours = {m.pk: m.estimated_hours for m in milestones}
    completions = [
        Completion(on=timezone.localtime(row.completed_at, zone).date(), hours=hours[pk])
        for pk, row in progress.items()
        if row.status == ProgressStatus.DONE and row.completed_at is not None and pk in hours
    ]
    joined = timezone.localtime(profile.user.date_joined, zone).date()
    return project_plan(
        milestones=plan_milestones(milestones, progress),
        stages=plan_stages(stages),
        today=today,
        declared_pace=profile.hours_per_week,
        kept=kept_pace(completions, today, joined),
        target_stage_id=profile.target_stage_id,
        target_date=profile.target_date,
    )


def plan_projection_for(
    user, *, guide: Guide | None = None, now: datetime.datetime | None = None
) -> Projection | None:
    """A learner's plan with dates on their dashboard's guide (or ``guide``); None when
    there is no published guide. At most four queries (profile, guide, progress; the
    plan and its stages come from the content cache), whatever the plan's size."""
    # Imported here: the dashboard's selector (tracker.selectors.progress) imports this module.
    from tracker.selectors.progress import guide_get_for_dashboard, progress_map_get  # noqa: PLC0415

    profile = Profile.objects.select_related("user", "current_guide").get(user=user)
    guide = guide or guide_get_for_dashboard(profile=profile)
    if guide is None:
        return None
    cached_plan, extras = guide_content_get(guide=guide)
    progress = progress_map_get(learner=user, guide=guide)
    return projection_build(
        profile=profile,
        milestones=cached_plan.milestones,
        progress=progress,
        stages=extras["stages"],
        now=now or timezone.now(),
    )


def plan_form_get(*, profile: Profile, now: datetime.datetime) -> dict:
    """What the plan form offers: the stages to aim for, the guide's foundation milestones
    (with the ones marked "Already know it" ticked) and the time zones. Three queries
    (guide, progress, stages) once the plan is cached, whatever the number of milestones."""
    from tracker.selectors.progress import guide_get_for_dashboard, progress_map_get  # noqa: PLC0415

    guide = guide_get_for_dashboard(profile=profile)
    if guide is None:
        foundations, progress, stages = [], {}, CareerStage.objects.none()
    else:
        cached_plan, _ = guide_content_get(guide=guide)
        foundations = [m for m in cached_plan.milestones if m.level == Level.FOUNDATION]
        progress = progress_map_get(learner=profile.user, guide=guide)
        stages = guide.stages.exclude(completes_level="").order_by("order")
    done = {pk for pk, row in progress.items() if row.status == ProgressStatus.DONE}
    offered = [m for m in foundations if m.pk not in done]
    return {
        "guide": guide,
        "stages": stages,
        "foundations": offered,
        "foundations_done": len(foundations) - len(offered),
        "known_ids": [
            m.pk
            for m in offered
            if m.pk in progress and progress[m.pk].status == ProgressStatus.KNOWN
        ],
        "today": learner_today(profile=profile, now=now),
        "zones": sorted(time_zone_names()),
    }


@dataclass(frozen=True)
class PlanChanges:
    """What changed in a learner's plan since their dashboard last showed it."""

    current_ids: tuple[int, ...]
    added: tuple[str, ...] = ()  # titles of milestones new to the plan
    archived: tuple[str, ...] = ()  # titles of milestones taken out of it
    first_visit: bool = False

    @property
    def to_record(self) -> bool:
        return self.first_visit or bool(self.added or self.archived)

    @property
    def message(self) -> str:
        """One sentence for the dashboard; empty when there is nothing to tell."""
        if self.first_visit or not (self.added or self.archived):
            return ""
        parts = []
        if self.added:
            parts.append(f"{_count(len(self.added))} added ({_titles(self.added)})")
        if self.archived:
            parts.append(f"{_count(len(self.archived))} archived ({_titles(self.archived)})")
        return (
            "Since your last visit, the guide's editors changed your plan: "
            + " and ".join(parts)
            + ". Your figures and dates follow the new plan."
        )


def _count(number: int) -> str:
    return f"{number} milestone{'s' if number != 1 else ''}"


def _titles(titles: tuple[str, ...], shown: int = 3) -> str:
    quoted = [f"\N{LEFT DOUBLE QUOTATION MARK}{t}\N{RIGHT DOUBLE QUOTATION MARK}" for t in titles]
    if len(quoted) > shown:
        return ", ".join(quoted[:shown]) + f" and {len(quoted) - shown} more"
    return ", ".join(quoted)


def plan_changes_get(*, learner, guide: Guide) -> PlanChanges:
    """Compare the guide's active milestones (from the content cache) with what the
    learner's dashboard last showed: one query, two when milestones were archived."""
    cached_plan, _ = guide_content_get(guide=guide)
    current = {m.pk: m for m in cached_plan.milestones}
    ids = tuple(sorted(current))
    seen = (
        PlanSnapshot.objects.filter(learner=learner, guide=guide)
        .values_list("milestone_ids", flat=True)
        .first()
    )
    if seen is None:
        return PlanChanges(current_ids=ids, first_visit=True)
    seen_ids = set(seen)
    added = [current[pk] for pk in ids if pk not in seen_ids]
    gone = sorted(seen_ids - set(current))
    archived = (
        list(
            Milestone.objects.filter(pk__in=gone).order_by("title").values_list("title", flat=True)
        )
        if gone
        else []
    )
    return PlanChanges(
        current_ids=ids,
        added=tuple(m.title for m in sorted(added, key=level_sort_key)),
        archived=tuple(archived),
    )
