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
# kind -> runner(job, progress) -> (bytes, filename); areas register theirs at import.
RUNNERS: dict[str, Callable] = {}


def register(kind: str, runner: Callable) -> None:
    RUNNERS[kind] = runner


def create(tenant: Tenant, user, kind: str, params: dict, title: str) -> Job:
    job = Job(tenant_id=tenant.id, user_id=user.id if user else None, kind=kind, params=params, title=title)
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


def stale(now=None) -> list[int]:
    """Jobs a worker should (re)take: queued ones, and running ones whose lease ran out.
    Those that ran out of attempts are failed with the reason."""
    now = now or utcnow()
    rows = db.session.execute(select(Job.id, Job.status, Job.attempts, Job.lease_until).where(
        Job.status.in_((JobStatus.ANTRI, JobStatus.BERJALAN)))).all()
    out = []
    for job_id, status, attempts, lease in rows:
        if status == JobStatus.BERJALAN and lease is not None and lease >= now:
            continue
        if attempts >= MAX_ATTEMPTS:
            fail(job_id, f"Pekerja latar berhenti {attempts} kali saat menyusun berkas ini; tugas dihentikan. "
                         "Mulai ekspor lagi.")
            continue
        out.append(job_id)
    db.session.rollback()
    return out
