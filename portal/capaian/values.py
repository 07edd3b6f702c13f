"""The values the capaian rule reads: a value's state (blank, not applicable), numbers
typed in Indonesian notation, and quarterly realisasi rolled up to TW n by sifat agregasi.

Pure functions on Decimal, no Flask, no I/O (portal/capaian/rules.py computes with them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from enum import StrEnum
from functools import reduce

from portal.numbers import TW


class State(StrEnum):
    """Machine codes: a value's state (input) and a result's state (output)."""

    DIHITUNG = "dihitung"
    BELUM_DIISI = "belum_diisi"
    TIDAK_BERLAKU = "tidak_berlaku"
    TIDAK_DAPAT_DIHITUNG = "tidak_dapat_dihitung"


DIHITUNG, BELUM_DIISI = State.DIHITUNG, State.BELUM_DIISI
TIDAK_BERLAKU, TIDAK_DAPAT_DIHITUNG = State.TIDAK_BERLAKU, State.TIDAK_DAPAT_DIHITUNG
STATE_LABELS = {
    BELUM_DIISI: "Belum diisi",
    TIDAK_BERLAKU: "Tidak berlaku",
    TIDAK_DAPAT_DIHITUNG: "Tidak dapat dihitung",
}
Value = Decimal | State

KUMULATIF, NILAI_AKHIR, RATA_RATA = "kumulatif", "nilai_akhir", "rata_rata"

# All arithmetic runs in one fixed 28-digit context, whatever the caller's context.
CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
ZERO, HUNDRED = Decimal(0), Decimal(100)


def percent(num: Decimal, den: Decimal) -> Decimal:
    # Multiply first (exact), then one rounding in the division.
    return CONTEXT.divide(CONTEXT.multiply(num, HUNDRED), den)


def total(values: Iterable[Decimal]) -> Decimal:
    return reduce(CONTEXT.add, values, ZERO)


def checked(x: object, what: str) -> Value:
    if isinstance(x, State):
        if x is DIHITUNG:
            raise TypeError(f"{what}: DIHITUNG bukan nilai masukan")
        return x
    if isinstance(x, bool) or not isinstance(x, (int, Decimal)):
        raise TypeError(f"{what}: gunakan Decimal, BELUM_DIISI atau TIDAK_BERLAKU, bukan {x!r}")
    d = Decimal(x)
    if not d.is_finite():
        raise ValueError(f"{what}: nilai harus terhingga")
    return d


def joined(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None


@dataclass(frozen=True)
class RollUp:
    """Realisasi s.d. TW n: the value, the quarters used and the ones still blank."""

    value: Decimal | None
    state: str
    used: tuple[int, ...]
    blank: tuple[int, ...]

    def as_value(self) -> Value:
        return self.value if self.state == DIHITUNG else State(self.state)

    @property
    def note(self) -> str | None:
        if self.state != DIHITUNG or not self.blank:
            return None
        return ", ".join(f"TW {TW[q - 1]}" for q in self.blank) + " belum diisi"


def roll_up(values: Sequence[Value], n: int, sifat: str) -> RollUp:
    """Roll quarterly realisasi (index 0 = TW I) up to TW n by sifat agregasi.

    kumulatif sums the filled quarters <= n, nilai_akhir takes the latest filled
    quarter <= n, rata_rata averages the filled quarters <= n. Blank and tidak
    berlaku quarters are skipped (a tidak berlaku quarter is not in the average's
    denominator). No filled quarter: TIDAK_BERLAKU if every quarter <= n is tidak
    berlaku, else BELUM_DIISI. `blank` lists the skipped blank quarters that could
    still change the figure (for nilai_akhir: only those after the one taken).
    """
    if sifat not in (KUMULATIF, NILAI_AKHIR, RATA_RATA):
        raise ValueError(f"Sifat agregasi tidak dikenal: {sifat!r}")
    if not 1 <= n <= len(values) <= 4:
        raise ValueError("TW n harus antara 1 dan jumlah triwulan (maks. 4)")
    upto = [checked(v, f"TW {TW[i]}") for i, v in enumerate(values[:n])]
    if any(v is TIDAK_DAPAT_DIHITUNG for v in upto):
        raise ValueError("Realisasi triwulan tidak boleh berstatus tidak dapat dihitung")
    filled = [(i + 1, v) for i, v in enumerate(upto) if isinstance(v, Decimal)]
    blank = tuple(i + 1 for i, v in enumerate(upto) if v is BELUM_DIISI)
    if not filled:
        state = TIDAK_BERLAKU if all(v is TIDAK_BERLAKU for v in upto) else BELUM_DIISI
        return RollUp(None, state, (), blank)
    used, nums = tuple(q for q, _ in filled), [v for _, v in filled]
    if sifat == KUMULATIF:
        value = total(nums)
    elif sifat == RATA_RATA:
        value = CONTEXT.divide(total(nums), Decimal(len(nums)))
    else:
        (last, value), used = filled[-1], used[-1:]
        blank = tuple(q for q in blank if q > last)
    return RollUp(value, DIHITUNG, used, blank)


class AngkaTidakValid(ValueError):
    """Text that is not a number in Indonesian notation."""

    def __init__(self, text: str = "") -> None:
        super().__init__("Angka tidak valid: gunakan format 1.234,5")
        self.text = text


# Comma is the decimal mark; dots are optional thousands separators and must
# group by three. "12.5" is refused rather than guessed: accepting it while
# "1.500" means 1500 would make the dot mean two things depending on digit count.
_ANGKA = re.compile(r"([+-]?)([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,([0-9]+))?")


def parse_angka(text: str) -> Decimal | State:
    """Parse Indonesian notation ("1.234,5"); blank gives BELUM_DIISI.

    Negatives are returned as such; the caller decides whether they are allowed.
    """
    if not isinstance(text, str):
        raise TypeError("parse_angka() membutuhkan teks")
    s = text.strip()
    if not s:
        return BELUM_DIISI
    m = _ANGKA.fullmatch(s)
    if m is None:
        raise AngkaTidakValid(text)
    sign, whole, frac = m.groups()
    digits = sign + whole.replace(".", "")
    value = Decimal(f"{digits}.{frac}" if frac else digits)
    return value.copy_abs() if value == 0 else value  # "-0" is 0
