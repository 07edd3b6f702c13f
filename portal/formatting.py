"""Jinja filters for Indonesian display of dates and numbers."""
from datetime import date, datetime

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


def register(app) -> None:
    app.add_template_filter(tanggal, "tanggal")
