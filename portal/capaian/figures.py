"""Capaian of one indicator row, and how its values are shown.

Pure functions on the stored rows (read through the two Protocols below, so that this
package needs nothing from portal/indikator/): the four quarterly Realisasi rows of an indicator
roll up to TW n (by sifat agregasi) and are compared with the target s.d. TW n under
the indicator's frozen rules (or the tenant's current rules while no PK target froze
them), using the capaian rule (rules.py, values.py, kategori.py).
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from portal import clock
from portal.capaian import settings as capaian_settings
from portal.capaian.kategori import OrdinalScale, PredikatTidakValid, format_angka
from portal.capaian.rules import (
    CapaianResult,
    Rentang,
    RuleSet,
    classify_capaian,
    compute_capaian_predikat,
    compute_capaian_triwulan,
)
from portal.capaian.values import BELUM_DIISI, DIHITUNG, STATE_LABELS, TIDAK_BERLAKU, TIDAK_DAPAT_DIHITUNG, State


class Realisasi(Protocol):
    """What the rule reads of a stored quarterly value (portal.indikator.models.Realisasi)."""

    nilai: Decimal | None
    predikat: str | None
    tidak_berlaku: bool


class Indikator(Protocol):
    """What the rule reads of an indicator-year (portal.indikator.models.Indikator)."""

    jenis_target: str
    sifat: str
    polaritas: str
    rules: dict | None
    skala_predikat: str | None
    target_predikat: str | None
    target_bawah: Decimal | None
    target_atas: Decimal | None
    target_pk: Decimal | None

    def target_sd(self, n: int) -> Decimal | None: ...




def angka(value: Decimal | None) -> str:
    """A stored value as typed: "12,5", "1.234,5", "0" (no padding zeros)."""
    if value is None:
        return ""
    d = value.normalize() if value != 0 else Decimal(0)
    return format_angka(d, None)


def waktu(moment: datetime | None) -> str:
    """A stored (UTC) time in WIB: "21 Nov 2026 10.02 WIB" (portal/clock.py)."""
    return clock.waktu(moment)


def value_of(row: Realisasi | None):
    if row is None:
        return BELUM_DIISI
    if row.tidak_berlaku:
        return TIDAK_BERLAKU
    return row.nilai if row.nilai is not None else BELUM_DIISI


def predikat_of(row: Realisasi | None):
    if row is None:
        return BELUM_DIISI
    if row.tidak_berlaku:
        return TIDAK_BERLAKU
    return row.predikat or BELUM_DIISI


def display_value(row: Realisasi | None) -> str:
    if row is None:
        return "belum diisi"
    if row.tidak_berlaku:
        return "tidak berlaku"
    if row.predikat:
        return row.predikat
    return angka(row.nilai) if row.nilai is not None else "belum diisi"


@dataclass
class Figures:
    realisasi_sd: str            # "12,5" or a state label
    realisasi_sd_note: str | None
    capaian: CapaianResult
    progres: CapaianResult | None
    kategori: str | None
    kategori_scale: str
    frozen: bool


def predikat_scale(ind: Indikator) -> OrdinalScale:
    if ind.rules and ind.rules.get("skala_predikat"):
        return OrdinalScale.from_dict(ind.rules["skala_predikat"])
    return capaian_settings.PREDIKAT_SCALES[ind.skala_predikat or "opini_bpk"]


@dataclass
class RawFigures:
    """The numbers behind a row's figures (what a sign-off records): R s.d. TW n as a
    number or a state, capaian and progres unrounded, the kategori and the rules used."""

    realisasi_sd: Decimal | None
    realisasi_sd_state: str
    realisasi_sd_predikat: str | None
    realisasi_sd_note: str | None
    capaian: CapaianResult
    progres: CapaianResult | None
    kategori: str | None
    rules: RuleSet
    frozen: bool


def raw_figures(ind: Indikator, values: list[Realisasi | None], n: int, current_rules: RuleSet) -> RawFigures:
    """Capaian TW n of an indicator from its four quarterly rows, under its frozen rules
    (or the tenant's current rules while no PK target froze them)."""
    frozen = capaian_settings.rules_from_snapshot(ind.rules)
    rules = frozen or current_rules
    if ind.jenis_target == "predikat":
        scale = predikat_scale(ind)
        # R s.d. TW n of a predikat is the latest level given (like nilai akhir).
        used = [predikat_of(values[q - 1]) for q in range(1, n + 1)]
        given = [v for v in used if not isinstance(v, State)]
        r = given[-1] if given else (TIDAK_BERLAKU if all(v is TIDAK_BERLAKU for v in used) else BELUM_DIISI)
        try:
            result = compute_capaian_predikat(r, ind.target_predikat or BELUM_DIISI, scale)
        except PredikatTidakValid as error:
            result = CapaianResult(None, TIDAK_DAPAT_DIHITUNG, "predikat", "Predikat", str(error))
        state = str(r.value) if isinstance(r, State) else DIHITUNG
        return RawFigures(None, state, None if isinstance(r, State) else r, None, result, None,
                          classify_capaian(result, rules.kategori), rules, frozen is not None)
    vals = [value_of(row) for row in values]
    if ind.jenis_target == "rentang":
        both = ind.target_bawah is not None and ind.target_atas is not None
        t_sd = t_year = Rentang(ind.target_bawah, ind.target_atas) if both else BELUM_DIISI
    else:
        t_sd = ind.target_sd(n) if ind.target_sd(n) is not None else BELUM_DIISI
        t_year = ind.target_pk if ind.target_pk is not None else BELUM_DIISI
    ct = compute_capaian_triwulan(vals, n, ind.sifat, ind.polaritas, t_sd, t_year, rules)
    ru = ct.realisasi_sd
    return RawFigures(ru.value, ru.state, None, ru.note, ct.capaian, ct.progres_tahunan,
                      classify_capaian(ct.capaian, rules.kategori), rules, frozen is not None)


def shown_realisasi_sd(value: Decimal | None, state: str, predikat: str | None) -> str:
    """R s.d. TW n as the pages show it: "12,5", a predikat level or a state label."""
    if predikat:
        return predikat
    if state == DIHITUNG and value is not None:
        return angka(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
    return _state_label(State(state))


def figures(ind: Indikator, values: list[Realisasi | None], n: int, current_rules: RuleSet) -> Figures:
    raw = raw_figures(ind, values, n, current_rules)
    return Figures(shown_realisasi_sd(raw.realisasi_sd, raw.realisasi_sd_state, raw.realisasi_sd_predikat),
                   raw.realisasi_sd_note, raw.capaian, raw.progres, raw.kategori, raw.rules.kategori.name,
                   raw.frozen)


def _state_label(value) -> str:
    return STATE_LABELS.get(value, str(value))
