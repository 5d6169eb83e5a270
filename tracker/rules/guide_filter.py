"""Which milestones the guide page lists: its filters by status and level, read from the
query string (``?status=done&level=foundation``) and applied to the plan. Pure: no queries.

An unknown value means no filter, never an error; a visitor, who has no statuses, is
offered the level filter only.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tracker.models import Level, ProgressStatus


@dataclass(frozen=True)
class GuideFilter:
    status: str = ""  # "" for every status
    level: str = ""  # "" for every level

    @property
    def active(self) -> bool:
        return bool(self.status or self.level)

    def matches(self, milestone, statuses: Mapping[int, str]) -> bool:
        if self.level and milestone.level != self.level:
            return False
        status = statuses.get(milestone.pk, ProgressStatus.NOT_STARTED)
        return not self.status or status == self.status


def guide_filter_from(query: Mapping[str, str], *, with_statuses: bool) -> GuideFilter:
    """The filters that a query string asks for, each ignored unless it is a known value;
    the status filter only ``with_statuses`` (for a logged-in learner)."""
    status, level = query.get("status", ""), query.get("level", "")
    return GuideFilter(
        status=status if with_statuses and status in ProgressStatus.values else "",
        level=level if level in Level.values else "",
    )


@dataclass
class ShownLevel:
    """One level of a pillar, with the milestones that the filters let through."""

    level: str
    label: str
    milestones: list

    @property
    def hours(self) -> int:
        return sum(m.estimated_hours for m in self.milestones)


@dataclass
class ShownPillar:
    plan: object  # the pillar's PillarPlan (tracker.selectors.content)
    levels: list[ShownLevel] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(level.milestones) for level in self.levels)

    @property
    def hours(self) -> int:
        return sum(level.hours for level in self.levels)

    @property
    def state(self) -> tuple:
        """What the pillar shows of the learner: each listed milestone's status and
        verification (a cached pillar's key, with the guide's content version)."""
        return tuple(
            (m.pk, m.mine.status, m.mine.verified_at) if m.mine else (m.pk,)
            for level in self.levels
            for m in level.milestones
        )


def pillars_filter(
    pillars: Sequence, statuses: Mapping[int, str], chosen: GuideFilter
) -> list[ShownPillar]:
    """Every pillar of the plan, each with the levels and milestones that ``chosen`` lets
    through (a level with none is left out; a pillar with none stays, empty)."""
    shown = []
    for plan in pillars:
        levels = []
        for group in plan.levels:
            kept = [m for m in group.milestones if chosen.matches(m, statuses)]
            if kept:
                levels.append(ShownLevel(group.level, group.label, kept))
        shown.append(ShownPillar(plan, levels))
    return shown


def guide_listing(
    query: Mapping[str, str], *, pillars: Sequence, statuses: Mapping[int, str], with_statuses: bool
) -> dict:
    """What the guide page needs to list its milestones with the filters of ``query``."""
    chosen = guide_filter_from(query, with_statuses=with_statuses)
    shown = pillars_filter(pillars, statuses, chosen)
    described = []  # "done", "foundation level"
    if chosen.status:
        described.append(str(ProgressStatus(chosen.status).label).lower())
    if chosen.level:
        described.append(f"{str(Level(chosen.level).label).lower()} level")
    return {
        "filters": chosen,
        "filters_described": ", ".join(described),
        "shown_pillars": shown,
        "shown_count": sum(pillar.count for pillar in shown),
        "status_options": ProgressStatus.choices if with_statuses else [],
        "level_options": Level.choices,
    }
