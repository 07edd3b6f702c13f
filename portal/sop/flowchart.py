"""Geometry of the SOP AP flowchart (PermenPANRB 35/2012): each step's symbol in its lane
columns, arrows from step to step, and each decision's "Tidak" arrow back up.

Pure: plain values in, dataclasses out. Coordinates are CSS pixels of the lane area
(x from the left edge of the first lane column, y from the top of the first step row).

Why the drawing is cut into one SVG per table row (`Flowchart.row_slices`): the text
cells decide how tall a row really is, and a printed table breaks between rows and
repeats its header on every page. One overlay SVG over the whole table would drift off
its rows as soon as a row wraps one more line, and would be cut through at page breaks.
So the chart is laid out once on nominal row heights, then each row gets its own slice
drawn relative to the row's vertical centre: a line that leaves the row is extended far
past the row edge and the row's SVG clips it there. Whatever height a row ends up with,
on screen or on paper, every line meets its continuation in the next row.
"""
from dataclasses import dataclass, replace
from itertools import pairwise

TERMINATOR, PROCESS, DECISION = "terminator", "process", "decision"
KIND_OF_SYMBOL = {"mulai": TERMINATOR, "selesai": TERMINATOR, "proses": PROCESS, "keputusan": DECISION}
SYMBOL_HEIGHT = {TERMINATOR: 24, PROCESS: 28, DECISION: 36}
ROW_HEIGHT = 68          # nominal (minimum) height of a step row
LANE_AREA = 440          # width shared by the lane columns, to fit A4 landscape
EDGE = 4000              # "past the row edge" in a row slice; the row's SVG clips it
HEAD = (8.0, 3.5)        # arrowhead length, half width
CHANNEL = (4.0, 5.0)     # return channels: first offset from a column edge, spacing
LABEL_WIDTH = 26         # room a "Tidak" label needs at 10px

Point = tuple[float, float]


@dataclass(frozen=True)
class StepSpec:
    no: int
    lanes: tuple[int, ...]   # 0-based lane column indices
    symbol: str              # mulai | proses | keputusan | selesai
    return_to: int | None = None


@dataclass(frozen=True)
class Shape:
    step: int
    lane: int
    kind: str
    cx: float
    cy: float
    w: float
    h: float

    def port(self, side: str) -> Point:
        dx = {"left": -self.w / 2, "right": self.w / 2}.get(side, 0)
        dy = {"top": -self.h / 2, "bottom": self.h / 2}.get(side, 0)
        return (self.cx + dx, self.cy + dy)


@dataclass(frozen=True)
class Arrow:
    kind: str                        # "next" | "return" | "join" (a line, no head)
    start: int                       # step numbers
    end: int
    points: tuple[Point, ...]
    head: tuple[Point, ...] = ()     # filled triangle, tip on the last point


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float
    anchor: str                      # SVG text-anchor


@dataclass(frozen=True)
class RowSlice:
    """One row's part of the chart, y relative to the row's centre."""
    shapes: tuple[Shape, ...]
    lines: tuple[tuple[Point, ...], ...]
    heads: tuple[tuple[Point, ...], ...]
    labels: tuple[Label, ...]


@dataclass(frozen=True)
class Flowchart:
    lane_count: int
    lane_width: float
    row_tops: tuple[float, ...]
    row_heights: tuple[float, ...]
    shapes: tuple[Shape, ...]
    arrows: tuple[Arrow, ...]
    labels: tuple[Label, ...]
    width: float                     # the viewbox: lane_count * lane_width ...
    height: float                    # ... by the sum of the row heights

    @property
    def edge(self) -> float:
        return EDGE

    @property
    def separators(self) -> list[float]:
        return [i * self.lane_width for i in range(1, self.lane_count)]

    def row_slices(self) -> list[RowSlice]:
        return [self._slice(top, top + h) for top, h in zip(self.row_tops, self.row_heights, strict=True)]

    def _slice(self, top: float, bottom: float) -> RowSlice:
        mid = (top + bottom) / 2
        inside = lambda y: top < y < bottom  # noqa: E731
        lines = [run for a in self.arrows for run in _clip(a.points, top, bottom)]
        return RowSlice(
            shapes=tuple(replace(s, cy=s.cy - mid) for s in self.shapes if inside(s.cy)),
            lines=tuple(tuple((x, _local(y, top, bottom)) for x, y in run) for run in lines),
            heads=tuple(tuple((x, y - mid) for x, y in a.head)
                        for a in self.arrows if a.head and inside(a.points[-1][1])),
            labels=tuple(replace(lb, y=lb.y - mid) for lb in self.labels if inside(lb.y)),
        )


def lane_width_for(lane_count: int) -> float:
    return float(max(64, min(110, LANE_AREA // max(lane_count, 1))))


def layout(steps: list[StepSpec], lane_count: int, lane_width: float | None = None,
           row_heights: list[float] | None = None) -> Flowchart:
    """Place every step's symbols (one per lane), then the arrows between them."""
    lw = lane_width or lane_width_for(lane_count)
    heights = tuple(float(h) for h in (row_heights or [ROW_HEIGHT] * len(steps)))
    tops = tuple(sum(heights[:i]) for i in range(len(steps)))
    placed: dict[int, list[Shape]] = {}
    for step, top, h in zip(steps, tops, heights, strict=True):
        kind = KIND_OF_SYMBOL.get(step.symbol, PROCESS)
        w = min(64 if kind == DECISION else 72, lw - 32)
        lanes = sorted({i for i in step.lanes if 0 <= i < lane_count})
        placed[step.no] = [Shape(step.no, i, kind, i * lw + lw / 2, top + h / 2, w, SYMBOL_HEIGHT[kind]) for i in lanes]
    rows = {s.no: (top, h) for s, top, h in zip(steps, tops, heights, strict=True)}
    router = _Router(placed, lw, rows, lane_count * lw)
    drawn = [s for s in steps if placed[s.no]]
    for step in drawn:
        router.join(step.no)
    for a, b in pairwise(drawn):
        router.next(a, b)
    for step in drawn:
        if KIND_OF_SYMBOL.get(step.symbol) == DECISION and step.return_to is not None \
                and step.return_to < step.no and placed.get(step.return_to):
            router.back(step.no, step.return_to)
    return Flowchart(lane_count, lw, tops, heights, tuple(s for ss in placed.values() for s in ss),
                     tuple(router.arrows), tuple(router.labels), lane_count * lw, sum(heights))


class _Router:
    """Chooses which side of a symbol each line uses, so no two lines share a side."""

    def __init__(self, placed, lane_width, rows, width):
        self.placed, self.lw, self.rows, self.width = placed, lane_width, rows, width
        self.used: set[tuple[int, int, str]] = set()
        self.arrows: list[Arrow] = []
        self.labels: list[Label] = []
        self.channels: list[tuple[float, int, int]] = []  # (column edge, from row, to row)

    def _take(self, shape: Shape, side: str) -> Point:
        self.used.add((shape.step, shape.lane, side))
        return shape.port(side)

    def _free(self, shape: Shape, side: str) -> bool:
        return (shape.step, shape.lane, side) not in self.used

    def join(self, no: int) -> None:
        shapes = self.placed[no]
        if len(shapes) > 1:
            for s in shapes[1:]:
                self._take(s, "left")
            for s in shapes[:-1]:
                self._take(s, "right")
            self.arrows.append(Arrow("join", no, no, (shapes[0].port("right"), shapes[-1].port("left"))))

    def next(self, a: StepSpec, b: StepSpec) -> None:
        src, dst = min(((s, d) for s in self.placed[a.no] for d in self.placed[b.no]),
                       key=lambda pair: (abs(pair[0].lane - pair[1].lane), pair[0].lane))
        end = self._take(dst, "top")
        if src.lane == dst.lane:
            start = self._take(src, "bottom")
            points = (start, end)
            label = Label("Ya", start[0] + 4, start[1] + 11, "start")
        else:
            side = "right" if dst.lane > src.lane else "left"
            start = self._take(src, side)
            points = (start, (dst.cx, src.cy), end)
            sign = 1 if side == "right" else -1
            label = Label("Ya", start[0] + 3 * sign, src.cy - 4, "start" if sign > 0 else "end")
        self.arrows.append(Arrow("next", a.no, b.no, points, _head(points)))
        if KIND_OF_SYMBOL.get(a.symbol) == DECISION:
            self.labels.append(label)

    def back(self, no: int, target: int) -> None:
        """The decision's "Tidak": out of a free side, up a channel between columns,
        into a free side of the earlier step (or its bottom when both sides are taken)."""
        decision, earlier = self.placed[no], self.placed[target]
        toward = "left" if earlier[0].lane < decision[0].lane else "right"
        sides = [toward, "left" if toward == "right" else "right"]
        for side in sides:
            d, t = _extreme(decision, side), _extreme(earlier, side)
            if self._free(d, side) and self._free(t, side):
                return self._route(d, t, side, side)
        side = next((s for s in sides if self._free(_extreme(decision, s), s)), toward)
        self._route(_extreme(decision, side), _extreme(earlier, side), side, "bottom")

    def _route(self, d: Shape, t: Shape, side: str, entry: str) -> None:
        start, end = self._take(d, side), self._take(t, entry)
        x = self._channel(d, t, side)
        if entry == "bottom":
            top, h = self.rows[t.step]
            below = min(t.cy + t.h / 2 + HEAD[0] + 5, top + h - 3)   # room for the head
            points = (start, (x, d.cy), (x, below), (t.cx, below), end)
        else:
            points = (start, (x, d.cy), (x, t.cy), end)
        self.arrows.append(Arrow("return", d.step, t.step, points, _head(points)))
        self.labels.append(self._tidak(start, side))

    def _tidak(self, start: Point, side: str) -> Label:
        """Below the exit line, outward; inward under the diamond's tip when outward
        would leave the lane area (a first or last column)."""
        x, y = start
        if side == "right" and x + 3 + LABEL_WIDTH <= self.width:
            return Label("Tidak", x + 3, y + 11, "start")
        if side == "left" and x - 3 - LABEL_WIDTH >= 0:
            return Label("Tidak", x - 3, y + 11, "end")
        return Label("Tidak", x + (2 if side == "right" else -2), y + 21, "end" if side == "right" else "start")

    def _channel(self, d: Shape, t: Shape, side: str) -> float:
        if side == "right":
            edge, sign = (max(d.lane, t.lane) + 1) * self.lw, -1
        else:
            edge, sign = min(d.lane, t.lane) * self.lw, 1
        span = (t.step, d.step)
        taken = sum(1 for e, lo, hi in self.channels if e == edge and lo <= span[1] and span[0] <= hi)
        self.channels.append((edge, *span))
        gutter = (self.lw - max(d.w, t.w)) / 2
        offset = min(CHANNEL[0] + CHANNEL[1] * taken, gutter - 2)
        return edge + sign * offset


def _extreme(shapes: list[Shape], side: str) -> Shape:
    return shapes[-1] if side == "right" else shapes[0]


def _head(points: tuple[Point, ...]) -> tuple[Point, ...]:
    (x1, y1), (x2, y2) = points[-2], points[-1]
    dx, dy = (x2 > x1) - (x2 < x1), (y2 > y1) - (y2 < y1)
    length, half = HEAD
    bx, by = x2 - dx * length, y2 - dy * length
    return ((x2, y2), (bx - dy * half, by + dx * half), (bx + dy * half, by - dx * half))


def _local(y: float, top: float, bottom: float) -> float:
    if y <= top:
        return -EDGE
    if y >= bottom:
        return EDGE
    return y - (top + bottom) / 2


def _clip(points: tuple[Point, ...], top: float, bottom: float) -> list[list[Point]]:
    """The parts of an axis-aligned polyline inside the band top..bottom."""
    runs: list[list[Point]] = []
    for (x1, y1), (x2, y2) in pairwise(points):
        if y1 == y2:
            if not top < y1 < bottom:
                continue
            a, b = (x1, y1), (x2, y2)
        else:
            lo, hi = max(min(y1, y2), top), min(max(y1, y2), bottom)
            if lo >= hi:
                continue
            a, b = ((x1, lo), (x2, hi)) if y1 < y2 else ((x1, hi), (x2, lo))
        if runs and runs[-1][-1] == a:
            runs[-1].append(b)
        else:
            runs.append([a, b])
    return runs


def for_version(version) -> Flowchart:
    """The chart of a SopVersion (its lanes and steps as plain values)."""
    index = {lane.key: i for i, lane in enumerate(version.lanes)}
    numbers = {step.id: step.position for step in version.steps}
    specs = [StepSpec(step.position, tuple(index[k] for k in (step.lane_keys or []) if k in index),
                      step.symbol, numbers.get(step.return_to_id)) for step in version.steps]
    return layout(specs, len(version.lanes))
