"""The demo's one time control: the year in progress is made by the portal's services at
moments in the past, so that the audit log, task due times and signed records read as
a year that really happened (started, reviewed, signed on their days), dated relative
to today.

The services stamp "now" from the shared clock (`portal.clock`, model defaults
included); `at(moment)` pins it at `moment` for the block (`clock.pinned`).
"""
import contextlib
from datetime import date, datetime, timedelta

from portal import clock
from portal.extensions import db

WIB = timedelta(hours=clock.WIB_HOURS)


def utcnow() -> datetime:
    """The moment the demo is made (naive UTC)."""
    return clock.utcnow()


def today(now: datetime | None = None) -> date:
    """Today's date in WIB (where the agencies work)."""
    return clock.to_wib(now).date() if now is not None else clock.today()


@contextlib.contextmanager
def at(moment: datetime):
    """Every "now" the services stamp inside the block is `moment` (naive UTC). Rows the
    block added are flushed before it ends: column defaults (an audit row's time) are
    taken when a row is written, not when it is made."""
    with clock.pinned(moment):
        yield moment
        db.session.flush()
