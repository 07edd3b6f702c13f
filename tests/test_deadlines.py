"""Due times from Mutu Baku: menit, jam, hari, hari kerja (Mon-Fri in WIB)."""
from datetime import datetime
from decimal import Decimal

import pytest

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
