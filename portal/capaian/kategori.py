"""How a capaian figure is classified: kategori bands and ordinal predikat scales
(display rounding and Indonesian number notation live in portal/numbers.py).

Pure data and functions: no Flask, no database. Every scale is plain data with
to_dict()/from_dict(), so a tenant can define its own and an indicator-year can
freeze the one in force as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from portal.numbers import DISPLAY_QUANTUM, format_angka, round_display  # noqa: F401 (re-exported)


def _to_decimal(raw: object, what: str) -> Decimal:
    # JSON gives str or int; a float from a hand-written file is read via its
    # shortest repr, i.e. exactly as the author typed it.
    value = None
    if isinstance(raw, (str, int, float, Decimal)) and not isinstance(raw, bool):
        try:
            value = Decimal(str(raw))
        except ArithmeticError:
            value = None
    if value is None or not value.is_finite():
        raise ValueError(f"{what}: angka tidak valid ({raw!r})")
    return value


@dataclass(frozen=True)
class Band:
    """One kategori band: values from `lower` up to the next band's lower bound.

    `lower` is None only for the last (open-ended) band. `inclusive` tells
    whether `lower` itself belongs to this band (>=) or to the band below (>).
    """

    label: str
    lower: Decimal | None
    inclusive: bool = True

    def contains_from_below(self, value: Decimal) -> bool:
        if self.lower is None:
            return True
        return value >= self.lower if self.inclusive else value > self.lower


@dataclass(frozen=True)
class KategoriScale:
    """Bands ordered from the highest to the lowest; every value maps to one band.

    Classification uses the value rounded for display (2 decimals, half up), so
    the kategori printed beside a figure always agrees with the printed figure:
    a raw 90.996 is shown as "91,00" and is therefore "Sangat Tinggi". Between two
    bands a value belongs to the lower band until it reaches the next band's
    lower bound: with the default scale 90.5 is "Tinggi" (>= 76, < 91) and 50.5
    is "Sangat Rendah" (< 51).
    """

    name: str
    bands: tuple[Band, ...]

    def __post_init__(self) -> None:
        if not self.bands:
            raise ValueError(f"Skala {self.name!r}: minimal satu kategori")
        *bounded, last = self.bands
        if last.lower is not None:
            raise ValueError(f"Skala {self.name!r}: kategori terakhir harus tanpa batas bawah")
        lowers = [b.lower for b in bounded]
        if any(x is None for x in lowers):
            raise ValueError(f"Skala {self.name!r}: hanya kategori terakhir boleh tanpa batas bawah")
        if any(a <= b for a, b in pairwise(lowers)):
            raise ValueError(f"Skala {self.name!r}: batas bawah harus menurun tegas")
        labels = [b.label.strip() for b in self.bands]
        if not all(labels) or len(set(labels)) != len(labels):
            raise ValueError(f"Skala {self.name!r}: label kosong atau ganda")

    def classify(self, value: Decimal) -> str:
        """Return the label of the band the displayed (rounded) value falls in."""
        if not isinstance(value, Decimal) or not value.is_finite():
            raise TypeError("classify() membutuhkan Decimal yang terhingga")
        shown = round_display(value)
        return next(b.label for b in self.bands if b.contains_from_below(shown))

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "bands": [
                {
                    "label": b.label,
                    "lower": None if b.lower is None else str(b.lower),
                    "inclusive": b.inclusive,
                }
                for b in self.bands
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> KategoriScale:
        name = str(data.get("name", ""))
        bands = tuple(
            Band(
                label=str(b["label"]),
                lower=None if b.get("lower") is None else _to_decimal(b["lower"], name),
                inclusive=bool(b.get("inclusive", True)),
            )
            for b in data.get("bands", [])
        )
        return cls(name=name, bands=bands)


def _bands(name: str, rows: list[tuple[str, int | None]], inclusive: bool) -> KategoriScale:
    return KategoriScale(
        name,
        tuple(Band(label, None if low is None else Decimal(low), inclusive) for label, low in rows),
    )


# Permendagri 86/2017: >= 91, 76-90, 66-75, 51-65, <= 50.
KATEGORI_PERMENDAGRI_86_2017 = _bands(
    "Permendagri 86/2017",
    [
        ("Sangat Tinggi", 91),
        ("Tinggi", 76),
        ("Sedang", 66),
        ("Rendah", 51),
        ("Sangat Rendah", None),
    ],
    inclusive=True,
)

# PermenPANRB 88/2021 evaluation result: AA > 90, A > 80, ... C > 30, D otherwise.
PREDIKAT_EVALUASI_SAKIP = _bands(
    "Predikat evaluasi SAKIP (PermenPANRB 88/2021)",
    [("AA", 90), ("A", 80), ("BB", 70), ("B", 60), ("CC", 50), ("C", 30), ("D", None)],
    inclusive=False,
)


class PredikatTidakValid(ValueError):
    """A predikat label that is not on the indicator's ordinal scale."""


@dataclass(frozen=True)
class OrdinalScale:
    """Ordered predikat labels, best first; the score of the worst level is 1.

    Score = number of levels minus the position, so with WTP > WDP > TW > TMP
    the scores are 4, 3, 2, 1. Scores start at 1 so a ratio never divides by 0.
    """

    name: str
    levels: tuple[str, ...]

    def __post_init__(self) -> None:
        keys = [lv.strip().upper() for lv in self.levels]
        if len(keys) < 2 or not all(keys) or len(set(keys)) != len(keys):
            raise ValueError(f"Skala {self.name!r}: minimal dua predikat, unik dan tidak kosong")

    def score(self, label: str) -> int:
        """Return the ordinal score of a label (case and surrounding space ignored)."""
        key = label.strip().upper()
        for i, level in enumerate(self.levels):
            if level.strip().upper() == key:
                return len(self.levels) - i
        raise PredikatTidakValid(f"Predikat tidak dikenal: {label!r} (pilihan: {', '.join(self.levels)})")

    def canonical(self, label: str) -> str:
        """Return the label as the scale spells it."""
        return self.levels[len(self.levels) - self.score(label)]

    def to_dict(self) -> dict:
        return {"name": self.name, "levels": list(self.levels)}

    @classmethod
    def from_dict(cls, data: dict) -> OrdinalScale:
        return cls(
            name=str(data.get("name", "")),
            levels=tuple(str(x) for x in data.get("levels", [])),
        )


OPINI_BPK = OrdinalScale("Opini BPK", ("WTP", "WDP", "TW", "TMP"))
PREDIKAT_SAKIP = OrdinalScale("Predikat SAKIP", ("AA", "A", "BB", "B", "CC", "C", "D"))
