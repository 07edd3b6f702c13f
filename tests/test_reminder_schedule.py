"""The reminder sweep is queued once per quarter hour whatever the scheduler's cadence
(JOB_SWEEP_SECONDS): huey's own periodic-task reading, at the moments its scheduler
would check."""
from datetime import datetime, timedelta

import pytest


def _queued(app, every_seconds: int, start: datetime, end: datetime) -> int:
    huey = app.extensions["huey"]
    count, moment = 0, start
    while moment < end:
        count += sum(1 for task in huey.read_periodic(moment) if task.name == "pengingat")
        moment += timedelta(seconds=every_seconds)
    return count


@pytest.mark.parametrize("every_seconds", [1, 30, 60, 120, 420])
def test_the_reminder_sweep_is_queued_once_a_quarter_hour(app, every_seconds):
    # From 09.01 to 10.00 UTC (four quarters: a worker started at 09.01 sweeps at once);
    # checks every 2 or 7 minutes never land on 09.15 or 09.45 exactly.
    assert _queued(app, every_seconds, datetime(2026, 12, 7, 9, 1), datetime(2026, 12, 7, 10, 0)) == 4
