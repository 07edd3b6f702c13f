"""Server-drawn SVG charts: Indonesian numbers, escaped labels, gaps for missing values."""
from datetime import timedelta
from decimal import Decimal

from portal.oversight import charts


def test_bar_chart_labels_values_in_indonesian_format_and_escapes_text():
    svg = str(charts.bar_chart([charts.Bar("Kota <Uji> & Co", Decimal("1234.5")), charts.Bar("Kosong", None)],
                               "Capaian"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "1.234,50%" in svg and "Kota &lt;Uji&gt; &amp; Co" in svg and "<Uji>" not in svg
    assert ">—</text>" in svg  # no figure: an empty slot, not a zero bar
    assert svg.count("<rect") == 1


def test_line_chart_draws_each_series_and_leaves_gaps():
    svg = str(charts.line_chart(["TW I", "TW II", "TW III", "TW IV"],
                                [charts.Series("A", [Decimal(50), Decimal("97.24"), None, None]),
                                 charts.Series("B", [None, None, None, None])], "Tren"))
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 2
    assert "A TW II: 97,24%" in svg and ">B</text>" in svg


def test_duration_in_words():
    assert charts.duration(timedelta(days=2, hours=3, minutes=5)) == "2 hari 3 jam"
    assert charts.duration(timedelta(hours=1, minutes=30)) == "1 jam 30 menit"
    assert charts.duration(timedelta(minutes=7)) == "7 menit"
