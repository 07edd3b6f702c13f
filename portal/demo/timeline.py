"""The demo's one time control: the year in progress is made by the portal's services at
moments in the past, so that the audit log, task due times and signed records read as
a year that really happened (started, reviewed, signed on their days), dated relative
to today.

The services stamp "now" from one function, `portal.columns.utcnow` (model defaults
included); `at(moment)` makes that function answer `moment` for the block. Nothing
else in the demo touches time: when the shared clock (`portal.clock.pinned`) is in
main, `at` becomes a call of it and `today` of `clock.today`.
"""
import contextlib
from datetime import UTC, date, datetime, timedelta

from portal import columns
from portal.extensions import db

WIB = timedelta(hours=7)


class _Pinned(datetime):
    moment: datetime | None = None

    @classmethod
    def now(cls, tz=None):  # noqa: D102 - datetime.now, answering the pinned moment
        return cls.moment.astimezone(tz) if tz is not None else cls.moment.replace(tzinfo=None)



def today(now: datetime | None = None) -> date:
    """Today's date in WIB (where the agencies work)."""
    return ((now or datetime.now(UTC).replace(tzinfo=None)) + WIB).date()


@contextlib.contextmanager
def at(moment: datetime):
    """Every "now" the services stamp inside the block is `moment` (naive UTC). Rows the
    block added are flushed before it ends: column defaults (an audit row's time) are
    taken when a row is written, not when it is made."""
    previous, earlier = columns.datetime, _Pinned.moment
    _Pinned.moment = moment.replace(tzinfo=UTC)
    columns.datetime = _Pinned
    try:
        yield moment
        db.session.flush()
    finally:
        columns.datetime, _Pinned.moment = previous, earlier


def utcnow() -> datetime:
    """The real now (naive UTC): the moment the demo is made."""
    return datetime.now(UTC).replace(tzinfo=None)
