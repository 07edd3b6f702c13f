"""Jinja filters for Indonesian display of dates and numbers."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from portal.numbers import TW, format_angka

BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember"]


def tanggal(value) -> str:
    """2024-03-05 -> '5 Maret 2024'; empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day} {BULAN[value.month - 1]} {value.year}"
    return str(value)


def angka(value) -> str:
    """Decimal in Indonesian notation without needless decimals: 1.234,5; 10; 1,5."""
    if value is None or value == "":
        return ""
    normalized = Decimal(value).normalize()
    places = max(0, -normalized.as_tuple().exponent)
    return format_angka(Decimal(value), places)


def waktu(value) -> str:
    """A UTC timestamp shown in WIB: '21 Nov 2026 10.05 WIB'."""
    if value is None:
        return ""
    local = value + timedelta(hours=7)
    return f"{local.day} {BULAN[local.month - 1][:3]} {local.year} {local:%H.%M} WIB"


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
