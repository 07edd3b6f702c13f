"""Charts drawn on the server as SVG: no script, no CDN; they print like the page.

Each chart is plain data in, markup out; the page shows the same numbers as a table
beside it (screen readers and printouts of the numbers). Labels use Indonesian number
formats (1.234,5).
"""
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

from portal.capaian.kategori import format_angka
from portal.numbers import TW

COLORS = ["#0b5394", "#c27c0e", "#1e6b35", "#a61b1b", "#6a3d9a", "#2a7f8f", "#7f6000", "#444444"]


def _num(value, places: int = 2) -> str:
    return "" if value is None else format_angka(Decimal(value), places)


def _nice_max(values: list[Decimal], floor: Decimal = Decimal(100)) -> Decimal:
    top = max([v for v in values if v is not None] + [floor])
    step = Decimal(10) ** (len(str(int(top))) - 1)
    return ((top / step).to_integral_value(rounding="ROUND_CEILING")) * step


@dataclass
class Bar:
    label: str
    value: Decimal | None   # None: no figure (drawn as an empty slot, labelled "—")


def bar_chart(bars: list[Bar], title: str, unit: str = "%", reference: Decimal | None = Decimal(100)) -> Markup:
    """Horizontal bars, one per label; a dashed line at `reference` (100 %)."""
    label_w, width, row_h, top = 250, 660, 28, 30
    plot_w = width - label_w - 70
    top_value = _nice_max([b.value for b in bars if b.value is not None])
    height = top + row_h * len(bars) + 24
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" class="chart-title">{escape(title)}</text>']
    for i, bar in enumerate(bars):
        y = top + i * row_h
        label = bar.label if len(bar.label) <= 32 else bar.label[:31] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="chart-label">'
                     f'<title>{escape(bar.label)}</title>{escape(label)}</text>')
        if bar.value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + 17}" class="chart-value">—</text>')
            continue
        w = max(Decimal(0), bar.value) / top_value * plot_w
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" '
                     f'fill="{COLORS[0]}"/>')
        parts.append(f'<text x="{label_w + float(w) + 4:.1f}" y="{y + 17}" class="chart-value">'
                     f'{_num(bar.value)}{escape(unit)}</text>')
    axis_y = top + row_h * len(bars)
    parts.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{axis_y}" stroke="#5b6673"/>')
    if reference is not None and reference <= top_value:
        x = label_w + reference / top_value * plot_w
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="#a61b1b" '
                     f'stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" class="chart-label">'
                     f'{_num(reference, 0)}{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass
class Series:
    name: str
    values: list[Decimal | None]   # one per x label; None leaves a gap


def line_chart(x_labels: list[str], series: list[Series], title: str, unit: str = "%") -> Markup:
    """Lines over the x labels (triwulan), one colour per series, with a legend."""
    width, left, right, top = 640, 56, 20, 30
    plot_h = 200
    legend_h = 18 * len(series)
    height = top + plot_h + 30 + legend_h
    all_values = [v for s in series for v in s.values if v is not None]
    top_value = _nice_max(all_values)
    step_x = (width - left - right) / max(1, len(x_labels) - 1)

    def xy(i, v):
        return left + i * step_x, top + plot_h - float(v / top_value) * plot_h

    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" class="chart-title">{escape(title)}</text>']
    for k in range(5):
        v = top_value * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#d6dbe1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="chart-label">'
                     f'{_num(v, 0)}{escape(unit)}</text>')
    for i, label in enumerate(x_labels):
        parts.append(f'<text x="{left + i * step_x:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                     f'class="chart-label">{escape(label)}</text>')
    for n, s in enumerate(series):
        color = COLORS[n % len(COLORS)]
        points = [(i, v) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in points))
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, v in points:
            x, y = xy(i, v)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}">'
                         f'<title>{escape(s.name)} {escape(x_labels[i])}: {_num(v)}{escape(unit)}</title></circle>')
        ly = top + plot_h + 34 + 18 * n
        parts.append(f'<rect x="{left}" y="{ly - 9}" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{left + 18}" y="{ly + 1}" class="chart-label">{escape(s.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def duration(delta) -> str:
    """'2 hari 3 jam', '45 menit': how late, in words."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} hari" + (f" {hours} jam" if hours else "")
    if hours:
        return f"{hours} jam" + (f" {mins} menit" if mins else "")
    return f"{mins} menit"


def sasaran_chart(rows, triwulan: int) -> Markup:
    """Capaian per sasaran (rows: portal.home.queries.SasaranCapaian)."""
    tw = TW[triwulan - 1]
    return bar_chart([Bar(f"{r.sasaran.kode} {r.sasaran.nama}", r.capaian.value) for r in rows],
                     f"Capaian rata-rata per sasaran s.d. Triwulan {tw}")
