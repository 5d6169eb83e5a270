"""Reads of the guide map: the guide's plan laid out as lanes and levels, with the
learner's status on every milestone (a visitor's map has none)."""

from dataclasses import dataclass

from tracker.models import Guide, Level, ProgressStatus
from tracker.rules.map_layout import Lane, MapItem, MapLayout, Node, map_layout
from tracker.selectors.content import LearnerMilestone, PillarPlan, guide_content_get
from tracker.selectors.progress import progress_map_get


@dataclass(frozen=True)
class MapNode:
    """A milestone where the map draws it, as one learner sees it."""

    box: Node
    milestone: LearnerMilestone
    status: str  # "" for a visitor
    prerequisites: list  # the milestones it needs, each with its own ``status``
    edges: list  # its arrows in and out, drawn again on top while it is hovered or focused


@dataclass(frozen=True)
class MapLevel:
    label: str
    nodes: list[MapNode]


@dataclass(frozen=True)
class MapLane:
    band: Lane
    plan: PillarPlan
    levels: list[MapLevel]

    @property
    def nodes(self) -> list[MapNode]:
        return [node for level in self.levels for node in level.nodes]


@dataclass(frozen=True)
class MapPrerequisite:
    milestone: LearnerMilestone
    status: str


def guide_map_get(*, guide: Guide, learner) -> dict:
    """The guide map of ``guide`` for ``learner`` (or a visitor): the same queries whatever
    the guide's size, the cached plan's and one for the learner's progress."""
    cached_plan, _extras = guide_content_get(guide=guide)
    progress = progress_map_get(learner=learner, guide=guide)
    plan = cached_plan.for_learner(progress)
    statuses = {pk: row.status for pk, row in progress.items()}
    overall = plan.tally(statuses)
    with_status = learner.is_authenticated

    def status_of(milestone_id: int) -> str:
        return statuses.get(milestone_id, ProgressStatus.NOT_STARTED) if with_status else ""

    on_map = {m.pk: m for m in plan.milestones}
    layout: MapLayout = map_layout(
        [
            MapItem(
                id=m.pk,
                lane=m.pillar_id,
                level=m.level,
                order=m.order,
                title=m.title,
                prerequisites=tuple(p.pk for p in m.prerequisites.all()),
            )
            for m in plan.milestones
        ],
        lanes=[pillar_plan.pillar.pk for pillar_plan in plan.pillars],
        levels=Level.values,
    )
    touching: dict[int, list] = {}
    for edge in layout.edges:
        touching.setdefault(edge.source, []).append(edge)
        touching.setdefault(edge.target, []).append(edge)
    nodes = {}
    for box in layout.nodes:
        milestone = on_map[box.id]
        nodes[box.id] = MapNode(
            box=box,
            milestone=milestone,
            status=status_of(box.id),
            prerequisites=[
                MapPrerequisite(on_map[p.pk], status_of(p.pk))
                for p in milestone.prerequisites.all()
                if p.pk in on_map
            ],
            edges=touching.get(box.id, []),
        )
    lanes = {band.key: band for band in layout.lanes}
    labels = dict(Level.choices)
    return {
        "guide": guide,
        "plan": plan,
        "layout": layout,
        "lanes": [
            MapLane(
                band=lanes[pillar_plan.pillar.pk],
                plan=pillar_plan,
                levels=[
                    MapLevel(group.label, [nodes[m.pk] for m in group.milestones])
                    for group in pillar_plan.levels
                ],
            )
            for pillar_plan in plan.pillars
        ],
        "columns": [(column, labels.get(column.level, column.level)) for column in layout.columns],
        "overall": overall,
        "with_status": with_status,
    }
