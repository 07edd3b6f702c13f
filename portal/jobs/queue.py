"""The task queue: huey with a SQLite file by default (nothing to install: beside the
SQLite database, or in the instance folder), Redis when HUEY_URL or REDIS_URL is set
(several app servers and workers). The queue carries job ids only; the job rows say what
to do and what became of it, so a job is never lost.

Jobs never wait for a restart: every worker runs a periodic sweep (a huey periodic task,
every JOB_SWEEP_SECONDS) that queues again every job no queue holds: one whose enqueue
failed (the queue was down when it was started), one queued longer than
JOB_REQUEUE_SECONDS ago (its message may be lost), and one running past its lease (its
worker died). Each is taken by one conditional UPDATE (services.sweep), so workers
sweeping at the same moment queue it once; a duplicate message is harmless anyway (only
one claim wins)."""
import logging
import os
import threading
from collections.abc import Callable

import click
import redis
from flask import Flask, current_app
from flask.cli import AppGroup
from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer, Scheduler

from portal import database, rls
from portal.extensions import db
from portal.jobs import services

log = logging.getLogger(__name__)
# name -> function(**params): short tasks the areas register at import (mail: an
# invitation, a reset link), run by the same workers, outside any request. Their
# parameters sit in the queue: ids and addresses, never a token (a task that mails a
# link makes the token itself, so the link exists only in the worker and the mailbox).
TASKS: dict[str, Callable] = {}


def register_task(name: str, function: Callable) -> None:
    TASKS[name] = function
jobs_cli = AppGroup("jobs", help="Pekerja latar (ekspor besar).")
REDIS_CONNECT_TIMEOUT_SECONDS = 3


def _sqlite_file(app: Flask) -> str:
    if app.config.get("HUEY_FILE"):
        return app.config["HUEY_FILE"]
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        return uri[len("sqlite:///"):] + ".huey"
    os.makedirs(app.instance_path, exist_ok=True)
    return os.path.join(app.instance_path, "huey.sqlite3")


def queue_url(app: Flask) -> str:
    return (app.config.get("HUEY_URL") or os.environ.get("HUEY_URL") or app.config.get("REDIS_URL")
            or os.environ.get("REDIS_URL") or "")


def init_app(app: Flask) -> None:
    url = queue_url(app)
    app.config.setdefault("HUEY_FILE", os.environ.get("HUEY_FILE", ""))
    name = app.config.get("HUEY_NAME") or os.environ.get("HUEY_NAME", "portal-jobs")
    # How long a running job may go without a sign of life before it is taken again.
    app.config.setdefault("JOB_LEASE_SECONDS", int(os.environ.get("JOB_LEASE_SECONDS", 60)))
    # How often every worker sweeps, and how long a queued job is trusted to be in the queue.
    app.config.setdefault("JOB_SWEEP_SECONDS", int(os.environ.get("JOB_SWEEP_SECONDS", 30)))
    app.config.setdefault("JOB_REQUEUE_SECONDS", int(os.environ.get("JOB_REQUEUE_SECONDS", 300)))
    if url:
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS)
        huey = RedisHuey(name, connection_pool=pool, results=False)
    else:
        huey = SqliteHuey(name, filename=_sqlite_file(app), results=False)

    if app.config.get("HUEY_IMMEDIATE"):
        huey.immediate = True  # tests: a task runs at once, in the caller's thread

    @huey.task(retries=0)
    def run_job(job_id: int) -> None:
        with app.app_context(), rls.across_tenants():  # a worker serves every tenant's jobs
            services.run(job_id)

    @huey.task(retries=2, retry_delay=30)
    def run_task(name: str, params: dict) -> None:
        run_registered(app, name, params)

    @huey.periodic_task(lambda moment: True, retries=0, name="portal_jobs_sweep")
    def sweep_jobs() -> None:
        sweep(app)

    app.extensions["huey"] = huey
    app.extensions["huey_url"] = url
    app.extensions["huey_task"] = run_job
    app.extensions["huey_short_task"] = run_task
    app.cli.add_command(jobs_cli)


def enqueue(job_id: int) -> bool:
    """Queue a job (after its row is committed; commits the session); False when the queue
    is down. That only delays the job: its row stays "antri" without a queue lease, and
    the next sweep of any worker queues it again once the queue answers."""
    try:
        current_app.extensions["huey_task"](job_id)
    except Exception:  # noqa: BLE001 - the row stays "antri" and is picked up by the sweep
        log.exception("could not queue job %s", job_id)
        services.unmark_queued(job_id)
        return False
    services.mark_queued(job_id)
    return True


def sweep(app: Flask) -> list[int]:
    """Queue again what no queue holds (see the module text); the ids queued."""
    with app.app_context(), rls.across_tenants():
        ids = services.sweep()
        queued = []
        for job_id in ids:
            try:
                current_app.extensions["huey_task"](job_id)
                queued.append(job_id)
            except Exception:  # noqa: BLE001 - give the job back to the next sweep
                log.exception("sweep could not queue job %s", job_id)
                services.unmark_queued(job_id)
        if queued:
            log.info("sweep queued jobs %s again", queued)
        return queued


def run_registered(app: Flask, name: str, params: dict) -> None:
    """Run a registered task in a worker: its own app context and transaction, across
    tenants (a worker has no request scope: portal/rls.py fails closed without one)."""
    with app.app_context(), rls.across_tenants():
        token = database.mark_request_kind(True)
        try:
            TASKS[name](**params)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("task %s failed", name)
            raise
        finally:
            database.reset_request_kind(token)
            db.session.remove()


def enqueue_task(name: str, **params) -> bool:
    """Queue a registered task (after the caller committed what it reads); False when the
    queue is down (logged by the error's kind only: the parameters may hold an address).
    An administrator's page says so; "Lupa kata sandi" ignores it, so that its answer is
    the same for a known and an unknown address."""
    if name not in TASKS:
        raise KeyError(name)
    try:
        current_app.extensions["huey_short_task"](name, params)
        return True
    except Exception as error:  # noqa: BLE001
        log.error("could not queue task %s: %s", name, type(error).__name__)
        return False


def requeue_stale(app: Flask) -> list[int]:
    return sweep(app)


def consumer(app: Flask, workers: int = 1) -> Consumer:
    # huey checks periodic tasks once a minute; the sweep's cadence is ours to set (its
    # scheduler class, so that a scheduler huey restarts keeps it).
    scheduler = type("SweepingScheduler", (Scheduler,),
                     {"periodic_task_seconds": max(1, app.config["JOB_SWEEP_SECONDS"])})
    consumer_class = type("PortalConsumer", (Consumer,), {"scheduler_class": scheduler})
    return consumer_class(app.extensions["huey"], workers=workers, worker_type="thread", periodic=True,
                          max_delay=1.0, check_worker_health=True)


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
        """Let a task in flight finish (at most 30 s): a sweep cut off mid-transaction would
        leave the database locked for whatever comes next (a test's cleanup, the next start)."""
        self.consumer.shutdown_timeout = 30
        self.consumer.stop(graceful=True)


@jobs_cli.command("worker")
@click.option("--workers", default=1, show_default=True, help="Jumlah thread pekerja.")
def worker_command(workers):
    """Jalankan pekerja latar (antrean ekspor) sampai dihentikan."""
    app = current_app._get_current_object()
    # What the worker does (taken jobs, sweeps, failures) goes to stderr for the operator.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ids = requeue_stale(app)
    click.echo(f"Pekerja latar berjalan; {len(ids)} tugas tertunda diantrekan lagi.")
    consumer(app, workers).run()


def start_in_thread(app: Flask) -> ThreadedWorker:
    worker = ThreadedWorker(app)
    threading.Thread(target=worker.start, daemon=True).start()
    return worker
