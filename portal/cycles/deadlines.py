"""Due times from an SOP step's Mutu Baku. Pure functions.

Times are stored in UTC (naive datetimes, as everywhere in the portal). Working days are
Monday to Friday *in the agency's local time* (WIB, UTC+7, by default; Indonesian zones
keep no daylight saving, so a fixed offset is exact), except Indonesian national holidays
and cuti bersama, and the local days off a pemda keeps in the portal: a WorkCalendar
(portal/calendar/days.py) says which dates those are.
"""
from datetime import datetime, timedelta
from decimal import Decimal

from portal import clock
from portal.calendar.days import NATIONAL, WorkCalendar

WIB = clock.WIB_HOURS


def _whole_and_fraction(amount: Decimal) -> tuple[int, Decimal]:
    whole = int(amount)
    return whole, amount - whole


def _to_working_day(local: datetime, calendar: WorkCalendar) -> datetime:
    while not calendar.is_working_day(local.date()):
        local += timedelta(days=1)
    return local


def due_at(start_utc: datetime, amount: Decimal, unit: str, tz_offset_hours: int = WIB,
           calendar: WorkCalendar = NATIONAL) -> datetime:
    """When a step started at start_utc must be done, given Waktu amount + unit.

    menit / jam: wall-clock time. hari: calendar days. hari_kerja: N working days
    (local); a start on a day off counts from the next working day at the same hour,
    and a deadline never lands on a day off. A fraction of a (working) day is that
    fraction of 24 hours.
    """
    amount = Decimal(amount)
    if amount <= 0:
        raise ValueError("amount must be positive")
    if unit == "menit":
        return start_utc + timedelta(minutes=float(amount))
    if unit == "jam":
        return start_utc + timedelta(hours=float(amount))
    if unit == "hari":
        return start_utc + timedelta(days=float(amount))
    if unit != "hari_kerja":
        raise ValueError(f"unknown unit {unit!r}")
    offset = timedelta(hours=tz_offset_hours)
    local = _to_working_day(start_utc + offset, calendar)  # a day off: the clock starts after it
    whole, fraction = _whole_and_fraction(amount)
    for _ in range(whole):
        local = _to_working_day(local + timedelta(days=1), calendar)
    if fraction:
        local = _to_working_day(local + timedelta(hours=float(fraction * 24)), calendar)
    return local - offset


def standard_minutes(amount: Decimal, unit: str) -> Decimal:
    """The Mutu Baku as minutes of elapsed time, for comparing actual against standard
    (a working day counts as 24 hours of its own; days off are excluded elsewhere)."""
    factor = {"menit": 1, "jam": 60, "hari": 1440, "hari_kerja": 1440}[unit]
    return Decimal(amount) * factor


def working_minutes_between(start_utc: datetime, end_utc: datetime, tz_offset_hours: int = WIB,
                            calendar: WorkCalendar = NATIONAL) -> Decimal:
    """Elapsed minutes between two instants, leaving out days off (local)."""
    if end_utc <= start_utc:
        return Decimal(0)
    offset = timedelta(hours=tz_offset_hours)
    cursor, end = start_utc + offset, end_utc + offset
    total = timedelta()
    while cursor < end:
        next_midnight = datetime(cursor.year, cursor.month, cursor.day) + timedelta(days=1)
        piece_end = min(next_midnight, end)
        if calendar.is_working_day(cursor.date()):
            total += piece_end - cursor
        cursor = piece_end
    return Decimal(int(total.total_seconds())) / 60
