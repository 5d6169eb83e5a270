"""What a learner should do next in their plan: pure rules, no queries."""

from tracker.models import LEVEL_RANK, Milestone, ProgressStatus, is_finished


def level_sort_key(milestone: Milestone) -> tuple:
    return (LEVEL_RANK[milestone.level], milestone.pillar.order, milestone.order)


def next_up(
    milestones: list[Milestone],
    statuses: dict[int, str],
    limit: int = 3,
    needs_work: frozenset[int] = frozenset(),
) -> list:
    """Work a mentor sent back first (``needs_work``, tracker.rules.threads), then
    in-progress work, then what is open to start: foundations before advanced."""

    def done(milestone: Milestone) -> bool:
        return is_finished(statuses.get(milestone.pk))

    sent_back = [m for m in milestones if m.pk in needs_work]
    in_progress = [
        m
        for m in milestones
        if statuses.get(m.pk) == ProgressStatus.IN_PROGRESS and m.pk not in needs_work
    ]
    ready = [
        m
        for m in milestones
        if m.pk not in statuses or statuses[m.pk] == ProgressStatus.NOT_STARTED
        if all(done(p) for p in m.prerequisites.all())
    ]
    if needs_work:
        ready = [m for m in ready if m.pk not in needs_work]
    return (
        sorted(sent_back, key=level_sort_key)
        + sorted(in_progress, key=level_sort_key)
        + sorted(ready, key=level_sort_key)
    )[:limit]
