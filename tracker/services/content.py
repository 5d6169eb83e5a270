"""Writes of a guide's content: loading a guide file, archiving milestones, and the check
of prerequisites that every write of them passes (tracker.rules.prerequisites).

Everything is keyed on slugs, so loading the same file twice changes nothing, and loading
an edited file updates rows in place: learners' progress, which points at milestones,
always survives. A milestone that disappears from the file is archived, never deleted.
"""

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Q

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
from tracker.rules.prerequisites import Node, Problem, prerequisite_problems
from tracker.selectors.content import milestone_with_history


class GuideContentError(ValueError):
    """The guide's content breaks a rule that its file cannot check alone; the message
    names the milestones, one problem a line. Raised inside the write's transaction, so
    that nothing of it is kept."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(problem.message for problem in self.problems))


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
        # Locked, as the admin locks it to edit prerequisites: see prerequisites_check.
        Guide.objects.select_for_update().filter(slug=guide_data["slug"]).first(),
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

    # Keyed as the database tells bands apart: a stage's by (stage, region), a figure tied
    # to no stage by (label, region). An update never changes a key, so it never collides.
    bands = {band.identity: band for band in guide.salary_bands.select_related("stage")}
    for entry in data["salary_bands"]:
        stage = stages[entry["stage"]] if entry["stage"] else None
        values = {**entry, "guide": guide, "stage": stage}
        key = SalaryBand.identity_of(
            stage_slug=entry["stage"], label=entry["label"], region=entry["region"]
        )
        _sync(report, SalaryBand, bands.pop(key, None), values)
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
    _check_prerequisites(guide, milestones)
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


def _check_prerequisites(guide: Guide, milestones: dict[str, Milestone]) -> None:
    """Refuse the load (GuideContentError) if the guide's prerequisites, as now written,
    go in a circle or require a later level. ``milestones`` are all the guide's milestones,
    archived ones too."""
    edges = MilestonePrerequisite.objects.filter(milestone__guide=guide).values_list(
        "milestone_id", "prerequisite_id"
    )
    problems = prerequisite_problems(milestones.values(), edges)
    if problems:
        raise GuideContentError(problems)


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


# --- an editor's change to prerequisites or levels (the admin) ----------------------------


@dataclass(frozen=True)
class PrerequisiteEdit:
    """A milestone as an editor is about to save it: its fields as edited (level, title,
    pillar), saved before or not. ``prerequisite_ids`` is what the editor's rows will
    require (None: its prerequisites stay as they are); they replace the rows
    ``replaced_rows`` (MilestonePrerequisite ids) and no others: a row the editor did not
    see, added meanwhile by someone else, stays."""

    milestone: Milestone
    prerequisite_ids: Collection[int] | None = None
    replaced_rows: Collection[int] = ()


def prerequisites_check(*, edits: Sequence[PrerequisiteEdit]) -> list[str]:
    """What would be wrong with the prerequisites once ``edits`` are saved, as messages
    that name the milestones: circles through an edited milestone, and milestones that
    would require a later level (an edited one's prerequisites, or the milestones that
    require it). Problems elsewhere in the guide are not this edit's.

    Locks the guides involved until the transaction ends, as ``guide_load`` does: call it
    in the transaction that saves the edit, so that two editors cannot each add half of a
    circle. Three queries.
    """
    keys = {id(edit): edit.milestone.pk or object() for edit in edits}
    edited = {edit.milestone.pk for edit in edits if edit.milestone.pk}
    chosen = {pk for edit in edits for pk in edit.prerequisite_ids or ()}
    # The guides of the edited milestones (before and after a move to another pillar), and
    # those of the prerequisites chosen.
    old_guides = {edit.milestone.guide_id for edit in edits if edit.milestone.guide_id}
    pillars = {edit.milestone.pillar_id for edit in edits}
    guide_ids = list(
        Guide.objects.select_for_update()
        .filter(
            Q(pk__in=old_guides)
            | Q(pk__in=Pillar.objects.filter(pk__in=pillars).values("guide"))
            | Q(pk__in=Milestone.objects.filter(pk__in=chosen).values("guide"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = list(
        MilestonePrerequisite.objects.filter(
            Q(milestone__guide__in=guide_ids) | Q(milestone__in=edited) | Q(prerequisite__in=edited)
        ).values_list("pk", "milestone_id", "prerequisite_id")
    )
    # Milestones of other guides, linked to an edited one (which a guide should not have).
    linked = chosen | {
        end
        for _, milestone_id, prerequisite_id in rows
        for end in (milestone_id, prerequisite_id)
        if milestone_id in edited or prerequisite_id in edited
    }
    nodes = {
        row["id"]: Node(**row)
        for row in Milestone.objects.filter(Q(guide__in=guide_ids) | Q(pk__in=linked)).values(
            "id", "slug", "title", "level"
        )
    }
    replaced = {
        pk for edit in edits if edit.prerequisite_ids is not None for pk in edit.replaced_rows
    }
    edges = [(a, b) for pk, a, b in rows if pk not in replaced]
    for edit in edits:
        key, milestone = keys[id(edit)], edit.milestone
        nodes[key] = Node(id=key, slug=milestone.slug, title=milestone.title, level=milestone.level)
        edges += [(key, required) for required in edit.prerequisite_ids or ()]
    problems = prerequisite_problems(nodes.values(), edges, involving=set(keys.values()))
    return [problem.message for problem in problems]
