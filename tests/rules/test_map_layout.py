"""Where the guide map puts each milestone and arrow (tracker.rules.map_layout): pure
geometry, tested without a database."""

import re
from itertools import combinations

import pytest

from tracker.rules.map_layout import Geometry, MapItem, map_layout, wrap_title

LEVELS = ["foundation", "intermediate", "advanced"]


def item(id, lane, level, order, prerequisites=(), title=None):
    return MapItem(
        id=id,
        lane=lane,
        level=level,
        order=order,
        title=title or f"Milestone {id}",
        prerequisites=tuple(prerequisites),
    )


# Two pillars: a chain inside "code", one prerequisite across pillars, one within a column.
GUIDE = [
    item(1, "code", "foundation", 1),
    item(2, "code", "foundation", 2, [1]),
    item(3, "code", "intermediate", 3, [2]),
    item(4, "code", "advanced", 4, [3, 5]),
    item(5, "maths", "foundation", 1),
    item(6, "maths", "intermediate", 2, [5, 1]),
    item(7, "maths", "intermediate", 3, [6]),
]


def ends(path: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """The first and the last point of an SVG path."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    return (numbers[0], numbers[1]), (numbers[-2], numbers[-1])


def test_pillars_are_lanes_and_levels_are_columns_in_the_given_orders():
    layout = map_layout(GUIDE, lanes=["maths", "code"], levels=LEVELS)
    nodes = layout.by_id

    assert [lane.key for lane in layout.lanes] == ["maths", "code"]
    assert [column.level for column in layout.columns] == LEVELS
    # One x per level, left to right.
    assert nodes[1].x == nodes[5].x < nodes[3].x == nodes[6].x < nodes[4].x
    # Each node inside its own lane's band, the maths lane above the code lane.
    for node in layout.nodes:
        band = next(lane for lane in layout.lanes if lane.key == node.lane)
        assert band.y < node.y
        assert node.y + node.height < band.y + band.height
    assert layout.lanes[0].y + layout.lanes[0].height < layout.lanes[1].y


def test_milestones_of_one_pillar_and_level_stack_by_their_order():
    shuffled = [
        item(1, "a", "foundation", 3),
        item(2, "a", "foundation", 1),
        item(3, "a", "foundation", 2),
    ]
    nodes = map_layout(shuffled, levels=LEVELS).by_id

    assert nodes[2].y < nodes[3].y < nodes[1].y
    assert [nodes[2].row, nodes[3].row, nodes[1].row] == [0, 1, 2]
    assert nodes[1].x == nodes[2].x == nodes[3].x


def test_no_two_nodes_overlap_and_all_fit_in_the_drawing():
    many = [
        item(n, f"pillar-{n % 4}", LEVELS[n % 3], n, [n - 4] if n >= 4 else []) for n in range(60)
    ]
    layout = map_layout(many, levels=LEVELS)

    assert len(layout.nodes) == 60
    for a, b in combinations(layout.nodes, 2):
        apart = (
            a.x + a.width <= b.x
            or b.x + b.width <= a.x
            or a.y + a.height <= b.y
            or b.y + b.height <= a.y
        )
        assert apart, (a.id, b.id)
    for node in layout.nodes:
        assert node.x >= 0
        assert node.x + node.width <= layout.width
        assert node.y >= 0
        assert node.y + node.height <= layout.height
        for line in node.lines:
            assert node.y < line.y < node.meta.y < node.y + node.height


def test_only_levels_and_lanes_that_hold_a_milestone_are_drawn_unknown_ones_last():
    items = [
        item(1, "b", "advanced", 1),
        item(2, "a", "expert", 2),  # a level the caller did not list
        item(3, "c", "foundation", 3),  # a lane the caller did not list
    ]
    layout = map_layout(items, lanes=["a", "b", "gone"], levels=LEVELS)

    assert [column.level for column in layout.columns] == ["foundation", "advanced", "expert"]
    assert [lane.key for lane in layout.lanes] == ["a", "b", "c"]


def test_every_prerequisite_on_the_map_is_one_arrow_into_the_left_edge_of_what_needs_it():
    layout = map_layout(GUIDE, lanes=["code", "maths"], levels=LEVELS)
    nodes = layout.by_id

    pairs = sorted((edge.source, edge.target) for edge in layout.edges)
    expected = sorted((p, i.id) for i in GUIDE for p in i.prerequisites)
    assert pairs == expected
    for edge in layout.edges:
        source, target = nodes[edge.source], nodes[edge.target]
        (sx, sy), (ex, ey) = ends(edge.path)
        assert ex == target.x, "arrows arrive at the left edge"
        assert target.y < ey < target.y + target.height
        assert source.y < sy < source.y + source.height
        if edge.kind == "forward":
            assert source.column < target.column
            assert sx == source.x + source.width
        else:
            assert edge.kind == "same-column"
            assert source.column == target.column
            assert sx == source.x
    kinds = {(edge.source, edge.target): edge.kind for edge in layout.edges}
    assert kinds[(1, 2)] == "same-column"
    assert kinds[(5, 4)] == "forward"  # across pillars and a column


def test_arrows_into_one_milestone_arrive_at_different_heights():
    layout = map_layout(GUIDE, lanes=["code", "maths"], levels=LEVELS)
    into_four = [ends(e.path)[1][1] for e in layout.edges if e.target == 4]
    into_six = [ends(e.path)[1][1] for e in layout.edges if e.target == 6]

    assert len(into_four) == len(set(into_four)) == 2
    assert len(into_six) == len(set(into_six)) == 2


def test_prerequisites_off_the_map_repeated_or_itself_draw_nothing():
    items = [item(1, "a", "foundation", 1), item(2, "a", "intermediate", 2, [1, 1, 2, 99])]
    layout = map_layout(items, levels=LEVELS)

    assert [(e.source, e.target) for e in layout.edges] == [(1, 2)]


def test_a_prerequisite_of_a_higher_level_still_shows_pointing_back():
    """Content that asks a foundation milestone to wait for an advanced one (the admin
    refuses it, but old data may hold it) is drawn, not dropped."""
    items = [item(1, "a", "foundation", 1, [2]), item(2, "a", "advanced", 2)]
    layout = map_layout(items, levels=LEVELS)
    (edge,) = layout.edges
    (sx, _), (ex, _) = ends(edge.path)

    assert edge.kind == "backward"
    assert sx == layout.by_id[2].x
    assert ex == layout.by_id[1].x + layout.by_id[1].width


def test_a_cycle_is_drawn_and_does_not_hang():
    items = [item(1, "a", "foundation", 1, [2]), item(2, "a", "foundation", 2, [1])]
    layout = map_layout(items, levels=LEVELS)

    assert sorted((e.source, e.target) for e in layout.edges) == [(1, 2), (2, 1)]


def test_titles_wrap_to_the_box_and_every_node_has_the_height_of_the_longest():
    geometry = Geometry()
    long = "Statistical inference and experiments in practice"
    items = [item(1, "a", "foundation", 1, title="SQL"), item(2, "a", "foundation", 2, title=long)]
    nodes = map_layout(items, levels=LEVELS, geometry=geometry).by_id

    assert [line.text for line in nodes[1].lines] == ["SQL"]
    assert " ".join(line.text for line in nodes[2].lines) == long
    assert all(len(line.text) <= geometry.chars_per_line for line in nodes[2].lines)
    assert nodes[1].height == nodes[2].height


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("", ("",)),
        ("Short", ("Short",)),
        ("one two three four", ("one two", "three four")),
        ("one two three four five six", ("one two", "three …")),
    ],
)
def test_wrap_title_shortens_past_the_last_line(title, lines):
    assert wrap_title(title, 10, 2) == lines


def test_the_same_milestones_always_give_the_same_map():
    assert map_layout(GUIDE, levels=LEVELS) == map_layout(list(GUIDE), levels=LEVELS)


def test_an_empty_guide_is_an_empty_map():
    layout = map_layout([], levels=LEVELS)

    assert (layout.nodes, layout.edges, layout.lanes, layout.columns) == ((), (), (), ())
    assert layout.width > 0
    assert layout.height > 0
