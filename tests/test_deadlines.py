"""Due times from Mutu Baku: menit, jam, hari, hari kerja (Mon-Fri in WIB, without national
holidays, cuti bersama and local days off)."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from portal.calendar.days import NATIONAL, WorkCalendar, national_holidays
from portal.cycles.deadlines import due_at, standard_minutes, working_minutes_between

# 2026-11-20 is a Friday. 03:00 UTC is 10:00 WIB.
FRI_10_WIB = datetime(2026, 11, 20, 3, 0)


@pytest.mark.parametrize("amount, unit, expected", [
    ("10", "menit", datetime(2026, 11, 20, 3, 10)),
    ("1,5".replace(",", "."), "jam", datetime(2026, 11, 20, 4, 30)),
    ("1", "hari", datetime(2026, 11, 21, 3, 0)),            # Saturday: calendar days count
    ("1", "hari_kerja", datetime(2026, 11, 23, 3, 0)),      # Friday + 1 working day = Monday
    ("5", "hari_kerja", datetime(2026, 11, 27, 3, 0)),      # a full working week later
    ("0.5", "hari_kerja", datetime(2026, 11, 20, 15, 0)),   # half a day: 12 hours, still Friday
], ids=["menit", "jam", "hari-over-weekend", "hari-kerja-friday", "hari-kerja-week", "half-working-day"])
def test_due_at(amount, unit, expected):
    assert due_at(FRI_10_WIB, Decimal(amount), unit) == expected


def test_weekend_start_counts_from_monday():
    saturday_10_wib = datetime(2026, 11, 21, 3, 0)
    assert due_at(saturday_10_wib, Decimal(1), "hari_kerja") == datetime(2026, 11, 24, 3, 0)  # Tuesday


def test_weekday_boundary_is_local_time_not_utc():
    # Sunday 20:00 UTC is already Monday 03:00 WIB: a working day, so +1 = Tuesday 03:00 WIB.
    sunday_20_utc = datetime(2026, 11, 22, 20, 0)
    assert due_at(sunday_20_utc, Decimal(1), "hari_kerja") == datetime(2026, 11, 23, 20, 0)


@pytest.mark.parametrize("bad", [Decimal(0), Decimal(-1)])
def test_non_positive_amount_is_refused(bad):
    with pytest.raises(ValueError):
        due_at(FRI_10_WIB, bad, "menit")


def test_standard_and_working_minutes():
    assert standard_minutes(Decimal("1.5"), "jam") == 90
    assert standard_minutes(Decimal(2), "hari_kerja") == 2880
    # Friday 10:00 WIB to Monday 10:00 WIB: 14 h of Friday + 10 h of Monday.
    assert working_minutes_between(FRI_10_WIB, datetime(2026, 11, 23, 3, 0)) == 24 * 60
    assert working_minutes_between(FRI_10_WIB, FRI_10_WIB) == 0


# ---------------------------------------------------------------- days off


def _at_10_wib(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, 0)


def test_17_agustus_is_not_a_working_day():
    # 17 Agustus 2026 is a Monday. Three working days from Friday 14 Agustus 10.00 WIB:
    # Tuesday 18, Wednesday 19, Thursday 20 (Monday 17 is Hari Kemerdekaan).
    assert date(2026, 8, 17) in national_holidays(2026)
    friday = date(2026, 8, 14)
    assert due_at(_at_10_wib(friday), Decimal(3), "hari_kerja") == _at_10_wib(date(2026, 8, 20))
    # Friday 10.00 to Tuesday 10.00 WIB: 14 h of Friday and 10 h of Tuesday, Monday left out.
    assert working_minutes_between(_at_10_wib(friday), _at_10_wib(date(2026, 8, 18))) == 24 * 60


def _idul_fitri_break(year: int) -> tuple[date, date]:
    """The run of consecutive days off (weekends, Lebaran, cuti bersama) around Idul Fitri,
    found from the library's dates: (first day off, last day off)."""
    lebaran = next(d for d, name in national_holidays(year).items() if "Idul Fitri" in name)
    first = last = lebaran
    while not NATIONAL.is_working_day(first - timedelta(days=1)):
        first -= timedelta(days=1)
    while not NATIONAL.is_working_day(last + timedelta(days=1)):
        last += timedelta(days=1)
    return first, last


def test_a_step_over_idul_fitri_waits_for_the_whole_break():
    first, last = _idul_fitri_break(2026)
    weekdays_off = [first + timedelta(days=i) for i in range((last - first).days + 1)
                    if (first + timedelta(days=i)).weekday() < 5]
    assert weekdays_off, "Lebaran 2026 should take working days off"
    before = first - timedelta(days=1)  # the last working day before the break
    after = last + timedelta(days=1)    # the first working day after it
    # One working day from the day before the break ends on the first day after it ...
    assert due_at(_at_10_wib(before), Decimal(1), "hari_kerja") == _at_10_wib(after)
    # ... and a start inside the break counts from the first working day after it.
    assert due_at(_at_10_wib(first), Decimal(1), "hari_kerja") > _at_10_wib(after)
    assert due_at(_at_10_wib(first), Decimal("0.5"), "hari_kerja") == _at_10_wib(after) + timedelta(hours=12)
    # The standard time over the break counts only the two working halves.
    assert working_minutes_between(_at_10_wib(before), _at_10_wib(after)) == 24 * 60


def test_a_local_day_off_moves_the_deadline_by_one_working_day():
    monday = date(2026, 11, 9)  # no national holiday in November 2026
    plain = due_at(_at_10_wib(monday), Decimal(2), "hari_kerja")
    assert plain == _at_10_wib(date(2026, 11, 11))
    local = WorkCalendar(frozenset({date(2026, 11, 10)}))
    assert due_at(_at_10_wib(monday), Decimal(2), "hari_kerja", calendar=local) == _at_10_wib(date(2026, 11, 12))
    # Calendar units do not care about days off.
    assert due_at(_at_10_wib(monday), Decimal(2), "hari", calendar=local) == _at_10_wib(date(2026, 11, 11))


def test_the_national_list_is_built_once_per_year():
    national_holidays(2027)
    hits = national_holidays.cache_info().hits
    for _ in range(50):
        due_at(datetime(2027, 3, 1, 3, 0), Decimal(20), "hari_kerja")
    assert national_holidays.cache_info().hits > hits
    assert national_holidays(2027) is national_holidays(2027)
