"""Writes of a guide's content: loading a guide file, archiving milestones.

Everything is keyed on slugs, so loading the same file twice changes nothing, and loading
an edited file updates rows in place: learners' progress, which points at milestones,
always survives. A milestone that disappears from the file is archived, never deleted.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from tracker.caching.versions import content_changed
from tracker.models import (
    Advice,
    CareerStage,
    Guide,
    ImpactArea,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Resource,
    SalaryBand,
)
from tracker.selectors.content import milestone_with_history


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    archived: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        text = f"{self.created.total()} created, {self.updated.total()} updated"
        if self.archived:
            text += f", {self.archived} archived"
        if self.deleted:
            text += f", {self.deleted} deleted"
        return text


def _sync(
    report: LoadReport, model: type[models.Model], existing: models.Model | None, values: dict
) -> models.Model:
    """Create the row, or update the fields that differ; count what happened."""
    if existing is None:
        report.created[model.__name__] += 1
        return model.objects.create(**values)
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if changed:
        for name in changed:
            setattr(existing, name, values[name])
        existing.save(update_fields=changed)
        report.updated[model.__name__] += 1
    return existing


def _delete_missing(report: LoadReport, queryset: models.QuerySet) -> None:
    count = queryset.count()
    if count:
        queryset.delete()
        report.deleted += count


@transaction.atomic
def guide_load(*, data: dict[str, Any]) -> tuple[Guide, LoadReport]:
    """Make the database hold exactly the guide described by ``data`` (tracker.guidefile)."""
    report = LoadReport()
    guide_data = data["guide"]
    source = guide_data["source"]
    guide = _sync(
        report,
        Guide,
        Guide.objects.filter(slug=guide_data["slug"]).first(),
        {
            "slug": guide_data["slug"],
            "title": guide_data["title"],
            "summary": guide_data["summary"],
            "promise": guide_data["promise"],
            "published": guide_data["published"],
            "source_author": source["author"] or "",
            "source_title": source["title"] or "",
            "source_published_on": source["published_on"],
            "source_url": source["url"] or "",
        },
    )

    stages = {stage.slug: stage for stage in guide.stages.all()}
    for entry in data["stages"]:
        stages[entry["slug"]] = _sync(
            report, CareerStage, stages.get(entry["slug"]), {"guide": guide, **entry}
        )
    wanted_stages = {entry["slug"] for entry in data["stages"]}
    _delete_missing(report, guide.stages.exclude(slug__in=wanted_stages))

    bands = {
        (band.stage.slug, band.region): band for band in guide.salary_bands.select_related("stage")
    }
    for entry in data["salary_bands"]:
        values = {**entry, "guide": guide, "stage": stages[entry["stage"]]}
        _sync(report, SalaryBand, bands.pop((entry["stage"], entry["region"]), None), values)
    _delete_missing(report, SalaryBand.objects.filter(pk__in=[band.pk for band in bands.values()]))

    for model, entries, related in (
        (Advice, data["advice"], guide.advice),
        (ImpactArea, data["impact_areas"], guide.impact_areas),
    ):
        existing = {row.slug: row for row in related.all()}
        for entry in entries:
            _sync(report, model, existing.pop(entry["slug"], None), {"guide": guide, **entry})
        _delete_missing(report, model.objects.filter(pk__in=[row.pk for row in existing.values()]))

    pillars = {pillar.slug: pillar for pillar in guide.pillars.all()}
    milestones = {milestone.slug: milestone for milestone in guide.milestones.all()}
    wanted: dict[str, dict] = {}
    for pillar_entry in data["pillars"]:
        pillar_values = {k: v for k, v in pillar_entry.items() if k != "milestones"}
        pillar = _sync(
            report, Pillar, pillars.get(pillar_entry["slug"]), {"guide": guide, **pillar_values}
        )
        for entry in pillar_entry["milestones"]:
            wanted[entry["slug"]] = entry
            milestones[entry["slug"]] = _sync(
                report,
                Milestone,
                milestones.get(entry["slug"]),
                {
                    "guide": guide,
                    "pillar": pillar,
                    "slug": entry["slug"],
                    "title": entry["title"],
                    "description": entry["description"],
                    "level": entry["level"],
                    "estimated_hours": entry["hours"],
                    "order": entry["order"],
                    "is_project": entry["is_project"],
                    "archived": False,
                },
            )

    gone = [m.pk for slug, m in milestones.items() if slug not in wanted and not m.archived]
    report.archived = Milestone.objects.filter(pk__in=gone).update(archived=True)

    _sync_prerequisites(report, guide, milestones, wanted)
    _sync_resources(report, guide, milestones, wanted)
    if report.created.total() or report.updated.total() or report.archived or report.deleted:
        # Bulk writes above send no signals: say once that the content changed.
        content_changed(guide_ids=[guide.pk])
    return guide, report


def _sync_prerequisites(report, guide, milestones, wanted) -> None:
    current = set(
        MilestonePrerequisite.objects.filter(milestone__guide=guide).values_list(
            "milestone_id", "prerequisite_id"
        )
    )
    desired = {
        (milestones[slug].pk, milestones[required].pk)
        for slug, entry in wanted.items()
        for required in entry["prerequisites"]
    }
    added = desired - current
    MilestonePrerequisite.objects.bulk_create(
        MilestonePrerequisite(milestone_id=a, prerequisite_id=b) for a, b in added
    )
    report.created["MilestonePrerequisite"] += len(added)
    for milestone_id, prerequisite_id in current - desired:
        MilestonePrerequisite.objects.filter(
            milestone_id=milestone_id, prerequisite_id=prerequisite_id
        ).delete()
        report.deleted += 1


def _sync_resources(report, guide, milestones, wanted) -> None:
    existing = {
        (resource.milestone_id, resource.url): resource
        for resource in Resource.objects.filter(milestone__guide=guide)
    }
    for slug, entry in wanted.items():
        milestone = milestones[slug]
        for order, resource in enumerate(entry["resources"], start=1):
            _sync(
                report,
                Resource,
                existing.pop((milestone.pk, resource["url"]), None),
                {"milestone": milestone, "order": order, **resource},
            )
    # Archived milestones keep their resources, so that un-archiving restores them.
    active = {milestones[slug].pk for slug in wanted}
    stale = [r.pk for (milestone_id, _), r in existing.items() if milestone_id in active]
    _delete_missing(report, Resource.objects.filter(pk__in=stale))


@transaction.atomic
def milestone_set_archived(*, milestones: models.QuerySet, archived: bool) -> int:
    """Archive (hide from plans, keep history) or restore milestones; how many changed."""
    ids = list(milestones.values_list("pk", flat=True))
    count = Milestone.objects.filter(pk__in=ids).update(archived=archived)
    content_changed(milestone_ids=ids)
    return count


@transaction.atomic
def milestone_delete(*, milestones: models.QuerySet) -> int:
    """Delete milestones that nobody has touched; archive the others instead. Returns how
    many were archived."""
    ids = list(milestones.values_list("pk", flat=True))
    content_changed(milestone_ids=ids)
    chosen = Milestone.objects.filter(pk__in=ids)
    kept = list(milestone_with_history(chosen).values_list("pk", flat=True))
    archived = chosen.filter(pk__in=kept).update(archived=True)
    chosen.exclude(pk__in=kept).delete()
    return archived
