"""The periodic job: once every quarter hour every worker's scheduler queues a sweep
(huey periodic task, SQLite or Redis queue alike). Several workers may sweep at the same
moment; each reminder is still sent once (services.send claims it first).

The scheduler checks its periodic tasks every JOB_SWEEP_SECONDS (portal/jobs/queue.py
sets that cadence for the job sweep), not once a minute as a crontab assumes: a crontab
"*/15" would fire at every check inside a matching minute (twice at 30 s, sixty times at
1 s) and miss whole quarters at checks slower than a minute. So the task is due at the
first check of each quarter hour, whatever the cadence."""
from datetime import datetime

from flask import Flask

from portal.reminders import services

EVERY_MINUTES = 15


def quarter_hours():
    """A huey validator: True at the first check of each quarter hour (of the moment huey
    passes: its own clock, UTC), then False until the next quarter begins."""
    last = [None]

    def due(moment: datetime) -> bool:
        slot = (moment.date(), (moment.hour * 60 + moment.minute) // EVERY_MINUTES)
        if slot == last[0]:
            return False
        last[0] = slot
        return True

    return due


def init_app(app: Flask) -> None:
    """After portal.jobs.queue.init_app: registers the sweep on the app's huey."""
    huey = app.extensions["huey"]

    @huey.periodic_task(quarter_hours(), retries=0, name="pengingat")
    def remind() -> None:
        with app.app_context():
            services.sweep()

    app.extensions["reminder_task"] = remind
