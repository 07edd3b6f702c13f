"""Indonesian numbers: display rounding and "1.234,56" notation, for every area.

Pure functions: no Flask, no database, no feature imports.
"""
from decimal import ROUND_HALF_UP, Context, Decimal

TW = ("I", "II", "III", "IV")  # triwulan n is written TW[n - 1], as the SOP does
DISPLAY_QUANTUM = Decimal("0.01")
_FORMAT_CTX = Context(prec=40)  # fixed, so display never depends on the caller's context


def round_display(value: Decimal) -> Decimal:
    """Round to the 2 decimals shown on screen and in exports (half away from 0)."""
    return value.quantize(DISPLAY_QUANTUM, rounding=ROUND_HALF_UP, context=_FORMAT_CTX)


def format_angka(value: Decimal | int, places: int | None = 2) -> str:
    """Indonesian display "1.234,56", rounded half away from 0; places=None keeps all digits."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError("format_angka() membutuhkan Decimal atau int")
    d = Decimal(value)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_FORMAT_CTX)
    if d == 0:
        d = d.copy_abs()  # no "-0,00"
    return f"{d:,f}".replace(",", "_").replace(".", ",").replace("_", ".")
