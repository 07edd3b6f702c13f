"""The data of a cycle: submit (diajukan), review (approve / return with a reason),
reopen; the sign-off itself (disahkan, locked) is portal/signing/signoff.py. Who may
do each is asked of portal/cycles/policy.py; separation of duties: whoever ever changed
or submitted a value may not validate, verify or sign it."""
from datetime import datetime

from portal.audit import services as audit
from portal.capaian.figures import display_value
from portal.columns import utcnow
from portal.cycles import engine, locking, policy
from portal.cycles.engine import (  # noqa: F401 (the names callers know the review by)
    CycleError,
    acting_lanes,
    data_review_positions,
    lane_text,
    require_current,
    stage_of_task,
)
from portal.cycles.models import Cycle, CycleItem, CycleStatus, CycleTask, ItemState
from portal.cycles.policy import ENTRY_KINDS, entered_by, submit_rights  # noqa: F401
from portal.sop.document import Meaning

# ---------------------------------------------------------------- stages named by the SOP

def stage_labels(cycle: Cycle) -> dict[int, str]:
    """'divalidasi (Kabid)' for the first data review, 'diverifikasi (...)' for the second,
    'disetujui (...)' after that: the names come from the SOP's own lanes."""
    verbs = ["Divalidasi", "Diverifikasi"]
    by_position = {s.position: s for s in cycle.sop_version.steps}
    return {k: f"{verbs[k - 1] if k <= 2 else 'Disetujui'} {engine.step_lane_names(by_position[p])}"
            for k, p in enumerate(data_review_positions(cycle), start=1)}


def item_label(item: CycleItem) -> str:
    if item.state == ItemState.BELUM_DIISI:
        return "Belum diajukan"
    if item.state == ItemState.DIKEMBALIKAN:
        return "Dikembalikan"
    if item.state == ItemState.DISAHKAN:
        return "Disahkan"
    if item.stage == 0:
        return "Diajukan"
    return stage_labels(item.cycle).get(item.stage, "Disetujui")


# ---------------------------------------------------------------- the value

def _has_value(item: CycleItem) -> bool:
    row = policy._realisasi(item)
    return row is not None and (row.tidak_berlaku or row.nilai is not None or row.predikat is not None)


# ---------------------------------------------------------------- submit

def may_submit(user, item: CycleItem) -> bool:
    return submit_rights(user, item.cycle)(item)


def submit(items: list[CycleItem], user, now: datetime | None = None) -> None:
    now = now or utcnow()
    for cycle in sorted({item.cycle for item in items}, key=lambda c: c.id):
        locking.lock(cycle)
    for item in items:
        cycle = item.cycle
        if cycle.locked:
            raise locking.changed("Data siklus ini sudah disahkan dan terkunci.", cycle)
        if not engine.realisasi_open(cycle):
            raise CycleError("Pengisian data belum dibuka: langkah pengumpulan data SOP belum berjalan.")
        policy.may_submit(user, item)
        if item.state not in (ItemState.BELUM_DIISI, ItemState.DIKEMBALIKAN):
            raise locking.changed(f"{item.indikator.nama}: sudah diajukan ({item_label(item)}).", cycle,
                                  "cycle_item", item.id)
        if not _has_value(item):
            raise CycleError(f"{item.indikator.nama}: isi realisasi (atau tandai tidak berlaku) sebelum diajukan.")
        old = item_label(item)
        item.state = ItemState.DIAJUKAN
        item.submitted_at, item.submitted_by_id = now, user.id
        item.returned_reason = ""
        audit.record(cycle.tenant, user, "data.ajukan", "cycle_item", item.id,
                     lane=lane_text(policy.submitter_lanes(user, item)), cycle_id=cycle.id,
                     indikator_id=item.indikator_id, old=old, new="Diajukan")
    if items:
        engine.maybe_complete_collect(items[0].cycle, user, now)


# ---------------------------------------------------------------- review

def review(task: CycleTask, user, decisions: dict[int, tuple[str, str]], now: datetime | None = None) -> None:
    """decisions: {item_id: ("setuju" | "kembalikan", reason)}. Per item or a whole unit
    at once; a return needs a reason. Refused as a whole if any decision is not allowed.

    A return sends the item to its enterers (whatever step the flow is at, they have it
    to fix), moves the flow back where the SOP's "Tidak" says, and the corrected item
    comes back to this review; the review finishes when every item passed it."""
    now = now or utcnow()
    locking.lock(task.cycle)
    cycle = task.cycle
    by_id = {item.id: item for item in cycle.items}
    try:
        require_current(task)
    except locking.StateChanged:
        # Say what happened to the data decided on (a return also moved the flow back).
        for item_id in decisions:
            item = by_id.get(item_id)
            if item is not None and item.state != ItemState.DIAJUKAN:
                raise locking.changed(f"{item.indikator.nama}: tidak menunggu reviu ({item_label(item)}).", cycle,
                                      "cycle_item", item.id) from None
        raise
    lanes = acting_lanes(user, task)
    stage = stage_of_task(task)
    if stage is None:
        raise CycleError("Langkah ini memutuskan dokumen, bukan data per indikator.")
    problems, refused = [], False
    for item_id, (verdict, reason) in decisions.items():
        item = by_id.get(item_id)
        if item is None:
            problems.append("Indikator tidak ada di siklus ini.")
            continue
        name = item.indikator.nama
        why = None if verdict in ("setuju", "kembalikan") else f"{name}: pilih setujui atau kembalikan."
        if why is None and (item.state != ItemState.DIAJUKAN or item.stage != stage - 1):
            # Someone reviewed it first (or it was returned, or taken back): name them.
            raise locking.changed(f"{name}: tidak menunggu reviu pada langkah ini ({item_label(item)}).", cycle,
                                  "cycle_item", item.id)
        if why is None:
            why = policy.review_refusal(user, task, item, lanes, stage)
            refused = refused or why is not None
        if why is None and verdict == "kembalikan" and not (reason or "").strip():
            why = f"{name}: tulis alasan pengembalian."
        if why:
            problems.append(why)
    if problems:
        raise (policy.CycleRefused if refused else CycleError)(" ".join(problems))
    returned = False
    for item_id, (verdict, reason) in decisions.items():
        item = by_id[item_id]
        if verdict == "setuju":
            item.stage = stage
            item.approvals = {**(item.approvals or {}), str(stage): user.id}
            audit.record(cycle.tenant, user, "data.setujui", "cycle_item", item.id, lane=lane_text(lanes),
                         cycle_id=cycle.id, indikator_id=item.indikator_id, old=item_label_at(item, stage - 1),
                         new=item_label(item))
        else:
            returned = True
            old = item_label(item)
            item.state, item.returned_reason = ItemState.DIKEMBALIKAN, reason.strip()
            item.returned_at, item.returned_by_id = now, user.id
            # Corrected data comes back to the review that returned it.
            item.stage = stage - 1
            audit.record(cycle.tenant, user, "data.kembalikan", "cycle_item", item.id, lane=lane_text(lanes),
                         cycle_id=cycle.id, indikator_id=item.indikator_id, old=old, new="Dikembalikan",
                         reason=reason.strip())
    if returned:
        engine.rewind(task, engine.return_target(task), user, now, "Ada data yang dikembalikan.", lane_text(lanes))
    elif engine.stage_done(cycle, stage):
        engine.complete(task, user, now, lane_text(lanes))


def maybe_pass(task: CycleTask, now: datetime) -> None:
    engine.maybe_pass(task, now)


def item_label_at(item: CycleItem, stage: int) -> str:
    return "Diajukan" if stage == 0 else stage_labels(item.cycle).get(stage, "Disetujui")


def decide(task: CycleTask, user, approve: bool, reason: str = "", now: datetime | None = None) -> None:
    """A review step on documents (before data is collected): Ya passes on, Tidak
    returns to the SOP's return step with a reason."""
    now = now or utcnow()
    locking.lock(task.cycle)
    require_current(task)
    lanes = acting_lanes(user, task)
    if task.step.meaning != Meaning.REVIEW or stage_of_task(task) is not None:
        raise CycleError("Langkah ini bukan keputusan atas dokumen.")
    if approve:
        engine.complete(task, user, now, lane_text(lanes), "Ya")
        return
    if not reason.strip():
        raise CycleError("Tulis alasan pengembalian.")
    engine.rewind(task, engine.return_target(task), user, now, reason.strip(), lane_text(lanes))


# ---------------------------------------------------------------- the signed values, reopen

def snapshot_values(item: CycleItem) -> dict:
    row = policy._realisasi(item)
    return {
        "realisasi": display_value(row),
        "faktor_pendorong": row.faktor_pendorong if row else "",
        "faktor_penghambat": row.faktor_penghambat if row else "",
        "tindak_lanjut": row.tindak_lanjut if row else "",
    }


def reopen(cycle: Cycle, user, reason: str, item_ids: list[int] | None = None, now: datetime | None = None) -> None:
    """The Kepala (the kind that signs) reopens a signed cycle for corrections: the chosen
    items (default: all) go back to their enterers; the flow returns to the collect step;
    the next sign-off becomes a new revision, the earlier one stays."""
    now = now or utcnow()
    locking.lock(cycle)
    heads = policy.may_reopen(user, cycle.tenant)
    if not cycle.locked:
        raise locking.changed("Siklus ini tidak sedang terkunci.", cycle)
    if not reason.strip():
        raise CycleError("Tulis alasan membuka kembali.")
    chosen = [i for i in cycle.items if item_ids is None or i.id in item_ids]
    if not chosen:
        raise CycleError("Pilih indikator yang dibuka kembali.")
    final = len(data_review_positions(cycle))
    for item in cycle.items:
        item.state = ItemState.DIAJUKAN
        item.stage = final
    for item in chosen:
        item.state, item.stage, item.returned_reason = ItemState.DIKEMBALIKAN, 0, reason.strip()
        item.returned_at, item.returned_by_id = now, user.id
    cycle.locked, cycle.status, cycle.lock_reason = False, CycleStatus.BERJALAN, ""
    audit.record(cycle.tenant, user, "siklus.buka_kembali", "cycle", cycle.id, lane=lane_text(heads),
                 cycle_id=cycle.id, old=f"disahkan (revisi {cycle.revision})", new="dibuka kembali",
                 reason=reason.strip())
    flow = engine.flow(cycle)
    collect = [t for t in flow if t.step.meaning == Meaning.COLLECT]
    engine.restart_from(cycle, collect[0] if collect else flow[0], now)
