"""The one clock: what "now" and "today" are, and how a moment or a date is written.

- Moments are stored as naive UTC (every timestamp column); `now()` is aware UTC,
  `utcnow()` the naive UTC the columns store.
- "Today" is the date in WIB (UTC+7), where the agencies work: between 00.00 and
  07.00 WIB the UTC date is still yesterday's. Indonesian zones keep no daylight saving,
  so a fixed offset is exact (WITA/WIT tenants can get an offset of their own later).
- A moment is written "8 Des 2026 03.20 WIB", a date "8 Desember 2026".

Tests pin the clock with `with clock.pinned(datetime(2026, 12, 7, 23, 30)):` (a naive
value is UTC): every caller of now/utcnow/today in this process sees that moment, app
requests included. Nothing here imports a feature package.
"""
import contextlib
from datetime import UTC, date, datetime, timedelta, timezone

WIB_HOURS = 7
WIB = timezone(timedelta(hours=WIB_HOURS), "WIB")

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")
BULAN_SINGKAT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")

_pinned: datetime | None = None


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def now() -> datetime:
    """This instant, aware, in UTC."""
    return _pinned if _pinned is not None else datetime.now(UTC)


def utcnow() -> datetime:
    """This instant as the columns store it: naive UTC."""
    return now().replace(tzinfo=None)


def to_wib(moment: datetime) -> datetime:
    """A stored moment (naive UTC, or aware) as WIB wall-clock time (aware)."""
    return _aware(moment).astimezone(WIB)


def today() -> date:
    """Today's date in WIB."""
    return to_wib(now()).date()


def wib_midnight_utc(day: date) -> datetime:
    """00.00 WIB of `day`, as naive UTC (07.00 WIB = 00.00 UTC)."""
    return datetime(day.year, day.month, day.day) - timedelta(hours=WIB_HOURS)


def waktu(moment: datetime | None, zone: bool = True) -> str:
    """A moment in WIB: '8 Des 2026 03.20 WIB' (without ' WIB' when zone is False)."""
    if moment is None:
        return ""
    local = to_wib(moment)
    text = f"{local.day} {BULAN_SINGKAT[local.month - 1]} {local.year} {local:%H.%M}"
    return f"{text} WIB" if zone else text


def tanggal(value) -> str:
    """A date: '8 Desember 2026' (a moment is taken at its WIB date); empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = to_wib(value).date()
    if isinstance(value, date):
        return f"{value.day} {BULAN[value.month - 1]} {value.year}"
    return str(value)


@contextlib.contextmanager
def pinned(moment: datetime):
    """Stop the clock at `moment` (naive = UTC) for the block: for tests."""
    global _pinned
    previous, _pinned = _pinned, _aware(moment)
    try:
        yield
    finally:
        _pinned = previous
