"""Jinja filters for Indonesian display of dates and numbers."""
from decimal import Decimal

from portal.clock import BULAN, tanggal, waktu  # noqa: F401 (the one clock writes dates and times)
from portal.numbers import TW, format_angka


def angka(value) -> str:
    """Decimal in Indonesian notation without needless decimals: 1.234,5; 10; 1,5."""
    if value is None or value == "":
        return ""
    normalized = Decimal(value).normalize()
    places = max(0, -normalized.as_tuple().exponent)
    return format_angka(Decimal(value), places)


def persen(value) -> str:
    """A percentage with one decimal: '66,7 %'; '—' when there is nothing to divide."""
    return "—" if value is None else f"{format_angka(value, 1)} %"


def angka2(value) -> str:
    """A capaian with the two decimals the capaian engine shows: '113,00 %'."""
    return f"{format_angka(value, 2)} %"


def wa_number(phone: str) -> str:
    """An Indonesian telephone number as wa.me wants it: digits, country code 62 ("0812
    3456 7890" -> "6281234567890")."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits


def register(app) -> None:
    app.add_template_filter(wa_number, "wa_number")
    app.add_template_filter(persen, "persen")
    app.add_template_filter(angka2, "angka2")
    app.add_template_filter(tanggal, "tanggal")
    app.add_template_filter(angka, "angka")
    app.add_template_filter(waktu, "waktu")
    app.jinja_env.globals["TW"] = TW  # TW[n - 1]: the numeral of triwulan n, in every template
