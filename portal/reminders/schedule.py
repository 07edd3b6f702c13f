"""The periodic job: every 15 minutes every worker's scheduler queues a sweep (huey
periodic task, SQLite or Redis queue alike). Several workers may sweep at the same
moment; each reminder is still sent once (services.send claims it first)."""
from flask import Flask
from huey import crontab

from portal.reminders import services

EVERY = "*/15"  # minutes


def init_app(app: Flask) -> None:
    """After portal.jobs.queue.init_app: registers the sweep on the app's huey."""
    huey = app.extensions["huey"]

    @huey.periodic_task(crontab(minute=EVERY), retries=0, name="pengingat")
    def remind() -> None:
        with app.app_context():
            services.sweep()

    app.extensions["reminder_task"] = remind
