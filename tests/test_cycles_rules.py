"""The server refuses every action out of order or by the wrong lane; separation of
duties; locks, reopening and revisions; deadlines flagged late."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.cycles import engine, queries, review
from portal.cycles.engine import CycleError
from portal.extensions import db
from portal.signing import locks, preview, signoff
from tests import cycle_driver as d

OPD = "kab-mojokerto-dinkes"


def _cycle_at(meaning_or_position, opd_slug=OPD):
    """A Mojokerto TW III cycle advanced (without returns) until the given step is current."""
    opd = d.tenant(opd_slug)
    starter = d.people(opd, {"kepala"})[0]
    cycle = engine.start_cycle(opd, 2026, "triwulan", 3, starter)
    for _ in range(50):
        task = engine.current_task(cycle)
        if task.position == meaning_or_position or task.step.meaning == meaning_or_position:
            return opd, cycle, task
        if task.step.meaning in ("manual", "archive"):
            output = d.store_output(opd, "o.pdf", d.PDF, 10**7) if task.step.output.strip() else None
            engine.mark_done(task, d.actor(opd, task), output=output)
        elif task.step.meaning == "collect":
            for item in [i for i in cycle.items if i.state == "belum_diisi"]:
                user = d.enterer(opd, item)
                d.enter_value(item, user)
                review.submit([item], user)
        elif task.step.meaning == "review":
            stage = review.stage_of_task(task)
            items = [i for i in cycle.items if i.stage == stage - 1]
            user = d.actor(opd, task, avoid={u for i in items for u in review.entered_by(i)})
            review.review(task, user, {i.id: ("setuju", "") for i in items})
        elif task.step.meaning == "sign":
            signoff.sign(task, d.actor(opd, task), preview.fingerprint(task.cycle))
    raise AssertionError("step not reached")


def test_wrong_lane_and_out_of_order_are_refused(demo):
    with demo.app_context():
        opd, cycle, task = _cycle_at(1)
        kabid = d.people(opd, {"kabid"})[0]
        with pytest.raises(CycleError, match="peran Anda tidak termasuk"):
            engine.mark_done(task, kabid)
        later = next(t for t in cycle.tasks if t.position == 3)
        perencana = d.people(opd, {"perencana"})[0]
        with pytest.raises(CycleError, match="belum atau tidak lagi berjalan"):
            engine.mark_done(later, perencana, output=d.store_output(opd, "o.pdf", d.PDF, 10**7))
        sign_task = next(t for t in cycle.tasks if t.step.meaning == "sign")
        with pytest.raises(CycleError):
            signoff.sign(sign_task, d.people(opd, {"kepala"})[0], preview.fingerprint(sign_task.cycle))
        assert engine.current_task(cycle) is task


def test_an_output_document_is_needed_only_where_the_sop_says_wajib(demo):
    with demo.app_context():
        opd, cycle, task = _cycle_at(2)
        assert task.step.output and not task.step.output_wajib
        task.step.output_wajib = True
        with pytest.raises(CycleError, match=f'unggah dokumen output "{task.step.output}" \\(wajib menurut SOP\\)'):
            engine.mark_done(task, d.actor(opd, task))
        task.step.output_wajib = False  # the SOP's default: the Output is recorded, its upload optional
        engine.mark_done(task, d.actor(opd, task))
        assert task.status == "selesai" and task.output_filename == ""


def test_the_one_who_entered_may_not_validate_or_sign(demo):
    with demo.app_context():
        opd, cycle, task = _cycle_at("review")
        item = cycle.items[0]
        enterer = d.people(opd, {"staf"})[0]
        from portal.auth.models import Membership
        from portal.tenancy.models import Lane
        # Give the enterer the reviewing lane too (one person, two lanes).
        lane = db.session.scalar(select(Lane).where(Lane.tenant_id == opd.id, Lane.kind == "tim_sakip"))
        enterer_of_item = next(iter(review.entered_by(item)))
        db.session.add(Membership(user_id=enterer_of_item, tenant_id=opd.id, lane_id=lane.id))
        db.session.flush()
        from portal.auth.models import User
        person = db.session.get(User, enterer_of_item)
        with pytest.raises(CycleError, match="tidak boleh mereviunya"):
            review.review(task, person, {item.id: ("setuju", "")})
        assert item.stage == 0 and enterer  # nothing changed


def test_return_needs_a_reason(demo):
    with demo.app_context():
        opd, cycle, task = _cycle_at("review")
        item = cycle.items[0]
        reviewer = d.actor(opd, task, avoid=review.entered_by(item))
        with pytest.raises(CycleError, match="tulis alasan"):
            review.review(task, reviewer, {item.id: ("kembalikan", "  ")})
        assert item.state == "diajukan"


def test_signed_values_are_locked_and_reopen_makes_a_new_revision(demo):
    with demo.app_context():
        opd, cycle, task = _cycle_at("sign")
        head = d.actor(opd, task)
        signoff.sign(task, head, preview.fingerprint(task.cycle))
        item = cycle.items[0]
        assert cycle.locked
        reason = locks.realisasi_block(opd.id, 2026, 3, item.indikator_id)
        assert reason.startswith("Terkunci: Disahkan oleh ") and "revisi 1" in reason
        kabid = d.people(opd, {"kabid"})[0]
        with pytest.raises(CycleError, match="Hanya Kepala"):
            review.reopen(cycle, kabid, "koreksi")
        with pytest.raises(CycleError, match="alasan"):
            review.reopen(cycle, head, "")
        review.reopen(cycle, head, "Salah ketik nilai", [item.id])
        assert not cycle.locked and item.state == "dikembalikan"
        assert locks.realisasi_block(opd.id, 2026, 3, item.indikator_id) is None
        other = cycle.items[1]
        assert locks.realisasi_block(opd.id, 2026, 3, other.indikator_id).startswith("Sudah diajukan")
        # Correct, resubmit, review again, sign again: revision 2; revision 1 is kept.
        user = d.enterer(opd, item)
        d.enter_value(item, user, "91")
        review.submit([item], user)
        for _ in range(20):
            current = engine.current_task(cycle)
            if current.step.meaning == "sign":
                break
            if current.step.meaning == "review":
                stage = review.stage_of_task(current)
                reviewer = d.actor(opd, current, avoid=review.entered_by(item))
                review.review(current, reviewer, {item.id: ("setuju", "")} if item.stage == stage - 1 else {})
            else:
                output = d.store_output(opd, "o.pdf", d.PDF, 10**7) if current.step.output.strip() else None
                engine.mark_done(current, d.actor(opd, current), output=output)
        signoff.sign(engine.current_task(cycle), head, preview.fingerprint(cycle))
        from portal.cycles.models import CycleSnapshot
        revisions = db.session.scalars(select(CycleSnapshot).where(
            CycleSnapshot.cycle_id == cycle.id, CycleSnapshot.indikator_id == item.indikator_id)
            .order_by(CycleSnapshot.revision)).all()
        assert [s.revision for s in revisions] == [1, 2]
        assert revisions[0].values["realisasi"] != revisions[1].values["realisasi"]


def test_a_task_past_its_mutu_baku_is_late(demo):
    with demo.app_context():
        opd, cycle, task = _cycle_at(1)
        assert task.due_at == task.activated_at + timedelta(minutes=10)  # step 1: 10 menit
        assert not queries.is_late(task, task.activated_at + timedelta(minutes=9))
        assert queries.is_late(task, task.activated_at + timedelta(minutes=11))
        task.activated_at -= timedelta(hours=1)
        task.due_at -= timedelta(hours=1)
        kadis = d.actor(opd, task)
        entries = queries.inbox(kadis)
        assert [e.late for e in entries if e.task.id == task.id] == [True]
        assert queries.timeline_state(task) == "sekarang terlambat"


def test_second_cycle_for_the_same_period_is_refused(demo):
    with demo.app_context():
        opd, cycle, task = _cycle_at(1)
        with pytest.raises(CycleError, match="sudah dimulai"):
            engine.start_cycle(opd, 2026, "triwulan", 3, d.people(opd, {"kepala"})[0])


def test_cycle_keeps_its_sop_version_after_a_revision(demo):
    from portal.sop import services as sop_services
    with demo.app_context():
        opd, cycle, task = _cycle_at(1)
        old_version = cycle.sop_version_id
        published = sop_services.sop_in_force(opd)
        draft = sop_services.revise(published, None)
        db.session.flush()
        sop_services.publish(draft, None)
        db.session.flush()
        assert sop_services.sop_in_force(opd).id == draft.id
        assert cycle.sop_version_id == old_version
        assert all(t.step.version_id == old_version for t in cycle.tasks)
