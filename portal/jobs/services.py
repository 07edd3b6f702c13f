"""Job rows: create, claim (with a lease), report progress, finish or fail, and find the
ones a dead worker left behind. Plain functions; each write is a short transaction of its
own on its own connection, so a job's long read never holds a write lock (SQLite) and a
page polling the progress sees it at once."""
import logging
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from portal import database
from portal.columns import utcnow
from portal.extensions import db
from portal.jobs.models import Job, JobStatus
from portal.problems import NotFound, Problem
from portal.tenancy.models import Tenant

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
# How long a new job's row waits for its enqueue before a sweep takes it anyway (the
# process that made it died between the commit and the enqueue).
ENQUEUE_GRACE = timedelta(seconds=60)
# kind -> runner(job, progress) -> (bytes, filename); areas register theirs at import.
RUNNERS: dict[str, Callable] = {}


def register(kind: str, runner: Callable) -> None:
    RUNNERS[kind] = runner


def create(tenant: Tenant, user, kind: str, params: dict, title: str) -> Job:
    # A queue lease from the start: the sweep leaves the job to the enqueue that follows
    # the commit (queue.enqueue gives the lease back at once when the queue is down).
    job = Job(tenant_id=tenant.id, user_id=user.id if user else None, kind=kind, params=params, title=title,
              lease_until=utcnow() + ENQUEUE_GRACE)
    db.session.add(job)
    db.session.flush()
    return job


def job_of(tenant: Tenant, job_id: int) -> Job:
    job = db.session.scalar(select(Job).where(Job.id == job_id, Job.tenant_id == tenant.id))
    if job is None:
        raise NotFound("Tugas ekspor tidak ditemukan.")
    return job


def recent(tenant: Tenant, limit: int = 10) -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.tenant_id == tenant.id)
                                   .order_by(Job.id.desc()).limit(limit)))


def lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("JOB_LEASE_SECONDS", 60))


def _write(statement) -> int:
    token = database.mark_request_kind(True)
    try:
        with db.engine.begin() as conn:
            return conn.execute(statement).rowcount
    finally:
        database.reset_request_kind(token)


def claim(job_id: int, now=None) -> bool:
    """Take the job if it is queued, or running under an expired lease (its worker died)."""
    now = now or utcnow()
    return _write(update(Job).where(
        Job.id == job_id, Job.attempts < MAX_ATTEMPTS,
        or_(Job.status == JobStatus.ANTRI, (Job.status == JobStatus.BERJALAN) & (Job.lease_until < now)))
        .values(status=JobStatus.BERJALAN, started_at=now, lease_until=now + lease(), attempts=Job.attempts + 1,
                progress=0)) == 1


def report(job_id: int, percent: int) -> None:
    """Progress, and a renewed lease: the worker is alive."""
    _write(update(Job).where(Job.id == job_id, Job.status == JobStatus.BERJALAN)
           .values(progress=max(0, min(99, percent)), lease_until=utcnow() + lease()))


def finish(job_id: int, data: bytes, filename: str) -> None:
    _write(update(Job).where(Job.id == job_id).values(
        status=JobStatus.SELESAI, progress=100, result=data, result_size=len(data), filename=filename,
        finished_at=utcnow(), lease_until=None, error=""))


def fail(job_id: int, message: str) -> None:
    _write(update(Job).where(Job.id == job_id).values(status=JobStatus.GAGAL, error=message, finished_at=utcnow(),
                                                      lease_until=None))


def run(job_id: int) -> None:
    """Run a job (in a worker): claim, build, store the result or why it failed."""
    if not claim(job_id):
        return
    token = database.mark_request_kind(False)  # the build only reads
    try:
        job = db.session.get(Job, job_id)
        runner = RUNNERS.get(job.kind)
        if runner is None:
            raise Problem(f"Jenis tugas {job.kind!r} tidak dikenal oleh pekerja ini.")
        last = [-1]

        def progress(done: int, total: int) -> None:
            percent = int(done * 100 / total) if total else 0
            if percent != last[0]:
                last[0] = percent
                report(job_id, percent)

        data, name = runner(job, progress)
        db.session.rollback()
        finish(job_id, data, name)
    except Problem as error:
        db.session.rollback()
        fail(job_id, error.message)
    except Exception as error:  # noqa: BLE001 - a job never dies silently: the user is told why
        log.exception("job %s failed", job_id)
        db.session.rollback()
        fail(job_id, f"Terjadi kesalahan saat menyusun berkas ({type(error).__name__}: {error}). "
                     "Coba lagi; bila berulang, hubungi admin.")
    finally:
        database.reset_request_kind(token)
        db.session.remove()


def requeue_window() -> timedelta:
    return timedelta(seconds=current_app.config.get("JOB_REQUEUE_SECONDS", 300))


def mark_queued(job_id: int, now=None) -> None:
    """The queue holds the job: a queue lease, so sweeps leave it alone for a while.
    Written and committed in the caller's session (it may hold SQLite's write lock
    already: another connection would wait for it)."""
    now = now or utcnow()
    db.session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.ANTRI)
                       .values(lease_until=now + requeue_window()))
    db.session.commit()


def unmark_queued(job_id: int) -> None:
    """No queue holds the job (its enqueue failed): the next sweep takes it."""
    db.session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.ANTRI).values(lease_until=None))
    db.session.commit()


def sweep(now=None) -> list[int]:
    """Jobs to queue again, each taken with a conditional UPDATE (one sweeper wins):
    queued ones without a queue lease (their enqueue failed) or past it, and running ones
    whose lease ran out (their worker died: back to "antri"). Those that ran out of
    attempts are failed with the reason."""
    now = now or utcnow()
    rows = db.session.execute(select(Job.id, Job.status, Job.attempts).where(
        Job.status.in_((JobStatus.ANTRI, JobStatus.BERJALAN)),
        or_(Job.lease_until.is_(None), Job.lease_until < now))).all()
    db.session.rollback()
    out = []
    for job_id, status, attempts in rows:
        expired = (Job.id == job_id) & (Job.status == status) & or_(Job.lease_until.is_(None), Job.lease_until < now)
        if attempts >= MAX_ATTEMPTS:
            _write(update(Job).where(expired).values(
                status=JobStatus.GAGAL, finished_at=now, lease_until=None,
                error=f"Pekerja latar berhenti {attempts} kali saat menyusun berkas ini; tugas dihentikan. "
                      "Mulai ekspor lagi."))
            continue
        if _write(update(Job).where(expired).values(status=JobStatus.ANTRI, lease_until=now + requeue_window())) == 1:
            out.append(job_id)
    return out
