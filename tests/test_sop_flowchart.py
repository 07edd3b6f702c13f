"""Geometry of the SOP AP flowchart, without a database."""
import random
from itertools import pairwise
from pathlib import Path

import pytest

from portal.sop.files import read_sop_file
from portal.sop.flowchart import (
    DECISION,
    EDGE,
    LABEL_WIDTH,
    LANE_AREA,
    PROCESS,
    TERMINATOR,
    StepSpec,
    lane_width_for,
    layout,
)
from tests.seed_facts import SEED_FACTS

TENANTS = Path(__file__).resolve().parent.parent / "tenants"

# A small SOP with every case: a two-lane step, a decision returning up across lanes,
# a decision returning to the step just above it, and a last step in the first lane.
SAMPLE = [
    StepSpec(1, (0,), "mulai"),
    StepSpec(2, (1,), "proses"),
    StepSpec(3, (2, 3), "proses"),
    StepSpec(4, (1,), "keputusan", return_to=2),
    StepSpec(5, (3,), "proses"),
    StepSpec(6, (3,), "keputusan", return_to=5),
    StepSpec(7, (0,), "selesai"),
]


def specs_of(doc) -> list[StepSpec]:
    index = {lane.key: i for i, lane in enumerate(doc.lanes)}
    return [StepSpec(s.no, tuple(index[k] for k in s.lanes), str(s.symbol), s.return_to) for s in doc.steps]


def seed_charts():
    for name in SEED_FACTS:
        problems = []
        doc = read_sop_file(TENANTS / name, name, problems)
        assert doc is not None and problems == [], problems
        yield name, doc, layout(specs_of(doc), len(doc.lanes))


def shapes_of(chart, no):
    return [s for s in chart.shapes if s.step == no]


def arrows(chart, kind, start=None, end=None):
    return [a for a in chart.arrows if a.kind == kind and start in (None, a.start) and end in (None, a.end)]


def on_edge(point, shape) -> bool:
    return point in {shape.port(side) for side in ("top", "bottom", "left", "right")}


def test_symbol_kind_follows_the_step_symbol():
    chart = layout(SAMPLE, 4)
    kinds = {s.step: s.kind for s in chart.shapes}
    assert kinds == {1: TERMINATOR, 2: PROCESS, 3: PROCESS, 4: DECISION, 5: PROCESS, 6: DECISION, 7: TERMINATOR}


def test_a_symbol_in_each_lane_of_a_step_joined_by_a_line():
    chart = layout(SAMPLE, 4)
    both = shapes_of(chart, 3)
    assert [s.lane for s in both] == [2, 3]
    assert both[0].cy == both[1].cy
    for shape in both:
        assert shape.lane * chart.lane_width < shape.cx < (shape.lane + 1) * chart.lane_width
    (join,) = arrows(chart, "join", 3, 3)
    assert join.points == (both[0].port("right"), both[1].port("left")) and join.head == ()


def test_an_arrow_joins_each_step_to_the_next():
    chart = layout(SAMPLE, 4)
    for a, b in pairwise(SAMPLE):
        (arrow,) = arrows(chart, "next", a.no, b.no)
        assert any(on_edge(arrow.points[0], s) for s in shapes_of(chart, a.no))
        target = next(s for s in shapes_of(chart, b.no) if arrow.points[-1] == s.port("top"))
        assert arrow.head[0] == arrow.points[-1]                       # the tip is on the symbol
        assert all(y < target.cy for _, y in arrow.head[1:])           # pointing down into it
        for (x1, y1), (x2, y2) in pairwise(arrow.points):
            assert x1 == x2 or y1 == y2                                 # square corners only


def test_same_lane_arrow_goes_straight_down_and_crossing_lanes_turns_once():
    chart = layout(SAMPLE, 4)
    (down,) = arrows(chart, "next", 5, 6)
    assert len(down.points) == 2 and down.points[0][0] == down.points[1][0]
    (across,) = arrows(chart, "next", 1, 2)
    assert len(across.points) == 3
    assert across.points[1] == (shapes_of(chart, 2)[0].cx, shapes_of(chart, 1)[0].cy)


def test_tidak_arrow_goes_up_from_the_decision_to_its_return_step():
    chart = layout(SAMPLE, 4)
    for decision, target in ((4, 2), (6, 5)):
        (back,) = arrows(chart, "return", decision, target)
        source = shapes_of(chart, decision)[0]
        assert on_edge(back.points[0], source) and back.points[0][1] == source.cy   # out of a side
        assert any(on_edge(back.points[-1], s) for s in shapes_of(chart, target))
        assert back.points[-1][1] < back.points[0][1]                               # ends higher up
        rises = [(p, q) for p, q in pairwise(back.points) if p[0] == q[0] and q[1] < p[1]]
        assert rises, "a return arrow runs upward"
        assert not [(p, q) for p, q in pairwise(back.points) if p[0] == q[0] and q[1] > p[1]
                    and back.points[-1] != q], "only the last stub may go down (entering from below)"
        tidak = [lb for lb in chart.labels if lb.text == "Tidak" and abs(lb.y - source.cy) < source.h]
        assert len(tidak) == 1
    assert [lb.text for lb in chart.labels].count("Ya") == 2


def test_return_channels_pass_between_symbols():
    chart = layout(SAMPLE, 4)
    for back in arrows(chart, "return"):
        channel_x = back.points[1][0]
        lo, hi = sorted((back.points[1][1], back.points[2][1]))
        for shape in chart.shapes:
            if lo < shape.cy < hi:
                assert not shape.cx - shape.w / 2 <= channel_x <= shape.cx + shape.w / 2


def test_no_two_lines_share_a_side_of_a_symbol():
    for _, _, chart in seed_charts():
        ends = [p for a in chart.arrows for p in (a.points[0], a.points[-1])]
        assert len(ends) == len(set(ends))


def assert_inside(chart):
    for s in chart.shapes:
        assert 0 <= s.cx - s.w / 2 and s.cx + s.w / 2 <= chart.width
        assert 0 <= s.cy - s.h / 2 and s.cy + s.h / 2 <= chart.height
    for a in chart.arrows:
        for x, y in a.points + a.head:
            assert 0 <= x <= chart.width and 0 <= y <= chart.height, (a, x, y)
    for label in chart.labels:
        left = label.x - (LABEL_WIDTH if label.anchor == "end" else 0)
        assert 0 <= left and left + LABEL_WIDTH <= chart.width and 10 <= label.y <= chart.height, label


def test_nothing_is_drawn_outside_the_svg_viewbox():
    assert_inside(layout(SAMPLE, 4))
    for _, _, chart in seed_charts():
        assert_inside(chart)


@pytest.mark.parametrize("seed", range(40))
def test_random_sops_stay_inside_and_keep_their_arrows(seed):
    rng = random.Random(seed)
    lanes = rng.randint(1, 7)
    steps = []
    count = rng.randint(2, 14)
    for no in range(1, count + 1):
        symbol = "mulai" if no == 1 else "selesai" if no == count else rng.choice(["proses", "keputusan"])
        chosen = tuple(sorted(rng.sample(range(lanes), rng.randint(1, min(lanes, 3)))))
        back = rng.randint(1, no - 1) if symbol == "keputusan" else None
        steps.append(StepSpec(no, chosen, symbol, back))
    chart = layout(steps, lanes, row_heights=[rng.randint(68, 200) for _ in steps])
    assert_inside(chart)
    assert len(arrows(chart, "next")) == count - 1
    assert len(arrows(chart, "return")) == sum(1 for s in steps if s.symbol == "keputusan")
    for back in arrows(chart, "return"):
        assert back.points[-1][1] < back.points[0][1]


def test_seed_decisions_get_their_tidak_arrows():
    for name, doc, chart in seed_charts():
        returns = {a.start: a.end for a in arrows(chart, "return")}
        assert returns == SEED_FACTS[name]["decisions"], name
        assert len(arrows(chart, "next")) == len(doc.steps) - 1
        assert {s.step for s in chart.shapes} == {s.no for s in doc.steps}
        for step in doc.steps:
            assert len(shapes_of(chart, step.no)) == len(step.lanes)


def test_lane_columns_fit_the_page_width():
    for count in range(1, 5):
        assert lane_width_for(count) == 110
    assert lane_width_for(5) * 5 <= LANE_AREA
    assert lane_width_for(9) == 64    # never narrower than a readable symbol


def test_steps_without_a_lane_or_with_a_bad_return_are_skipped():
    chart = layout([StepSpec(1, (0,), "mulai"), StepSpec(2, (), "proses"), StepSpec(3, (5,), "proses"),
                    StepSpec(4, (1,), "keputusan", return_to=4), StepSpec(5, (0,), "selesai")], 2)
    assert {s.step for s in chart.shapes} == {1, 4, 5}
    assert [(a.start, a.end) for a in arrows(chart, "next")] == [(1, 4), (4, 5)]
    assert arrows(chart, "return") == []


def test_empty_sop_has_an_empty_chart():
    chart = layout([], 4)
    assert chart.height == 0 and chart.shapes == () and chart.row_slices() == []


def test_row_slices_continue_every_line_into_the_next_row():
    chart = layout(SAMPLE, 4, row_heights=[68, 120, 68, 90, 68, 68, 68])
    rows = chart.row_slices()
    assert [len(r.shapes) for r in rows] == [1, 1, 2, 1, 1, 1, 1]
    assert all(s.cy == 0 for r in rows for s in r.shapes)           # relative to the row centre
    for upper, lower in pairwise(rows):
        leaving = sorted(x for line in upper.lines for x, y in (line[0], line[-1]) if y == EDGE)
        entering = sorted(x for line in lower.lines for x, y in (line[0], line[-1]) if y == -EDGE)
        assert leaving and leaving == entering
    assert not any(y == -EDGE for line in rows[0].lines for _, y in line)
    assert not any(y == EDGE for line in rows[-1].lines for _, y in line)
    assert sum(len(r.heads) for r in rows) == len([a for a in chart.arrows if a.head])
    assert sorted(lb.text for r in rows for lb in r.labels) == sorted(lb.text for lb in chart.labels)
