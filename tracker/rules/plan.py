"""What a learner should do next in their plan: pure rules, no queries."""

from tracker.models import LEVEL_RANK, Milestone, ProgressStatus, is_finished


def level_sort_key(milestone: Milestone) -> tuple:
    return (LEVEL_RANK[milestone.level], milestone.pillar.order, milestone.order)


def next_up(milestones: list[Milestone], statuses: dict[int, str], limit: int = 3) -> list:
    """In-progress work first, then what is open to start: foundations before advanced."""

    def done(milestone: Milestone) -> bool:
        return is_finished(statuses.get(milestone.pk))

    in_progress = [m for m in milestones if statuses.get(m.pk) == ProgressStatus.IN_PROGRESS]
    ready = [
        m
        for m in milestones
        if m.pk not in statuses or statuses[m.pk] == ProgressStatus.NOT_STARTED
        if all(done(p) for p in m.prerequisites.all())
    ]
    return (sorted(in_progress, key=level_sort_key) + sorted(ready, key=level_sort_key))[:limit]
