"""Reminders and escalation through the job queue's periodic task, read from a real SMTP
server with a pinned clock: a step walks from "due tomorrow" to late to escalated, with
two workers sweeping at the same moments (and then two fresh workers, as after a
restart), and each e-mail arrives exactly once. On the embedded SQLite queue and on Redis."""
import time
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.cycles import engine
from portal.cycles.models import Cycle
from portal.extensions import db
from portal.jobs import queue
from portal.reminders import services
from portal.reminders.models import ReminderSent
from tests import cycle_driver as d
from tests.conftest import post, sign_in

OPD = "kab-mojokerto-dinkes"
PERENCANA = "perencana@dinkes.mojokerto.test"
SEKRETARIS = "sekretaris@dinkes.mojokerto.test"
KADIS = "kadis@dinkes.mojokerto.test"
ADMIN = "admin@mojokerto.test"
WIB = timedelta(hours=7)
# Monday 5 October 2026, 09.00 WIB: TW III has ended; its cycle starts now.
START = datetime(2026, 10, 5, 9, 0) - WIB


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def app_config(request, smtp, tmp_path):
    if request.param == "sqlite-queue":
        queue_config = {"HUEY_FILE": str(tmp_path / "huey.sqlite3")}
    else:
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        queue_config = {"HUEY_URL": "redis://127.0.0.1:6379/0", "HUEY_NAME": f"test-reminders-{uuid.uuid4().hex}"}
    return {**smtp.config(), **queue_config, "PORTAL_URL": "https://sakip.test"}


@pytest.fixture(autouse=True)
def empty_inbox(smtp):
    """The SMTP server serves the whole module: each test reads only its own mail."""
    with smtp.inbox.lock:
        smtp.inbox.messages.clear()


@pytest.fixture
def clock(monkeypatch):
    """The reminders' one clock, pinned (the worker threads read the same function)."""
    pinned = [START]
    monkeypatch.setattr(services, "now", lambda: pinned[0])
    return pinned


def _cycle_at_step_3(app) -> int:
    """TW III started at START; steps 1 and 2 done at once: step 3 (the Perencana, Mutu
    Baku 1 hari) is due Tuesday 09.00 WIB."""
    with app.app_context():
        opd = d.tenant(OPD)
        cycle = engine.start_cycle(opd, 2026, "triwulan", 3, d.people(opd, {"kepala"})[0], now=START)
        for _ in range(2):
            task = engine.current_task(cycle)
            engine.mark_done(task, d.actor(opd, task), now=START)
        task = engine.current_task(cycle)
        assert task.position == 3 and task.due_at == START + timedelta(days=1)
        db.session.commit()
        return cycle.id


def _subject(message) -> str:
    return " ".join(message["Subject"].split())  # a long subject arrives folded


def _subjects(smtp, address: str, start: str) -> list[str]:
    return [_subject(m) for m in smtp.inbox.to(address) if _subject(m).startswith(start)]


def _sweep_with_both(app, expect) -> None:
    """Both workers' schedulers queue the sweep at this moment; wait until what is expected
    arrived, then a little longer for anything sent twice."""
    task = app.extensions["reminder_task"]
    task()
    task()
    deadline = time.monotonic() + 30
    while not expect() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert expect(), "the reminders never arrived"
    time.sleep(1.5)
    huey = app.extensions["huey"]
    while huey.pending_count() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)


def test_a_step_walks_from_due_tomorrow_to_late_to_escalated_once_each(demo, smtp, clock):
    app = demo
    cycle_id = _cycle_at_step_3(app)
    subject = "langkah 3 (Membuat format pengukuran kinerja)"
    workers = [queue.ThreadedWorker(app), queue.ThreadedWorker(app)]
    for worker in workers:
        worker.start()
    try:
        # Monday 22.00 WIB: due tomorrow 09.00 WIB (within half the step's 1 hari): "segera".
        clock[0] = datetime(2026, 10, 5, 22, 0) - WIB
        _sweep_with_both(app, lambda: _subjects(smtp, PERENCANA, "Batas "))
        soon = _subjects(smtp, PERENCANA, "Batas ")
        assert len(soon) == 1 and soon[0].startswith(f"Batas 6 Okt 2026 09.00 WIB: {subject} siklus Triwulan III 2026")
        body = next(m for m in smtp.inbox.to(PERENCANA) if _subject(m).startswith("Batas ")).get_payload(
            decode=True).decode()
        assert f"https://sakip.test/t/{OPD}/siklus/{cycle_id}/" in body and "Yth." in body
        # Monday, every OPD that never started an ended period hears of it once, and the
        # pemda admin gets the week's digest once.
        assert len(_subjects(smtp, ADMIN, "Ringkasan mingguan")) == 1

        # Tuesday 10.00 WIB: an hour late: "terlambat", to the holder.
        clock[0] = datetime(2026, 10, 6, 10, 0) - WIB
        _sweep_with_both(app, lambda: _subjects(smtp, PERENCANA, "Terlambat"))
        assert len(_subjects(smtp, PERENCANA, "Terlambat")) == 1
        assert _subjects(smtp, SEKRETARIS, "Eskalasi") == []

        # Thursday 10.00 WIB: more than 2 hari kerja late: the Sekretaris and the Kepala.
        clock[0] = datetime(2026, 10, 8, 10, 0) - WIB
        _sweep_with_both(app, lambda: _subjects(smtp, SEKRETARIS, "Eskalasi") and _subjects(smtp, KADIS, "Eskalasi"))
    finally:
        for worker in workers:
            worker.stop()

    # The same moment again after a restart, with two fresh workers: nothing is sent twice.
    workers = [queue.ThreadedWorker(app), queue.ThreadedWorker(app)]
    for worker in workers:
        worker.start()
    try:
        before = len(smtp.inbox.messages)
        _sweep_with_both(app, lambda: True)
        assert len(smtp.inbox.messages) == before
    finally:
        for worker in workers:
            worker.stop()

    for address, start in ((PERENCANA, "Batas "), (PERENCANA, "Terlambat"), (SEKRETARIS, "Eskalasi"),
                           (KADIS, "Eskalasi"), (ADMIN, "Ringkasan mingguan")):
        assert len(_subjects(smtp, address, start)) == 1, (address, start)
    escalation = [m for m in smtp.inbox.to(KADIS) if _subject(m).startswith("Eskalasi")][0]
    assert subject in _subject(escalation) and "lebih dari 2 hari kerja" in _subject(escalation)
    assert "Pemegang tugas: " in escalation.get_payload(decode=True).decode()
    with app.app_context():
        kinds = sorted(r.kind for r in db.session.scalars(select(ReminderSent).where(ReminderSent.task_id.is_not(None))))
        assert kinds == ["eskalasi", "segera", "terlambat"]
        audited = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "pengingat.kirim",
                                                              AuditEvent.cycle_id == cycle_id)).all()
        assert sorted(e.field for e in audited) == ["batas waktu mendekat", "eskalasi ke pimpinan", "terlambat"]


def test_opt_out_manual_reminder_and_the_home_note(demo, smtp, clock, client):
    app = demo
    cycle_id = _cycle_at_step_3(app)
    with app.app_context():
        perencana = db.session.scalar(select(User).where(User.email == PERENCANA))
        services.set_contact(perencana, perencana, "0321 123456", "081234567890", True)
        db.session.commit()
        before = len(_subjects(smtp, PERENCANA, "Batas ")), len(_subjects(smtp, PERENCANA, "Terlambat"))
        clock[0] = datetime(2026, 10, 5, 22, 0) - WIB
        sent = services.sweep()
        assert any(s.startswith("segera ") for s in sent)
        # Mandatory: TW I and TW II 2026 ended and never started, to those who may start them.
        assert sum(s.startswith("belum_mulai ") for s in sent) >= 2
        assert len(_subjects(smtp, PERENCANA, "Siklus Triwulan I 2026 Dinas Kesehatan")) == 1
        assert len(_subjects(smtp, PERENCANA, "Batas ")) == before[0]  # opted out of the optional one
        clock[0] = datetime(2026, 10, 6, 10, 0) - WIB
        assert any(s.startswith("terlambat ") for s in services.sweep())
        assert len(_subjects(smtp, PERENCANA, "Terlambat")) == before[1] + 1  # late is mandatory
        assert services.sweep() == []  # nothing twice
        task_id = engine.current_task(db.session.get(Cycle, cycle_id)).id

    # "Kirim pengingat" on the late list, by the coordinator: once a day per task.
    sign_in(client, "koordinator@jatim.test")
    late = client.get("/t/jawa-timur/pemantauan/terlambat").get_data(as_text=True)
    assert f'name="tugas" value="{task_id}"' in late
    sent = post(client, "/t/jawa-timur/pengingat/kirim", {"tugas": str(task_id)})
    assert sent.status_code == 303
    assert len(_subjects(smtp, PERENCANA, "Pengingat dari")) == 1
    again = post(client, "/t/jawa-timur/pengingat/kirim", {"tugas": str(task_id)})
    assert again.status_code == 303 and len(_subjects(smtp, PERENCANA, "Pengingat dari")) == 1
    # A task of another province is not found.
    with app.app_context():
        foreign = d.tenant("kab-contoh-dinas-contoh")
    assert foreign is not None
    # The holder sees the reminder on the home page, and her contact is on Organisasi.
    sign_in(client, PERENCANA)
    home = client.get(f"/t/{OPD}/").get_data(as_text=True)
    assert 'data-testid="reminder-note"' in home and "Pengingat" in home
    organisation = client.get(f"/t/{OPD}/organisasi").get_data(as_text=True)
    assert "081234567890" in organisation and "wa.me/6281234567890" in organisation
