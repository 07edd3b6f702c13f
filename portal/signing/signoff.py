"""The sign-off: the Kepala signs a cycle's data (disahkan, locked).

Who may sign is decided by portal/cycles/policy.py (the one place for who may act); the
cycle's flow is finished by portal/cycles/engine.py; what was signed is written once by
capture.record_signoff (what is signed stays signed: locks.py)."""
from datetime import datetime

from portal import clock
from portal.audit import services as audit
from portal.columns import utcnow
from portal.cycles import engine, locking, policy, review
from portal.cycles.models import CycleSnapshot, CycleStatus, CycleTask, ItemState
from portal.extensions import db
from portal.signing import preview
from portal.signing.capture import record_signoff
from portal.sop.document import Meaning

CHANGED = ("Data berubah sejak halaman pengesahan dibuka (nilai, definisi indikator atau statusnya). "
           "Periksa lagi nilai yang ditampilkan, lalu sahkan.")


class FiguresChanged(locking.StateChanged):
    """What the Kepala saw is no longer what would be signed (409)."""


def sign(task: CycleTask, user, seen: str, now: datetime | None = None) -> None:
    """The Kepala signs the cycle's data at its sign step: every item reviewed to the last
    stage, who may sign asked of the policy; the items are locked, the cycle's revision
    raised, the record written, and the step finished.

    `seen` is preview.fingerprint(cycle) as the figures were shown to the signer (the
    sign-off page carries it): if anything they are computed from changed since, nothing
    is signed (FiguresChanged). Checked after the cycle's lock, so whoever signs, through
    whichever door, signs exactly what was shown."""
    now = now or utcnow()
    locking.lock(task.cycle)
    if task.cycle.locked:  # someone signed first: name that sign-off
        raise locking.changed(f"Data siklus ini sudah disahkan (revisi {task.cycle.revision}).", task.cycle,
                              "cycle", task.cycle.id)
    engine.require_current(task)
    lanes = engine.acting_lanes(user, task)
    if task.step.meaning != Meaning.SIGN:
        raise engine.CycleError("Langkah ini bukan pengesahan.")
    cycle = task.cycle
    final = len(engine.data_review_positions(cycle))
    waiting = [i.indikator.nama for i in cycle.items if i.state != ItemState.DIAJUKAN or i.stage < final]
    if waiting:
        raise engine.CycleError("Belum semua data selesai direviu: " + "; ".join(waiting[:5])
                                + (" ..." if len(waiting) > 5 else ""))
    refusal = policy.sign_refusal(user, cycle)
    if refusal:
        raise policy.CycleRefused(refusal)
    if seen != preview.fingerprint(cycle):
        raise FiguresChanged(CHANGED)
    cycle.revision += 1
    for item in cycle.items:
        item.state = ItemState.DISAHKAN
        db.session.add(CycleSnapshot(tenant_id=cycle.tenant_id, cycle_id=cycle.id, indikator_id=item.indikator_id,
                                     revision=cycle.revision, values=review.snapshot_values(item), signed_at=now,
                                     signed_by_id=user.id))
    lane = engine.lane_text(lanes)
    record_signoff(cycle, user, now, lane)
    cycle.locked, cycle.status = True, CycleStatus.DISAHKAN
    cycle.lock_reason = f"Disahkan oleh {user.name} pada {clock.waktu(now)} (revisi {cycle.revision})."
    audit.record(cycle.tenant, user, "siklus.sahkan", "cycle", cycle.id, lane=lane, cycle_id=cycle.id,
                 new=f"revisi {cycle.revision}")
    engine.complete(task, user, now, lane)
