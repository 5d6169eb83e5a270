"""Where each milestone sits on the guide map: pure geometry over plain data.

Pillars are lanes (bands, top to bottom), levels are columns (foundation on the left,
advanced on the right), and the milestones of one pillar and level stack in their cell by
their order. Prerequisites are arrows that always arrive at a milestone's left edge: from
the right edge of a milestone in an earlier column, or, between milestones of one column,
as an arc through the gap on its left. The template draws the result in SVG, whose
coordinates are attributes (the CSP allows no inline styles).
"""

import textwrap
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MapItem:
    """One milestone as the layout needs it."""

    id: int
    lane: Hashable  # its pillar
    level: str
    order: int
    title: str
    prerequisites: tuple[int, ...] = ()


@dataclass(frozen=True)
class Geometry:
    """Sizes in SVG user units (CSS pixels at a scale of one)."""

    node_width: int = 208
    chars_per_line: int = 24  # of a title at 13 px in a 208-unit box, with room to spare
    max_lines: int = 3
    line_height: int = 17
    padding: int = 10
    meta_height: int = 20  # the line under the title: status and hours
    row_gap: int = 14
    column_gap: int = 72
    margin: int = 16
    arc_room: int = 40  # left of the first column, for arcs between milestones of one column
    header_height: int = 40  # the column labels
    lane_header: int = 34  # the lane's label
    lane_padding: int = 14
    lane_gap: int = 10


@dataclass(frozen=True)
class TextLine:
    text: str
    x: float
    y: float  # the baseline


@dataclass(frozen=True)
class Node:
    id: int
    lane: Hashable
    level: str
    column: int
    row: int
    x: float
    y: float
    width: float
    height: float
    lines: tuple[TextLine, ...]
    meta: TextLine  # where the status line goes (its text is the template's)
    icon_x: float
    icon_y: float

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Lane:
    key: Hashable
    index: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Column:
    level: str
    index: int
    x: float
    width: float
    label_x: float  # its centre
    label_y: float


@dataclass(frozen=True)
class Edge:
    source: int  # the prerequisite
    target: int  # the milestone that needs it
    kind: str  # "forward", "same-column" or "backward"
    path: str  # SVG path data


@dataclass(frozen=True)
class MapLayout:
    width: float
    height: float
    lanes: tuple[Lane, ...]
    columns: tuple[Column, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    by_id: dict[int, Node] = field(default_factory=dict, compare=False, repr=False)


def wrap_title(title: str, width: int, max_lines: int) -> tuple[str, ...]:
    """A title in lines of at most ``width`` characters; past ``max_lines``, shortened."""
    lines = textwrap.wrap(title, width) or [""]
    if len(lines) > max_lines:
        rest = textwrap.shorten(" ".join(lines[max_lines - 1 :]), width, placeholder=" …")
        lines = [*lines[: max_lines - 1], rest]
    return tuple(lines)


def _in_order(keys: Sequence[Hashable], seen: Sequence[Hashable]) -> list[Hashable]:
    """``keys`` that occur in ``seen``, then any others of ``seen`` as they come."""
    present = set(seen)
    ordered = [key for key in keys if key in present]
    for key in seen:
        if key not in ordered:
            ordered.append(key)
    return ordered


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _ports(node: Node, count: int) -> list[float]:
    """``count`` heights spread along a node's side, so that arrowheads do not overlap."""
    inset = min(10.0, node.height / 4)
    span = node.height - 2 * inset
    return [node.y + inset + span * (i + 1) / (count + 1) for i in range(count)]


def _pairs(items: Sequence[MapItem], by_id: dict[int, Node]) -> list[tuple[Node, Node, str]]:
    """(prerequisite, milestone, kind) for every prerequisite that is on the map."""
    pairs = []
    for item in items:
        target = by_id[item.id]
        for source_id in dict.fromkeys(item.prerequisites):
            source = by_id.get(source_id)
            if source is None or source is target:
                continue  # not on the map (archived, another guide) or itself
            if source.column < target.column:
                kind = "forward"
            elif source.column == target.column:
                kind = "same-column"
            else:
                kind = "backward"
            pairs.append((source, target, kind))
    return pairs


def _ends(pairs: list[tuple[Node, Node, str]], by_id: dict[int, Node]) -> dict:
    """The height of each end of each edge, (edge index, "source" or "target") -> y: the
    ends on one side of a node spread along it, ordered by where their other ends are, so
    that arrowheads do not overlap and edges leave and arrive without crossing."""
    sides: dict[tuple[int, str], list[tuple[float, int, str]]] = {}
    for index, (source, target, kind) in enumerate(pairs):
        source_side = "right" if kind == "forward" else "left"
        target_side = "right" if kind == "backward" else "left"
        sides.setdefault((source.id, source_side), []).append((target.middle, index, "source"))
        sides.setdefault((target.id, target_side), []).append((source.middle, index, "target"))
    ends = {}
    for (node_id, _side), attached in sides.items():
        attached.sort()
        for (_other, index, role), height in zip(
            attached, _ports(by_id[node_id], len(attached)), strict=True
        ):
            ends[(index, role)] = height
    return ends


def _path(pair: tuple[Node, Node, str], heights: tuple[float, float], geometry: Geometry) -> str:
    """The SVG path of one edge, from the prerequisite at height ``heights[0]`` to the
    milestone at ``heights[1]``."""
    source, target, kind = pair
    sy, ey = heights
    if kind == "forward":
        sx, ex = source.x + source.width, target.x
        bend = (ex - sx) / 2
        controls = (sx + bend, sy, ex - bend, ey)
    elif kind == "backward":
        sx, ex = source.x, target.x + target.width
        bend = (sx - ex) / 2
        controls = (sx - bend, sy, ex + bend, ey)
    else:
        # An arc through the gap left of the column, deeper for longer spans; a cubic whose
        # two control points are level reaches three quarters of their offset.
        sx = ex = source.x
        steps = abs(ey - sy) / (source.height + geometry.row_gap)
        depth = min(geometry.arc_room - 6, 12 + 4 * steps)
        controls = (sx - depth * 4 / 3, sy, ex - depth * 4 / 3, ey)
    curve = " ".join(_number(n) for n in (*controls, ex, ey))
    return f"M{_number(sx)} {_number(sy)} C{curve}"


def _edges(items: Sequence[MapItem], by_id: dict[int, Node], geometry: Geometry) -> list[Edge]:
    pairs = _pairs(items, by_id)
    ends = _ends(pairs, by_id)
    edges = []
    for index, (source, target, kind) in enumerate(pairs):
        heights = (ends[(index, "source")], ends[(index, "target")])
        path = _path((source, target, kind), heights, geometry)
        edges.append(Edge(source=source.id, target=target.id, kind=kind, path=path))
    return edges


def map_layout(
    items: Sequence[MapItem],
    *,
    lanes: Sequence[Hashable] = (),
    levels: Sequence[str] = (),
    geometry: Geometry | None = None,
) -> MapLayout:
    """The map of ``items``: lanes in the order of ``lanes`` and columns in the order of
    ``levels`` (only those that hold a milestone; any others follow as they come)."""
    geometry = geometry or Geometry()
    lane_keys = _in_order(lanes, [item.lane for item in items])
    level_keys = _in_order(levels, [item.level for item in items])
    column_of = {level: index for index, level in enumerate(level_keys)}

    cells: dict[tuple[Hashable, str], list[tuple[int, int, MapItem]]] = {}
    for position, item in enumerate(items):
        cells.setdefault((item.lane, item.level), []).append((item.order, position, item))
    for cell in cells.values():
        cell.sort(key=lambda entry: entry[:2])

    wrapped = {
        item.id: wrap_title(item.title, geometry.chars_per_line, geometry.max_lines)
        for item in items
    }
    lines_high = max((len(lines) for lines in wrapped.values()), default=1)
    node_height = 2 * geometry.padding + lines_high * geometry.line_height + geometry.meta_height
    pitch = node_height + geometry.row_gap
    first_x = geometry.margin + geometry.arc_room
    step = geometry.node_width + geometry.column_gap
    inner = len(level_keys) * geometry.node_width + max(len(level_keys) - 1, 0) * (
        geometry.column_gap
    )
    width = first_x + inner + geometry.margin

    columns = tuple(
        Column(
            level=level,
            index=index,
            x=first_x + index * step,
            width=geometry.node_width,
            label_x=first_x + index * step + geometry.node_width / 2,
            label_y=geometry.header_height - 14,
        )
        for index, level in enumerate(level_keys)
    )

    lane_rows, nodes, y = [], [], float(geometry.header_height)
    for lane_index, lane in enumerate(lane_keys):
        rows = max(len(cells.get((lane, level), [])) for level in level_keys)
        height = (
            geometry.lane_header
            + rows * node_height
            + (rows - 1) * geometry.row_gap
            + geometry.lane_padding
        )
        lane_rows.append(
            Lane(
                key=lane,
                index=lane_index,
                x=geometry.margin / 2,
                y=y,
                width=width - geometry.margin,
                height=height,
                label_x=geometry.margin + 4,
                label_y=y + 22,
            )
        )
        for level in level_keys:
            x = first_x + column_of[level] * step
            for row, (_order, _position, item) in enumerate(cells.get((lane, level), [])):
                top = y + geometry.lane_header + row * pitch
                text_x = x + geometry.padding
                first_line = top + geometry.padding + geometry.line_height - 4
                lines = tuple(
                    TextLine(text, text_x, first_line + n * geometry.line_height)
                    for n, text in enumerate(wrapped[item.id])
                )
                meta_y = top + node_height - geometry.padding - 4
                nodes.append(
                    Node(
                        id=item.id,
                        lane=lane,
                        level=level,
                        column=column_of[level],
                        row=row,
                        x=x,
                        y=top,
                        width=geometry.node_width,
                        height=node_height,
                        lines=lines,
                        meta=TextLine("", text_x + 20, meta_y),
                        icon_x=text_x,
                        icon_y=meta_y - 12,
                    )
                )
        y += height + geometry.lane_gap

    height = (y - geometry.lane_gap if lane_keys else y) + geometry.margin
    by_id = {node.id: node for node in nodes}
    # Edges in the order of the milestones that need them, as the items come.
    edges = _edges([item for item in items if item.id in by_id], by_id, geometry)
    return MapLayout(
        width=width,
        height=height,
        lanes=tuple(lane_rows),
        columns=columns,
        nodes=tuple(nodes),
        edges=tuple(edges),
        by_id=by_id,
    )
