"""Which dates are working days: pure functions and values, no database.

National holidays and cuti bersama come from the pinned `holidays` library (categories
"public": hari libur nasional, "government": cuti bersama of the SKB tiga menteri), with
their Indonesian names; local days off (portal/calendar/models.py) are passed in.
"""
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays

CATEGORIES = ("public", "government")


@lru_cache(maxsize=32)
def national_holidays(year: int) -> dict[date, str]:
    """National holidays and cuti bersama of a year, with their Indonesian names. Built
    once per year per process: deadlines are computed often, the list changes with a
    library release."""
    found = holidays.country_holidays("ID", years=year, categories=CATEGORIES, language="id")
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class WorkCalendar:
    """Which local dates are days off: weekends, national holidays, and `local` dates
    (cuti bersama and hari libur daerah a tenant keeps in the portal)."""

    local: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.local and day not in national_holidays(day.year)


NATIONAL = WorkCalendar()
