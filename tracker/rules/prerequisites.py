"""Prerequisites a learner could never satisfy: pure rules, no queries.

Two things make a guide's prerequisites unusable. A *circle* (pandas requires feature
engineering, which requires pandas) means none of its milestones can ever be started. A
*level inversion* (a foundation milestone that requires an intermediate one) breaks the
career stages, which are reached level by level: foundation milestones may require
foundation ones only, intermediate ones foundation or intermediate, advanced ones anything.

Callers pass the milestones (anything with ``id``, ``slug``, ``title`` and ``level``: model
rows, or :class:`Node`) and the edges ``(milestone id, prerequisite id)``; the check runs in
time linear in their number.
"""

from collections import deque
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from tracker.models import LEVEL_RANK, Level


class MilestoneLike(Protocol):
    id: Hashable
    slug: str
    title: str
    level: str


@dataclass(frozen=True)
class Node:
    """A milestone as the rules see it."""

    id: Hashable
    slug: str
    title: str
    level: str


def _quoted(milestone: MilestoneLike) -> str:
    return f"“{milestone.title}”"


def _level_name(level: str) -> str:
    return str(Level(level).label).lower()


@dataclass(frozen=True)
class Cycle:
    """Milestones that require one another in a circle: each requires the next in ``path``,
    which ends where it starts."""

    path: tuple[MilestoneLike, ...]

    @property
    def milestones(self) -> tuple[MilestoneLike, ...]:
        return self.path[:-1]

    @property
    def message(self) -> str:
        members = self.milestones
        route = " → ".join(milestone.slug for milestone in self.path)
        if len(members) == 1:
            return (
                f"{_quoted(members[0])} cannot require itself. "
                "Remove it from its own prerequisites."
            )
        if len(members) == 2:  # noqa: PLR2004 (a pair reads differently from a circle)
            return (
                f"{_quoted(members[0])} and {_quoted(members[1])} would require each other: "
                f"{route}. Remove one of these two prerequisites."
            )
        names = ", ".join(_quoted(milestone) for milestone in members[:-1])
        return (
            f"{names} and {_quoted(members[-1])} would require one another in a circle: "
            f"{route} (each one requires the next). Remove one of these prerequisites."
        )


@dataclass(frozen=True)
class LevelInversion:
    """A milestone that requires one of a later level."""

    milestone: MilestoneLike
    prerequisite: MilestoneLike

    @property
    def message(self) -> str:
        return (
            f"{_quoted(self.milestone)} ({_level_name(self.milestone.level)}) cannot require "
            f"{_quoted(self.prerequisite)} ({_level_name(self.prerequisite.level)}): a "
            "milestone can only require milestones of its own level or an earlier one."
        )


Problem = Cycle | LevelInversion


def prerequisite_problems(
    milestones: Iterable[MilestoneLike],
    edges: Iterable[tuple[Hashable, Hashable]],
    *,
    involving: Collection[Hashable] | None = None,
) -> list[Problem]:
    """The circles, then the level inversions, among ``milestones`` linked by ``edges``.

    Each circle is named once, by its shortest loop through its first milestone (in the
    order given). With ``involving`` (milestone ids), only the problems that touch one of
    those milestones are returned, and a circle is traced from the first of them: what an
    edit of those milestones would cause. Edges to milestones not given are ignored: the
    caller decides how much of the graph to pass.
    """
    nodes = list(milestones)
    index = {milestone.id: position for position, milestone in enumerate(nodes)}
    requires: list[set[int]] = [set() for _ in nodes]
    for milestone_id, prerequisite_id in edges:
        here, there = index.get(milestone_id), index.get(prerequisite_id)
        if here is not None and there is not None:
            requires[here].add(there)
    ordered = [sorted(targets) for targets in requires]
    focus = None if involving is None else {index[i] for i in involving if i in index}

    cycles = []
    for component in _strong_components(ordered):
        start = _cycle_start(component, ordered, focus)
        if start is not None:
            path = _shortest_cycle(start, set(component), ordered)
            cycles.append((start, Cycle(path=tuple(nodes[position] for position in path))))
    cycles.sort(key=lambda pair: pair[0])

    inversions = [
        LevelInversion(milestone=nodes[here], prerequisite=nodes[there])
        for here, targets in enumerate(ordered)
        for there in targets
        if LEVEL_RANK[nodes[there].level] > LEVEL_RANK[nodes[here].level]
        if focus is None or here in focus or there in focus
    ]
    return [cycle for _, cycle in cycles] + inversions


def _cycle_start(
    component: list[int], requires: Sequence[Sequence[int]], focus: set[int] | None
) -> int | None:
    """Where to trace a circle in a strongly connected component; None if it has none (a
    lone milestone that does not require itself) or none that ``focus`` cares about."""
    only = component[0]
    if len(component) == 1 and only not in requires[only]:
        return None
    candidates = component if focus is None else [p for p in component if p in focus]
    return min(candidates) if candidates else None


def _shortest_cycle(start: int, members: set[int], requires: Sequence[Sequence[int]]) -> list:
    """The shortest loop from ``start`` back to it, inside its strongly connected component
    (breadth first): positions, first and last both ``start``."""
    parent: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for target in requires[current]:
            if target == start:
                path = [start]
                step: int | None = current
                while step is not None:
                    path.append(step)
                    step = parent[step]
                return path[::-1]
            if target in members and target not in parent:
                parent[target] = current
                queue.append(target)
    raise AssertionError("a strongly connected component always has a loop")  # pragma: no cover


def _strong_components(requires: Sequence[Sequence[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components, without recursion (a guide's chain of
    prerequisites may be longer than Python's stack)."""
    count = len(requires)
    order = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in range(count):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            current, next_edge = work[-1]
            targets = requires[current]
            if next_edge < len(targets):
                work[-1] = (current, next_edge + 1)
                target = targets[next_edge]
                if order[target] == -1:
                    order[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack[target] = True
                    work.append((target, 0))
                elif on_stack[target]:
                    low[current] = min(low[current], order[target])
                continue
            work.pop()
            if work:
                caller = work[-1][0]
                low[caller] = min(low[caller], low[current])
            if low[current] == order[current]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component.append(member)
                    if member == current:
                        break
                components.append(component)
    return components
