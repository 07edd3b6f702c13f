"""Capaian (achievement %) engine: pure functions on Decimal, no Flask, no I/O.

Inputs are Decimal (int accepted; float refused so no binary rounding sneaks in)
or one of the value states BELUM_DIISI (blank) and TIDAK_BERLAKU (not applicable);
0 is a real value. Results are CapaianResult with the raw Decimal (never capped)
and the state, rule code and Bahasa Indonesia rule label to print beside it.
All arithmetic runs in one fixed 28-digit context, whatever the caller's context.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from enum import StrEnum
from functools import reduce

from portal.numbers import TW

from .kategori import (
    KATEGORI_PERMENDAGRI_86_2017,
    KategoriScale,
    OrdinalScale,
    format_angka,
    round_display,
)


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

POSITIF, NEGATIF = "positif", "negatif"
KUMULATIF, NILAI_AKHIR, RATA_RATA = "kumulatif", "nilai_akhir", "rata_rata"
NEGATIVE_RULES = ("default", "inverse")

RULE_LABELS = {
    "positif": "Positif: R / T × 100",
    "negatif": "Negatif: (2T - R) / T × 100, minimal 0",
    "negatif_inverse": "Negatif (pilihan daerah): T / R × 100",
    "negatif_t_nol": "Negatif, T = 0: 100 jika R = 0, selain itu 0",
    "rentang": "Target rentang: 100 jika R di dalam rentang",
    "predikat": "Predikat: skor R / skor T × 100",
    "rasio": "Pembilang / Penyebut",
    "rasio_persen": "Pembilang / Penyebut × 100",
    "serapan": "Serapan: Realisasi Rp / Pagu × 100",
    "rata_rata": "Rata-rata capaian indikator",
    "rata_rata_dibatasi": "Rata-rata capaian indikator, tiap capaian dibatasi maks. {cap}%",
}

_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
_ZERO, _HUNDRED = Decimal(0), Decimal(100)


def _pct(num: Decimal, den: Decimal) -> Decimal:
    # Multiply first (exact), then one rounding in the division.
    return _CTX.divide(_CTX.multiply(num, _HUNDRED), den)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return reduce(_CTX.add, values, _ZERO)


def _value(x: object, what: str) -> Value:
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


def _join(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None


@dataclass(frozen=True)
class CapaianResult:
    """A computed figure: raw value (None unless state is DIHITUNG) and its rule."""

    value: Decimal | None
    state: str
    rule: str
    rule_label: str
    note: str | None = None

    @property
    def rounded(self) -> Decimal | None:
        """The value rounded (half away from 0) to the 2 decimals shown; raw value kept."""
        return None if self.value is None else round_display(self.value)

    def display(self) -> str:
        """Indonesian text for the figure ("113,00") or the state's label."""
        if self.state == DIHITUNG:
            return format_angka(self.value)
        return STATE_LABELS[State(self.state)]

    def as_value(self) -> Value:
        """The result as an input value for a further computation (e.g. R from a ratio)."""
        return self.value if self.state == DIHITUNG else State(self.state)


def _ok(value: Decimal, rule: str, note: str | None = None) -> CapaianResult:
    if value.as_tuple().exponent > 0:  # 100 / 0,5 gives 2E+2; store it as 200
        value = value.quantize(Decimal(1), context=_CTX)
    return CapaianResult(value, DIHITUNG, rule, RULE_LABELS[rule], note)


def _no(state: State, rule: str, note: str | None = None) -> CapaianResult:
    return CapaianResult(None, state, rule, RULE_LABELS[rule], note)


@dataclass(frozen=True)
class Rentang:
    """A range target: bawah <= atas (equal bounds behave as a single target)."""

    bawah: Decimal
    atas: Decimal

    def __post_init__(self) -> None:
        for name in ("bawah", "atas"):
            bound = _value(getattr(self, name), "Batas rentang")
            if not isinstance(bound, Decimal):
                raise TypeError("Batas rentang harus berupa angka")
            object.__setattr__(self, name, bound)
        if self.bawah > self.atas:
            raise ValueError("Batas bawah rentang melebihi batas atas")


@dataclass(frozen=True)
class RuleSet:
    """Options in force for an indicator-year; freeze to_dict() as JSON with it."""

    negative_rule: str = "default"
    kategori: KategoriScale = KATEGORI_PERMENDAGRI_86_2017
    cap: Decimal | None = None

    def __post_init__(self) -> None:
        if self.negative_rule not in NEGATIVE_RULES:
            raise ValueError(f"negative_rule harus salah satu dari {NEGATIVE_RULES}")
        cap = self.cap
        if cap is not None and not (isinstance(cap, Decimal) and cap.is_finite() and cap > 0):
            raise ValueError("Batas (cap) harus Decimal positif atau None")

    def to_dict(self) -> dict:
        return {
            "version": 1,
            "negative_rule": self.negative_rule,
            "cap": None if self.cap is None else str(self.cap),
            "kategori": self.kategori.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> RuleSet:
        if data.get("version", 1) != 1:
            raise ValueError(f"Versi aturan tidak dikenal: {data.get('version')!r}")
        cap = data.get("cap")
        try:
            cap = None if cap is None else Decimal(str(cap))
        except ArithmeticError:
            raise ValueError(f"Batas (cap) tidak valid: {cap!r}") from None
        return cls(
            negative_rule=data.get("negative_rule", "default"),
            kategori=KategoriScale.from_dict(data["kategori"]) if "kategori" in data else KATEGORI_PERMENDAGRI_86_2017,
            cap=cap,
        )


DEFAULT_RULES = RuleSet()


def _input_state(
    r: Value,
    t: object,
    rule: str,
    names: tuple[str, str] = ("R", "T"),
    t_blank: State = TIDAK_DAPAT_DIHITUNG,
) -> CapaianResult | None:
    # Not applicable wins (nothing to measure), then missing R (awaiting data),
    # then a denominator (T, pagu, penyebut) that is missing or not computable.
    r_name, t_name = names
    if r is TIDAK_BERLAKU or t is TIDAK_BERLAKU:
        return _no(TIDAK_BERLAKU, rule)
    if r is BELUM_DIISI:
        return _no(BELUM_DIISI, rule)
    if r is TIDAK_DAPAT_DIHITUNG:
        return _no(TIDAK_DAPAT_DIHITUNG, rule, f"{r_name} tidak dapat dihitung")
    if t is BELUM_DIISI:
        return _no(t_blank, rule, f"{t_name} belum diisi")
    if t is TIDAK_DAPAT_DIHITUNG:
        return _no(TIDAK_DAPAT_DIHITUNG, rule, f"{t_name} tidak dapat dihitung")
    return None


def _point(r: Decimal, t: Decimal, polaritas: str, rule: str) -> CapaianResult:
    if t < 0:
        # A ratio against a negative target reverses its meaning (R = -4 vs T = -2
        # would read 200 %), so it is flagged rather than printed.
        return _no(TIDAK_DAPAT_DIHITUNG, rule, "T negatif, rumus rasio tidak bermakna")
    if polaritas == POSITIF:
        if t == 0:
            return _no(TIDAK_DAPAT_DIHITUNG, rule, "T = 0, rumus R / T tidak dapat dihitung")
        return _ok(_pct(r, t), rule)
    if t == 0:
        return _ok(_HUNDRED if r == 0 else _ZERO, "negatif_t_nol")
    if rule == "negatif_inverse":
        # R = 0 is flagged, not shown as 100: T / R has no value there, and a
        # made-up 100 would hide that the tenant's rule broke down; the verifier
        # sees the note and decides (the official default rule gives 200 here).
        if r == 0:
            return _no(TIDAK_DAPAT_DIHITUNG, rule, "R = 0, rumus T / R tidak dapat dihitung")
        if r < 0:
            return _no(TIDAK_DAPAT_DIHITUNG, rule, "R negatif, rumus T / R tidak bermakna")
        return _ok(_pct(t, r), rule)
    raw = _pct(_CTX.subtract(_CTX.multiply(2, t), r), t)
    if raw < 0:
        return _ok(_ZERO, rule, f"Hasil rumus {format_angka(raw)} dibatasi minimal 0")
    return _ok(raw, rule)


def compute_capaian(
    realisasi: Value,
    target: Value | Rentang,
    polaritas: str,
    rules: RuleSet = DEFAULT_RULES,
) -> CapaianResult:
    """Capaian of R against T (a number or a Rentang) under the polarity and rules.

    Positive: R / T × 100 (T = 0: tidak dapat dihitung). Negative default:
    (2T - R) / T × 100 floored at 0; negative "inverse": T / R × 100 (R = 0:
    tidak dapat dihitung). Negative with T = 0: 100 if R = 0, else 0.
    Range: R inside [bawah, atas] gives 100; above it the polarity's formula is
    applied with T = atas, below it with T = bawah (positive: R / atas × 100 or
    R / bawah × 100; negative default: (2·atas - R) / atas × 100 or
    (2·bawah - R) / bawah × 100).
    """
    if polaritas not in (POSITIF, NEGATIF):
        raise ValueError(f"Polaritas tidak dikenal: {polaritas!r}")
    rule = "positif" if polaritas == POSITIF else ("negatif" if rules.negative_rule == "default" else "negatif_inverse")
    r = _value(realisasi, "R")
    t = target if isinstance(target, Rentang) else _value(target, "T")
    if flagged := _input_state(r, t, rule):
        return flagged
    if not isinstance(t, Rentang):
        return _point(r, t, polaritas, rule)
    lo, hi = t.bawah, t.atas
    span = f"{format_angka(lo, None)}–{format_angka(hi, None)}"
    if lo <= r <= hi:
        return _ok(_HUNDRED, "rentang", f"R di dalam rentang {span}")
    above = r > hi
    inner = _point(r, hi if above else lo, polaritas, rule)
    where = "di atas batas atas" if above else "di bawah batas bawah"
    label = f"Target rentang, R {where} (T = batas {'atas' if above else 'bawah'}): {inner.rule_label}"
    return dataclasses.replace(
        inner,
        rule=f"rentang_{inner.rule}",
        rule_label=label,
        note=_join(f"R {where} rentang {span}", inner.note),
    )


def _predikat(x: object) -> str | State:
    if isinstance(x, str) and not isinstance(x, State) and x.strip() == "":
        return BELUM_DIISI
    if x is DIHITUNG or not isinstance(x, str):
        raise TypeError(f"Predikat harus berupa teks atau status nilai, bukan {x!r}")
    return x


def compute_capaian_predikat(realisasi: str | State, target: str | State, scale: OrdinalScale) -> CapaianResult:
    """Capaian of a predikat target: score(R) / score(T) × 100, raw (may exceed 100).

    Scores are ordinal positions with the worst level = 1 (WTP 4 ... TMP 1), so a
    better predikat than targeted reads above 100 and a worse one below.
    """
    r, t = _predikat(realisasi), _predikat(target)
    label = f"{RULE_LABELS['predikat']} (skala {scale.name})"
    if flagged := _input_state(r, t, "predikat"):
        return dataclasses.replace(flagged, rule_label=label)
    sr, st = scale.score(r), scale.score(t)
    note = f"R = {scale.canonical(r)} (skor {sr}), T = {scale.canonical(t)} (skor {st})"
    return CapaianResult(_pct(Decimal(sr), Decimal(st)), DIHITUNG, "predikat", label, note)


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
    upto = [_value(v, f"TW {TW[i]}") for i, v in enumerate(values[:n])]
    if any(v is TIDAK_DAPAT_DIHITUNG for v in upto):
        raise ValueError("Realisasi triwulan tidak boleh berstatus tidak dapat dihitung")
    filled = [(i + 1, v) for i, v in enumerate(upto) if isinstance(v, Decimal)]
    blank = tuple(i + 1 for i, v in enumerate(upto) if v is BELUM_DIISI)
    if not filled:
        state = TIDAK_BERLAKU if all(v is TIDAK_BERLAKU for v in upto) else BELUM_DIISI
        return RollUp(None, state, (), blank)
    used, nums = tuple(q for q, _ in filled), [v for _, v in filled]
    if sifat == KUMULATIF:
        value = _sum(nums)
    elif sifat == RATA_RATA:
        value = _CTX.divide(_sum(nums), Decimal(len(nums)))
    else:
        (last, value), used = filled[-1], used[-1:]
        blank = tuple(q for q in blank if q > last)
    return RollUp(value, DIHITUNG, used, blank)


@dataclass(frozen=True)
class CapaianTriwulan:
    realisasi_sd: RollUp
    capaian: CapaianResult  # R s.d. TW n against T s.d. TW n
    progres_tahunan: CapaianResult  # R s.d. TW n against the annual PK target


def compute_capaian_triwulan(
    realisasi: Sequence[Value],
    n: int,
    sifat: str,
    polaritas: str,
    target_sd: Value | Rentang,
    target_tahunan: Value | Rentang,
    rules: RuleSet = DEFAULT_RULES,
) -> CapaianTriwulan:
    """Capaian TW n (R s.d. n vs T s.d. n) and progress towards the annual target.

    Progress applies the same polarity rule to the annual PK target, so at TW IV
    it equals the annual capaian when T s.d. TW IV is the PK target.
    """
    ru = roll_up(realisasi, n, sifat)
    r = ru.as_value()
    cap = compute_capaian(r, target_sd, polaritas, rules)
    prog = compute_capaian(r, target_tahunan, polaritas, rules)
    return CapaianTriwulan(
        ru,
        dataclasses.replace(cap, note=_join(cap.note, ru.note)),
        dataclasses.replace(
            prog,
            rule_label=f"Progres terhadap target tahunan: {prog.rule_label}",
            note=_join(prog.note, ru.note),
        ),
    )


def value_from_ratio(pembilang: Value, penyebut: Value, persen: bool) -> CapaianResult:
    """R from pembilang / penyebut (× 100 when the satuan is %); penyebut 0 is flagged.

    A blank penyebut leaves R belum diisi: both halves are part of the same entry.
    """
    rule = "rasio_persen" if persen else "rasio"
    a, b = _value(pembilang, "Pembilang"), _value(penyebut, "Penyebut")
    if flagged := _input_state(a, b, rule, ("Pembilang", "Penyebut"), BELUM_DIISI):
        return flagged
    if b == 0:
        return _no(TIDAK_DAPAT_DIHITUNG, rule, "Penyebut = 0, tidak dapat dihitung")
    return _ok(_pct(a, b) if persen else _CTX.divide(a, b), rule)


def compute_serapan(realisasi_rp: Value, pagu: Value) -> CapaianResult:
    """Serapan anggaran = realisasi Rp / pagu × 100; pagu 0 or negative is flagged.

    A blank pagu (it comes from the DPA, like a target) gives tidak dapat dihitung.
    """
    a, b = _value(realisasi_rp, "Realisasi Rp"), _value(pagu, "Pagu")
    if flagged := _input_state(a, b, "serapan", ("Realisasi Rp", "Pagu")):
        return flagged
    if b <= 0:
        why = "Pagu = 0" if b == 0 else "Pagu negatif"
        return _no(TIDAK_DAPAT_DIHITUNG, "serapan", f"{why}, serapan tidak dapat dihitung")
    return _ok(_pct(a, b), "serapan")


def average_capaian(results: Iterable[CapaianResult], rules: RuleSet = DEFAULT_RULES) -> CapaianResult:
    """Sasaran/OPD score: mean of the computed indicator capaian, capped per RuleSet.

    The cap (if any) clips each capaian before averaging, only here; the result is
    labelled with the cap and notes how many were clipped and how many skipped.
    Capaian are averaged, never summed across indicators as ratios.
    """
    items = list(results)
    if not all(isinstance(x, CapaianResult) for x in items):
        raise TypeError("average_capaian() membutuhkan CapaianResult")
    cap = rules.cap
    rule = "rata_rata" if cap is None else "rata_rata_dibatasi"
    label = RULE_LABELS[rule].format(cap=None if cap is None else format_angka(cap, None))
    values = [x.value for x in items if x.state == DIHITUNG]
    skipped = len(items) - len(values)
    skip_note = (
        f"{skipped} indikator tidak dihitung (belum diisi/tidak berlaku/tidak dapat dihitung)" if skipped else None
    )
    if not values:
        return CapaianResult(
            None,
            TIDAK_DAPAT_DIHITUNG,
            rule,
            label,
            _join("Tidak ada capaian indikator yang dapat dihitung", skip_note),
        )
    cap_note = None
    if cap is not None:
        clipped = sum(1 for v in values if v > cap)
        values = [min(v, cap) for v in values]
        cap_note = f"{clipped} dari {len(values)} capaian dibatasi {format_angka(cap, None)}%"
    mean = _CTX.divide(_sum(values), Decimal(len(values)))
    return CapaianResult(mean, DIHITUNG, rule, label, _join(cap_note, skip_note))


def classify_capaian(result: CapaianResult, scale: KategoriScale = KATEGORI_PERMENDAGRI_86_2017) -> str | None:
    """Kategori label for a computed result (by its displayed value), else None."""
    return scale.classify(result.value) if result.state == DIHITUNG else None


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
