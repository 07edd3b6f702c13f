"""Export pages: who may export what, direct downloads audited, and the province export
as a background job run by a real huey consumer, with progress, download and failure."""
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time

import openpyxl
import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.jobs import queue
from portal.jobs import services as jobs
from portal.jobs.models import Job
from tests import cycle_driver
from tests.conftest import ROOT, post, sign_in
from tests.exports_world import SIGNED_OPD, sign_triwulan_ii

FORM = {"jenis": "formulir", "tahun": "2026", "periode": "triwulan-2"}


@pytest.fixture
def app_config(tmp_path, db_url):
    """A queue of the test's own: a SQLite file (the default) beside SQLite, Redis (the
    many-servers set-up) beside PostgreSQL."""
    config = {"HUEY_FILE": str(tmp_path / "huey.sqlite3"), "HUEY_NAME": f"uji-{os.getpid()}-{tmp_path.name}"}
    if db_url.startswith("postgresql"):
        config["HUEY_URL"] = "redis://127.0.0.1:6379/0"
    return config


@pytest.fixture
def signed(demo):
    with demo.app_context():
        sign_triwulan_ii()
        db.session.remove()
    return demo


def _audit(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_opd_people_download_their_formulir_and_it_is_audited(signed):
    client = signed.test_client()
    sign_in(client, "kabid.kesmas@dinkes.mojokerto.test")
    response = post(client, f"/t/{SIGNED_OPD}/ekspor/", FORM)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Aturan capaian", "Formulir", "Data pengukuran", "Data anggaran"]
    events = _audit(signed, "ekspor.unduh")
    assert len(events) == 1 and events[0].field == "formulir" and "Triwulan II 2026" in events[0].new_value

    bad = post(client, f"/t/{SIGNED_OPD}/ekspor/", {**FORM, "tahun": "abc", "jenis": "provinsi"})
    assert bad.status_code == 422
    assert "Pilih salah satu pilihan." in bad.get_data(as_text=True)


def test_each_level_exports_its_own_and_a_foreign_tenant_is_404(signed):
    opd_person, admin, other_admin = (signed.test_client() for _ in range(3))
    sign_in(opd_person, "kabid.kesmas@dinkes.mojokerto.test")
    sign_in(admin, "admin@pasuruan.test")
    sign_in(other_admin, "admin@mojokerto.test")
    assert opd_person.get("/t/kota-pasuruan/ekspor/").status_code == 404
    assert opd_person.get("/t/kabupaten-mojokerto/ekspor/").status_code == 404
    assert admin.get("/t/kabupaten-mojokerto/ekspor/").status_code == 404
    assert post(admin, "/t/kabupaten-mojokerto/ekspor/", {**FORM, "jenis": "pemda"}).status_code == 404
    page = admin.get("/t/kota-pasuruan/ekspor/").get_data(as_text=True)
    assert "Konsolidasi pemerintah daerah" in page and "Konsolidasi provinsi" not in page
    response = post(other_admin, "/t/kabupaten-mojokerto/ekspor/", {**FORM, "jenis": "pemda"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Aturan capaian", "Ringkasan", book.sheetnames[2], "Data pengukuran"]


def _wait_for(client, url, status, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        if f'data-status="{status}"' in fragment:
            return fragment
        time.sleep(0.3)
    raise AssertionError(f"job never reached {status}: {fragment}")


def test_province_export_runs_as_a_job_with_progress_and_download(signed):
    worker = queue.ThreadedWorker(signed)
    worker.start()
    try:
        client = signed.test_client()
        sign_in(client, "koordinator@jatim.test")
        with signed.app_context():
            province = cycle_driver.tenant(SIGNED_OPD).parent.parent.slug
        response = post(client, f"/t/{province}/ekspor/", {**FORM, "jenis": "provinsi", "draf": "y"})
        assert response.status_code == 303
        job_url = response.headers["Location"]
        page = client.get(job_url).get_data(as_text=True)
        assert 'hx-trigger="every 1s"' in page or 'data-status="selesai"' in page
        fragment = _wait_for(client, job_url, "selesai")
        assert "hx-trigger" not in fragment  # polling stops
        download = client.get(job_url + "/unduh")
        assert download.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(download.data))
        assert book.sheetnames[:2] == ["Aturan capaian", "Ringkasan"] and len(book.sheetnames) > 3
        assert [e.field for e in _audit(signed, "ekspor.mulai")] == ["provinsi"]

        # A job that cannot be made says why, in the page.
        with signed.app_context():
            tenant = cycle_driver.tenant(province)
            job = jobs.create(tenant, None, "ekspor", {"kind": "formulir", "tahun": 2026, "period_kind": "triwulan",
                                                        "period_no": 2, "include_drafts": False}, "Uji gagal")
            db.session.commit()
            queue.enqueue(job.id)
            failed_url = f"/t/{province}/ekspor/tugas/{job.id}"
        fragment = _wait_for(client, failed_url, "gagal")
        assert "Gagal: Jenis ekspor ini tidak tersedia untuk tingkat instansi ini." in fragment
    finally:
        worker.stop()


def _worker(env, wait_ready=False):
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "tests.jobs_worker_app", "jobs", "worker"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE if wait_ready else subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True, text=True)
    if wait_ready:
        assert "Pekerja latar berjalan" in process.stdout.readline()  # printed once the app is made
        process.stdout.close()
    return process


def _job(app, job_id) -> Job:
    with app.app_context():
        found = db.session.get(Job, job_id)
        db.session.expunge_all()
        db.session.remove()
        return found


def _worker_env(app, db_url, **extra):
    env = {**os.environ, "DATABASE_URL": db_url, "JOB_LEASE_SECONDS": "2", "JOB_SWEEP_SECONDS": "1", "SECRET_KEY": "uji",
           "HUEY_NAME": app.config["HUEY_NAME"], "HUEY_FILE": app.config["HUEY_FILE"], **extra}
    if app.config.get("HUEY_URL"):
        env["HUEY_URL"] = app.config["HUEY_URL"]
    return env


def _wait_status(app, job_id, status, seconds):
    deadline = time.monotonic() + seconds
    while _job(app, job_id).status != status:
        assert time.monotonic() < deadline, f"job not {status} within {seconds} s: {_job(app, job_id).status}"
        time.sleep(0.1)


def test_a_job_whose_enqueue_failed_runs_within_the_sweep_interval(app, db_url, tmp_path):
    """The queue was down when the job was started (a real failure: Redis on a port where
    nothing listens, or a SQLite queue file locked by another process until huey gives
    up); the worker that is already running finds the job at its next sweep, without a
    restart."""
    from portal import create_app
    from tests.conftest import _config
    from tests.factories import gen_tree
    from tests.redis_server import free_port

    worker = _worker(_worker_env(app, db_url), wait_ready=True)
    try:
        with app.app_context():
            _, _, opd, _ = gen_tree()
            db.session.commit()
            opd_id = opd.id
        time.sleep(1)  # the worker is up and has swept: nothing to do yet
        broken = {"HUEY_NAME": app.config["HUEY_NAME"]}
        if app.config.get("HUEY_URL"):
            broken["HUEY_URL"] = f"redis://127.0.0.1:{free_port()}/0"
        else:
            broken["HUEY_FILE"] = str(tmp_path / "terkunci.sqlite3")
        server = create_app(_config(db_url, **broken))
        locker = None
        if not app.config.get("HUEY_URL"):
            locker = sqlite3.connect(broken["HUEY_FILE"], isolation_level=None)
            locker.execute("BEGIN EXCLUSIVE")
        with server.app_context():
            from portal.tenancy.models import Tenant
            job = jobs.create(db.session.get(Tenant, opd_id), None, "cepat", {}, "Tugas cepat")
            db.session.commit()
            job_id = job.id
            assert queue.enqueue(job_id) is False  # the queue is down
            db.session.remove()
            db.engine.dispose()
        if locker is not None:
            locker.close()
        assert _job(app, job_id).waiting_for_queue
        started = time.monotonic()
        _wait_status(app, job_id, "selesai", 10)
        waited = time.monotonic() - started
        assert worker.poll() is None, "the worker was restarted"
        assert waited < 1 + 4, f"took {waited:.1f} s with a sweep every 1 s"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)
    with app.app_context():
        assert db.session.get(Job, job_id).result == b"cepat"


def test_a_job_survives_a_killed_worker(app, db_url, tmp_path):
    """A worker dies in the middle of a job while another lives: the living one's sweep
    takes the job once its lease ran out, without any restart."""
    from tests.factories import gen_tree

    with app.app_context():
        _, _, opd, _ = gen_tree()
        job = jobs.create(opd, None, "lambat", {}, "Tugas lambat")
        db.session.commit()
        job_id = job.id
    env = _worker_env(app, db_url)
    first = _worker(env)
    second = None
    try:
        with app.app_context():
            queue.enqueue(job_id)
        deadline = time.monotonic() + 30
        while _job(app, job_id).progress < 10:
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
        second = _worker(env)  # running before the first dies, not started after
        time.sleep(1.5)
        assert _job(app, job_id).attempts == 1  # a live lease: the second leaves it alone
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # no goodbye: the worker dies mid-job
        first.wait()
    stuck = _job(app, job_id)
    assert stuck.status == "berjalan" and stuck.progress < 100
    try:
        _wait_status(app, job_id, "selesai", 40)
        assert second.poll() is None
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=20)
    done = _job(app, job_id)
    assert done.attempts == 2 and done.progress == 100 and done.error == ""
    with app.app_context():
        assert db.session.get(Job, job_id).result == b"selesai"


def test_the_export_page_starts_at_the_latest_signed_period(signed):
    client = signed.test_client()
    sign_in(client, "kabid.kesmas@dinkes.mojokerto.test")
    page = client.get(f"/t/{SIGNED_OPD}/ekspor/").get_data(as_text=True)
    # Triwulan II 2026 is signed: the form starts there, not at Triwulan I.
    assert '<option selected value="triwulan-2">' in page or 'value="triwulan-2" selected' in page
    assert 'value="2026"' in page
