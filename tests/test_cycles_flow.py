"""The cycle always moves on: a return at the second review stage, the timeline after it,
one measurement per OPD and period, periodic steps at their period's end, and an SOP that
cannot hand sign-off away."""
import re
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.cycles import engine, queries, review
from portal.cycles.engine import CycleError
from portal.cycles.models import Cycle
from portal.extensions import db
from portal.problems import Conflict
from portal.signing import preview, signoff
from portal.sop import services as sop_services
from portal.sop.document import LaneDoc, SopDocument, StepDoc
from portal.sop.models import Sop
from tests import cycle_driver as d
from tests.conftest import post, sign_in
from tests.factories import PASSWORD
from tests.test_cycle_policy import OPD_KINDS, _world
from tests.test_cycles_rules import _cycle_at

MOJOKERTO = "kab-mojokerto-dinkes"


def _inbox_texts(user, cycle) -> list[str]:
    return [e.what for e in queries.inbox(user) if e.cycle.id == cycle.id]


def test_a_return_at_the_second_stage_reaches_the_enterers_and_the_cycle_goes_on(demo):
    """The finding: the Sekretaris (second stage, "Tidak" goes to Tim SAKIP's step 6)
    returned one indicator while others were undecided; afterwards the Kabid and Staf had
    no task and the cycle stalled."""
    with demo.app_context():
        opd, cycle, task = _cycle_at(7, MOJOKERTO)
        sekretaris = d.actor(opd, task)
        returned, *others = cycle.items
        review.review(task, sekretaris, {returned.id: ("kembalikan", "Bukti dukung belum sesuai")})
        db.session.flush()
        assert engine.current_task(cycle).position == 6  # the SOP's "Tidak"
        step7 = next(t for t in cycle.tasks if t.position == 7)
        assert step7.status == "menunggu" and step7.completed_at is None and step7.completed_by_id is None
        staf = d.enterer(opd, returned)
        assert f"Perbaiki dan ajukan kembali {returned.indikator.kode}: Bukti dukung belum sesuai" in \
            _inbox_texts(staf, cycle)
        # Tim SAKIP does its step again; the Sekretaris decides the rest.
        step6 = engine.current_task(cycle)
        engine.mark_done(step6, d.actor(opd, step6), output=d.store_output(opd, "o.pdf", d.PDF, 10**7)
                         if step6.step.output.strip() else None)
        step7 = engine.current_task(cycle)
        assert step7.position == 7
        review.review(step7, sekretaris, {i.id: ("setuju", "") for i in others})
        assert engine.current_task(cycle) is step7  # waits for the returned one ...
        assert _inbox_texts(sekretaris, cycle) == []  # ... with nothing for the Sekretaris to review now
        assert _inbox_texts(staf, cycle)  # the Staf has it to fix
        d.enter_value(returned, staf, "80")
        review.submit([returned], staf)
        assert step7.step.kegiatan in _inbox_texts(sekretaris, cycle)  # back to the reviewer who returned it
        review.review(step7, sekretaris, {returned.id: ("setuju", "")})
        sign = engine.current_task(cycle)
        assert sign.step.meaning == "sign"
        signoff.sign(sign, d.actor(opd, sign), preview.fingerprint(sign.cycle))
        assert cycle.locked and cycle.status == "disahkan"


def test_timeline_after_a_return_says_waiting_not_done(demo, client):
    with demo.app_context():
        opd, cycle, task = _cycle_at(7, MOJOKERTO)
        review.review(task, d.actor(opd, task), {cycle.items[0].id: ("kembalikan", "Cek lagi")})
        db.session.commit()
        url = f"/t/{MOJOKERTO}/siklus/{cycle.id}/"
    sign_in(client, "kadis@dinkes.mojokerto.test")
    page = client.get(url).get_data(as_text=True)
    step7 = re.search(r'<li class="([^"]*)" data-testid="task-7-1">(.*?)</li>', page, re.S)
    assert step7.group(1) == "menunggu" and "selesai" not in step7.group(2)
    step6 = re.search(r'<li class="([^"]*)" data-testid="task-6-1">(.*?)</li>', page, re.S)
    assert step6.group(1) == "sekarang" and "selesai" not in step6.group(2).replace("sedang berjalan", "")
    assert "tugas.kembalikan" in page  # the history stays in the audit trail
    with demo.app_context():
        cycle = db.session.get(Cycle, int(url.rstrip("/").rsplit("/", 1)[1]))
        opd = d.tenant(MOJOKERTO)
        step6 = engine.current_task(cycle)
        engine.mark_done(step6, d.actor(opd, step6), output=d.store_output(opd, "o.pdf", d.PDF, 10**7)
                         if step6.step.output.strip() else None)
        db.session.commit()
        kode = cycle.items[0].indikator.kode
    page = client.get(url).get_data(as_text=True)
    assert f"Menunggu perbaikan oleh unit: {kode}" in page


def test_one_measurement_per_opd_and_period(demo, client):
    with demo.app_context():
        opd = d.tenant(MOJOKERTO)
        kepala = d.people(opd, {"kepala"})[0]
        engine.start_cycle(opd, 2026, "triwulan", 3, kepala)
        with pytest.raises(Conflict, match="Siklus Triwulan III 2026 sedang berjalan dan sudah mengukur TW III"):
            engine.start_cycle(opd, 2026, "semester", 2, kepala)
        with pytest.raises(Conflict, match="Triwulan III 2026"):
            engine.start_cycle(opd, 2026, "tahunan", 1, kepala)
        engine.start_cycle(opd, 2026, "triwulan", 4, kepala)  # another quarter is fine
        db.session.commit()
        assert len(db.session.scalars(select(Cycle)).all()) == 2
    sign_in(client, "kadis@dinkes.mojokerto.test")
    response = post(client, f"/t/{MOJOKERTO}/siklus/mulai", {"tahun": "2026", "jenis": "semester", "nomor": "2"})
    assert response.status_code == 409
    assert "Siklus Triwulan III 2026 sedang berjalan" in response.get_data(as_text=True)
    with demo.app_context():
        assert len(db.session.scalars(select(Cycle)).all()) == 2


def test_periodic_steps_fall_due_at_each_period_end(app):
    with app.app_context():
        opd, people = _world(with_sop=False)
        sop = Sop(tenant_id=opd.id, key="tahunan")
        db.session.add(sop)
        db.session.flush()
        version = sop_services.new_version(sop, _periodic_doc())
        db.session.flush()
        sop_services.publish(version, None)
        db.session.flush()
        started = datetime(2026, 5, 4, 2, 0)  # during TW II
        cycle = engine.start_cycle(opd, 2026, "tahunan", 1, people["sekretaris"], now=started)
        meetings = [t for t in cycle.tasks if t.position == 2]
        assert [t.occurrence for t in meetings] == [1, 2, 3, 4]
        # Each falls due after its quarter (00.00 WIB on the first day after it), Mutu Baku from there.
        assert [t.activated_at for t in meetings] == [datetime(2026, 3, 31, 17), datetime(2026, 6, 30, 17),
                                                      datetime(2026, 9, 30, 17), datetime(2026, 12, 31, 17)]
        # 2 hari kerja from Wed 1 April 2026 00.00 WIB: Thu 2 April, then Good Friday (3 April,
        # a national holiday) and the weekend are skipped: Mon 6 April 00.00 WIB.
        assert meetings[0].due_at == datetime(2026, 4, 5, 17)
        assert engine.current_task(cycle).position == 1  # the flow does not wait for them
        perencana = people["perencana"]
        engine.mark_done(meetings[0], perencana, now=started)
        with pytest.raises(CycleError, match="setelah periodenya berakhir"):
            engine.mark_done(meetings[1], perencana, now=started)
        assert [e.what for e in queries.inbox(perencana, now=started) if e.task.position == 2] == []  # TW II not over
        after_tw2 = datetime(2026, 7, 2)
        assert [e.task.occurrence for e in queries.inbox(perencana, now=after_tw2) if e.task.position == 2] == [2]
        engine.mark_done(meetings[1], perencana, now=after_tw2)
        # The flow goes on by itself; the meetings are never queued after sign-off.
        engine.mark_done(engine.current_task(cycle), people["sekretaris"], now=started)
        assert engine.current_task(cycle).position == 3


def _periodic_doc():
    return SopDocument(
        nama="Pengukuran Kinerja Tahunan",
        lanes=[LaneDoc(k, f"Lane {k}", k) for k in OPD_KINDS],
        steps=[
            StepDoc(1, "Memerintahkan pengukuran", ["sekretaris"], "mulai", "manual", waktu_amount=Decimal(1)),
            StepDoc(2, "Rapat reviu per triwulan", ["perencana"], "proses", "manual", waktu_amount=Decimal(2),
                    waktu_unit="hari_kerja", repeat="triwulan"),
            StepDoc(3, "Mengisi realisasi", ["staf"], "proses", "collect", waktu_amount=Decimal(1)),
            StepDoc(4, "Memvalidasi", ["tim_sakip"], "keputusan", "review", waktu_amount=Decimal(1), return_to=3),
            StepDoc(5, "Mengesahkan", ["kepala"], "selesai", "sign", waktu_amount=Decimal(1)),
        ])


def test_a_sign_step_belongs_to_the_kepala_kind(app):
    with app.app_context():
        opd, _ = _world(with_sop=False)
        doc = _periodic_doc()
        doc.steps[-1].lanes = ["sekretaris"]
        sop = Sop(tenant_id=opd.id, key="alih")
        db.session.add(sop)
        db.session.flush()
        version = sop_services.new_version(sop, doc)
        db.session.flush()
        with pytest.raises(sop_services.SopError) as refused:
            sop_services.publish(version, None)
        assert ("Langkah 5 (pengesahan) hanya dapat dilaksanakan oleh pelaksana berjenis Kepala Perangkat Daerah, "
                "bukan Lane sekretaris.") in refused.value.problems
        assert version.status == "draft"


def test_an_opd_sop_runs_only_once_its_kepala_approved_it(app, client):
    """Publishing by the Perencana fixes the document; "Disahkan oleh" the Kepala, recorded
    like a sign-off, puts it in force. Nobody else may approve it."""
    from portal.audit.models import AuditEvent
    from portal.problems import Refused

    with app.app_context():
        opd, people = _world(with_sop=False)
        sop = Sop(tenant_id=opd.id, key="pk")
        db.session.add(sop)
        db.session.flush()
        version = sop_services.new_version(sop, _periodic_doc())
        db.session.flush()
        sop_services.publish(version, people["perencana"].id)
        assert sop_services.awaiting_kepala(version)
        with pytest.raises(CycleError, match="belum disahkan oleh Kepala"):
            engine.start_cycle(opd, 2026, "triwulan", 1, people["sekretaris"])
        with pytest.raises(Refused):
            sop_services.approve(version, people["sekretaris"])
        db.session.commit()
        slug, version_id = opd.slug, version.id
    # The Kepala approves on the SOP document page.
    assert sign_in(client, "kepala@policy.test", PASSWORD).status_code == 303
    page = client.get(f"/t/{slug}/sop/versi/{version_id}/").get_data(as_text=True)
    assert "menunggu pengesahan Kepala" in page and 'data-testid="sop-approve"' in page
    assert post(client, f"/t/{slug}/sop/versi/{version_id}/sahkan").status_code == 303
    assert "Disahkan oleh Pengguna" in client.get(f"/t/{slug}/sop/versi/{version_id}/").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sop.sahkan"))
        assert event.lane == "Lane kepala" and event.subject_id == version_id
        opd = d.tenant(slug)
        people_kepala = d.people(opd, {"sekretaris"})[0]
        engine.start_cycle(opd, 2026, "triwulan", 1, people_kepala)  # now in force
