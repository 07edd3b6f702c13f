"""Plausibility checks of a realisasi before it is saved (as DHIS2's min-max checks).

A value that is possible but unlikely is not refused: the enterer is asked to confirm
it with a note, which is saved with the value (and so in the audit log) and shown to the
reviewer (realisasi/ asks, cycles/facts.py shows). `check` is a plain function of the
indicator, the value as typed and read, the previous triwulan's value and the tenant's
thresholds (capaian/settings.plausibility).
"""
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from portal.capaian.figures import angka
from portal.capaian.rules import is_percent

# "12.500", "1.250": a dot followed by exactly three digits, no decimal comma. Read the
# Indonesian way that is twelve thousand five hundred; typed by someone used to a
# decimal point it meant 12,5.
THOUSANDS_LOOK = re.compile(r"^\s*\d{1,3}(\.\d{3})+\s*$")


class Indicator(Protocol):
    """What the checks read of an indicator (portal.indikator.models.Indikator; capaian
    sits below indikator, README "Layout")."""

    satuan: str
    jenis_target: str

    def target_sd(self, n: int) -> Decimal | None: ...


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


LABELS = {
    "persen_lebih_100": "Lebih dari 100 %",
    "titik_ribuan": "Titik dibaca sebagai pemisah ribuan",
    "jauh_dari_target": "Jauh dari target",
    "jauh_dari_sebelumnya": "Jauh dari triwulan sebelumnya",
}


def _far(value: Decimal, reference: Decimal | None, factor: Decimal) -> bool:
    if reference is None or reference <= 0 or value < 0:
        return False
    return value > reference * factor or value * factor < reference


def check(ind: Indicator, triwulan: int, typed: str, value: Decimal | None, previous: Decimal | None,
          thresholds: dict[str, Decimal]) -> list[Flag]:
    """What looks wrong with `value` (typed as `typed`) for this indicator and triwulan."""
    if value is None:
        return []
    flags = []
    if is_percent(ind.satuan) and value > 100:
        flags.append(Flag("persen_lebih_100", f"Satuan indikator ini %, tetapi nilainya {angka(value)} % "
                                              "(lebih dari 100 %)."))
    if THOUSANDS_LOOK.match(typed or ""):
        meant = typed.strip().replace(".", ",", 1) if typed.count(".") == 1 else None
        hint = f" Jika maksud Anda {meant}, tulis dengan koma." if meant else ""
        flags.append(Flag("titik_ribuan", f"\u201c{typed.strip()}\u201d dibaca {angka(value)} (titik adalah pemisah "
                                          "ribuan)." + hint))
    target = ind.target_sd(triwulan) if ind.jenis_target not in ("rentang", "predikat") else None
    factor = thresholds["target"]
    if _far(value, target, factor):
        flags.append(Flag("jauh_dari_target", f"Nilai {angka(value)} lebih dari {angka(factor)} kali lipat berbeda "
                                              f"dari target s.d. triwulan ini ({angka(target)})."))
    factor = thresholds["sebelumnya"]
    if _far(value, previous, factor):
        flags.append(Flag("jauh_dari_sebelumnya", f"Nilai {angka(value)} lebih dari {angka(factor)} kali lipat berbeda "
                                                  f"dari triwulan sebelumnya ({angka(previous)})."))
    return flags


def codes(flags: list[Flag]) -> str:
    return ",".join(flag.code for flag in flags)


def confirmed(flags: list[Flag], confirmed_codes: str, note: str) -> bool:
    """The enterer confirmed every one of these flags (on the form that showed them) with a note."""
    wanted = {flag.code for flag in flags}
    return bool(note.strip()) and wanted <= set(filter(None, (confirmed_codes or "").split(",")))


def labels(flag_codes: str) -> list[str]:
    """The flags of a saved value, in words (for the reviewer)."""
    return [LABELS.get(code, code) for code in (flag_codes or "").split(",") if code]
