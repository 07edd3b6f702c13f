"""The capaian rule (achievement %): pure functions on Decimal, no Flask, no I/O.

Inputs are Decimal (int accepted; float refused so no binary rounding sneaks in)
or one of the value states BELUM_DIISI (blank) and TIDAK_BERLAKU (not applicable);
0 is a real value. Results are CapaianResult with the raw Decimal (never capped)
and the state, rule code and Bahasa Indonesia rule label to print beside it.
The values it reads (states, roll-up, parsing) are in portal/capaian/values.py; all
arithmetic runs in its one fixed 28-digit context, whatever the caller's context.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from portal.capaian.kategori import (
    KATEGORI_PERMENDAGRI_86_2017,
    KategoriScale,
    OrdinalScale,
    format_angka,
    round_display,
)
from portal.capaian.values import (
    BELUM_DIISI,
    CONTEXT,
    DIHITUNG,
    HUNDRED,
    STATE_LABELS,
    TIDAK_BERLAKU,
    TIDAK_DAPAT_DIHITUNG,
    ZERO,
    RollUp,
    State,
    Value,
    checked,
    joined,
    percent,
    roll_up,
    total,
)

POSITIF, NEGATIF = "positif", "negatif"
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
        value = value.quantize(Decimal(1), context=CONTEXT)
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
            bound = checked(getattr(self, name), "Batas rentang")
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
        return _ok(percent(r, t), rule)
    if t == 0:
        return _ok(HUNDRED if r == 0 else ZERO, "negatif_t_nol")
    if rule == "negatif_inverse":
        # R = 0 is flagged, not shown as 100: T / R has no value there, and a
        # made-up 100 would hide that the tenant's rule broke down; the verifier
        # sees the note and decides (the official default rule gives 200 here).
        if r == 0:
            return _no(TIDAK_DAPAT_DIHITUNG, rule, "R = 0, rumus T / R tidak dapat dihitung")
        if r < 0:
            return _no(TIDAK_DAPAT_DIHITUNG, rule, "R negatif, rumus T / R tidak bermakna")
        return _ok(percent(t, r), rule)
    raw = percent(CONTEXT.subtract(CONTEXT.multiply(2, t), r), t)
    if raw < 0:
        return _ok(ZERO, rule, f"Hasil rumus {format_angka(raw)} dibatasi minimal 0")
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
    r = checked(realisasi, "R")
    t = target if isinstance(target, Rentang) else checked(target, "T")
    if flagged := _input_state(r, t, rule):
        return flagged
    if not isinstance(t, Rentang):
        return _point(r, t, polaritas, rule)
    lo, hi = t.bawah, t.atas
    span = f"{format_angka(lo, None)}–{format_angka(hi, None)}"
    if lo <= r <= hi:
        return _ok(HUNDRED, "rentang", f"R di dalam rentang {span}")
    above = r > hi
    inner = _point(r, hi if above else lo, polaritas, rule)
    where = "di atas batas atas" if above else "di bawah batas bawah"
    label = f"Target rentang, R {where} (T = batas {'atas' if above else 'bawah'}): {inner.rule_label}"
    return dataclasses.replace(
        inner,
        rule=f"rentang_{inner.rule}",
        rule_label=label,
        note=joined(f"R {where} rentang {span}", inner.note),
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
    return CapaianResult(percent(Decimal(sr), Decimal(st)), DIHITUNG, "predikat", label, note)


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
        dataclasses.replace(cap, note=joined(cap.note, ru.note)),
        dataclasses.replace(
            prog,
            rule_label=f"Progres terhadap target tahunan: {prog.rule_label}",
            note=joined(prog.note, ru.note),
        ),
    )


def is_percent(satuan: str) -> bool:
    return (satuan or "").strip().lower() in ("%", "persen", "persentase")


def value_from_ratio(pembilang: Value, penyebut: Value, persen: bool) -> CapaianResult:
    """R from pembilang / penyebut (× 100 when the satuan is %); penyebut 0 is flagged.

    A blank penyebut leaves R belum diisi: both halves are part of the same entry.
    """
    rule = "rasio_persen" if persen else "rasio"
    a, b = checked(pembilang, "Pembilang"), checked(penyebut, "Penyebut")
    if flagged := _input_state(a, b, rule, ("Pembilang", "Penyebut"), BELUM_DIISI):
        return flagged
    if b == 0:
        return _no(TIDAK_DAPAT_DIHITUNG, rule, "Penyebut = 0, tidak dapat dihitung")
    return _ok(percent(a, b) if persen else CONTEXT.divide(a, b), rule)


def compute_serapan(realisasi_rp: Value, pagu: Value) -> CapaianResult:
    """Serapan anggaran = realisasi Rp / pagu × 100; pagu 0 or negative is flagged.

    A blank pagu (it comes from the DPA, like a target) gives tidak dapat dihitung.
    """
    a, b = checked(realisasi_rp, "Realisasi Rp"), checked(pagu, "Pagu")
    if flagged := _input_state(a, b, "serapan", ("Realisasi Rp", "Pagu")):
        return flagged
    if b <= 0:
        why = "Pagu = 0" if b == 0 else "Pagu negatif"
        return _no(TIDAK_DAPAT_DIHITUNG, "serapan", f"{why}, serapan tidak dapat dihitung")
    return _ok(percent(a, b), "serapan")


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
            joined("Tidak ada capaian indikator yang dapat dihitung", skip_note),
        )
    cap_note = None
    if cap is not None:
        clipped = sum(1 for v in values if v > cap)
        values = [min(v, cap) for v in values]
        cap_note = f"{clipped} dari {len(values)} capaian dibatasi {format_angka(cap, None)}%"
    mean = CONTEXT.divide(total(values), Decimal(len(values)))
    return CapaianResult(mean, DIHITUNG, rule, label, joined(cap_note, skip_note))


def classify_capaian(result: CapaianResult, scale: KategoriScale = KATEGORI_PERMENDAGRI_86_2017) -> str | None:
    """Kategori label for a computed result (by its displayed value), else None."""
    return scale.classify(result.value) if result.state == DIHITUNG else None
