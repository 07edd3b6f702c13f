"""The task queue: huey with a SQLite file by default (nothing to install: beside the
SQLite database, or in the instance folder), Redis when HUEY_URL or REDIS_URL is set
(several app servers and workers). The queue carries job ids only; the job rows say what
to do and what became of it, so a job is never lost: a worker starting up queues again
every job still queued or running past its lease (its worker died)."""
import logging
import os
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer

from portal.jobs import services

log = logging.getLogger(__name__)
jobs_cli = AppGroup("jobs", help="Pekerja latar (ekspor besar).")


def _sqlite_file(app: Flask) -> str:
    if app.config.get("HUEY_FILE"):
        return app.config["HUEY_FILE"]
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        return uri[len("sqlite:///"):] + ".huey"
    os.makedirs(app.instance_path, exist_ok=True)
    return os.path.join(app.instance_path, "huey.sqlite3")


def init_app(app: Flask) -> None:
    url = app.config.get("HUEY_URL") or os.environ.get("HUEY_URL") or os.environ.get("REDIS_URL")
    app.config.setdefault("HUEY_FILE", os.environ.get("HUEY_FILE", ""))
    name = app.config.get("HUEY_NAME") or os.environ.get("HUEY_NAME", "portal-jobs")
    # How long a running job may go without a sign of life before it is taken again.
    app.config.setdefault("JOB_LEASE_SECONDS", int(os.environ.get("JOB_LEASE_SECONDS", 60)))
    if url:
        huey = RedisHuey(name, url=url, results=False)
    else:
        huey = SqliteHuey(name, filename=_sqlite_file(app), results=False)

    @huey.task(retries=0)
    def run_job(job_id: int) -> None:
        with app.app_context():
            services.run(job_id)

    app.extensions["huey"] = huey
    app.extensions["huey_task"] = run_job
    app.cli.add_command(jobs_cli)


def enqueue(job_id: int) -> None:
    """Queue a job (after its row is committed). A queue that is down only delays it: the
    next worker start queues it again."""
    try:
        current_app.extensions["huey_task"](job_id)
    except Exception:  # noqa: BLE001 - the row stays "antri" and is picked up later
        log.exception("could not queue job %s", job_id)


def requeue_stale(app: Flask) -> list[int]:
    with app.app_context():
        ids = services.stale()
        for job_id in ids:
            enqueue(job_id)
        return ids


def consumer(app: Flask, workers: int = 1) -> Consumer:
    # periodic: the scheduler queues the periodic tasks (the reminder sweep) each minute.
    return app.extensions["huey"].create_consumer(workers=workers, worker_type="thread", periodic=True, max_delay=1.0,
                                                  check_worker_health=True)


class ThreadedWorker:
    """A consumer inside the serving process (the demo: one command serves everything).
    Huey's own start() installs signal handlers, which only the main thread may do and
    which would take Ctrl+C from the web server, so its threads are started here."""

    def __init__(self, app: Flask, workers: int = 1):
        self.app = app
        self.consumer = consumer(app, workers)

    def start(self) -> None:
        requeue_stale(self.app)
        self.consumer.scheduler.start()
        for _, worker in self.consumer.worker_threads:
            worker.start()

    def stop(self) -> None:
        self.consumer.stop(graceful=False)


@jobs_cli.command("worker")
@click.option("--workers", default=1, show_default=True, help="Jumlah thread pekerja.")
def worker_command(workers):
    """Jalankan pekerja latar (antrean ekspor) sampai dihentikan."""
    app = current_app._get_current_object()
    ids = requeue_stale(app)
    click.echo(f"Pekerja latar berjalan; {len(ids)} tugas tertunda diantrekan lagi.")
    consumer(app, workers).run()


def start_in_thread(app: Flask) -> ThreadedWorker:
    worker = ThreadedWorker(app)
    threading.Thread(target=worker.start, daemon=True).start()
    return worker
