"""The data of a cycle: submit (diajukan), review (approve / return with a reason),
sign (disahkan, locked), reopen. Separation of duties: whoever entered or submitted a
value may not validate, verify or sign it."""
from datetime import datetime

from sqlalchemy import select

from portal.audit import services as audit
from portal.cycles import engine
from portal.cycles.engine import CycleError, acting_lanes, lane_text, require_current
from portal.cycles.models import Cycle, CycleItem, CycleSnapshot, CycleTask
from portal.extensions import db
from portal.signing.capture import record_signoff
from portal.sop.document import Meaning
from portal.tenancy.lanes import LaneKind
from portal.tenancy.models import utcnow

ENTRY_KINDS = {LaneKind.KABID.value, LaneKind.STAF.value}


# ---------------------------------------------------------------- stages named by the SOP

def data_review_positions(cycle: Cycle) -> list[int]:
    """Review steps after the first collect step review the data, in order; review steps
    before it decide on documents (an SK Tim, a format)."""
    steps = cycle.sop_version.steps
    first_collect = next((s.position for s in steps if s.meaning == Meaning.COLLECT), None)
    if first_collect is None:
        return []
    return [s.position for s in steps if s.meaning == Meaning.REVIEW and s.position > first_collect]


def stage_of_task(task: CycleTask) -> int | None:
    positions = data_review_positions(task.cycle)
    return positions.index(task.position) + 1 if task.position in positions else None


def stage_labels(cycle: Cycle) -> dict[int, str]:
    """'divalidasi (Kabid)' for the first data review, 'diverifikasi (...)' for the second,
    'disetujui (...)' after that: the names come from the SOP's own lanes."""
    verbs = ["Divalidasi", "Diverifikasi"]
    by_position = {s.position: s for s in cycle.sop_version.steps}
    return {k: f"{verbs[k - 1] if k <= 2 else 'Disetujui'} {engine.step_lane_names(by_position[p])}"
            for k, p in enumerate(data_review_positions(cycle), start=1)}


def item_label(item: CycleItem) -> str:
    if item.state == "belum_diisi":
        return "Belum diajukan"
    if item.state == "dikembalikan":
        return "Dikembalikan"
    if item.state == "disahkan":
        return "Disahkan"
    if item.stage == 0:
        return "Diajukan"
    return stage_labels(item.cycle).get(item.stage, "Disetujui")


# ---------------------------------------------------------------- who touched the value

def _realisasi(item: CycleItem):
    from portal.indicators.models import Realisasi

    triwulan = engine.measured_triwulan(item.cycle.period_kind, item.cycle.period_no)
    return db.session.scalar(select(Realisasi).where(
        Realisasi.tenant_id == item.tenant_id, Realisasi.indikator_id == item.indikator_id,
        Realisasi.triwulan == triwulan))


def entered_by(item: CycleItem) -> set[int]:
    row = _realisasi(item)
    return {i for i in (item.submitted_by_id, row.updated_by_id if row else None) if i}


def _has_value(item: CycleItem) -> bool:
    row = _realisasi(item)
    return row is not None and (row.tidak_berlaku or row.nilai is not None or row.predikat is not None)


# ---------------------------------------------------------------- submit

def _collect_kinds(cycle: Cycle) -> set[str]:
    kinds: set[str] = set()
    for step in cycle.sop_version.steps:
        if step.meaning == Meaning.COLLECT:
            kinds |= engine.step_lane_kinds(step)
    return kinds


def submit_rights(user, cycle: Cycle):
    """Who may submit which item: the unit's Kabid/Staf, or a holder of the SOP's collect
    step lanes. Returns a predicate on items, with the user's lanes read once."""
    from portal.indicators.entry import entry_unit_ids

    units = entry_unit_ids(user, cycle.tenant)
    collector = bool(engine.memberships_for(user, cycle.tenant, _collect_kinds(cycle) - ENTRY_KINDS))
    return lambda item: collector or (item.indikator.unit_id is not None and item.indikator.unit_id in units)


def may_submit(user, item: CycleItem) -> bool:
    return submit_rights(user, item.cycle)(item)


def submit(items: list[CycleItem], user, now: datetime | None = None) -> None:
    now = now or utcnow()
    for item in items:
        cycle = item.cycle
        if cycle.locked:
            raise CycleError("Data siklus ini sudah disahkan dan terkunci.")
        collect = [t for t in cycle.tasks if t.step.meaning == Meaning.COLLECT]
        if collect and all(t.status == "menunggu" for t in collect):
            raise CycleError("Pengisian data belum dibuka: langkah pengumpulan data SOP belum berjalan.")
        if not may_submit(user, item):
            raise CycleError(f"{item.indikator.nama}: bukan indikator unit Anda.")
        if item.state not in ("belum_diisi", "dikembalikan"):
            raise CycleError(f"{item.indikator.nama}: sudah diajukan.")
        if not _has_value(item):
            raise CycleError(f"{item.indikator.nama}: isi realisasi (atau tandai tidak berlaku) sebelum diajukan.")
        old = item_label(item)
        item.state = "diajukan"
        item.submitted_at, item.submitted_by_id = now, user.id
        item.returned_reason = ""
        lanes = [m for m in engine.memberships_for(user, cycle.tenant, ENTRY_KINDS | _collect_kinds(cycle))
                 if m.unit_id in (None, item.indikator.unit_id)]
        audit.record(cycle.tenant, user, "data.ajukan", "cycle_item", item.id, lane=lane_text(lanes),
                     cycle_id=cycle.id, indikator_id=item.indikator_id, old=old, new="Diajukan")
    if items:
        engine.maybe_complete_collect(items[0].cycle, user, now)


# ---------------------------------------------------------------- review

def review(task: CycleTask, user, decisions: dict[int, tuple[str, str]], now: datetime | None = None) -> None:
    """decisions: {item_id: ("setuju" | "kembalikan", reason)}. Per item or a whole unit
    at once; a return needs a reason. Refused as a whole if any decision is not allowed."""
    now = now or utcnow()
    require_current(task)
    lanes = acting_lanes(user, task)
    stage = stage_of_task(task)
    if stage is None:
        raise CycleError("Langkah ini memutuskan dokumen, bukan data per indikator.")
    cycle = task.cycle
    by_id = {item.id: item for item in cycle.items}
    reviewer_units = {m.unit_id for m in lanes if m.unit_id is not None}
    unit_bound = bool(lanes) and all(m.lane.kind in ENTRY_KINDS for m in lanes)
    problems = []
    for item_id, (verdict, reason) in decisions.items():
        item = by_id.get(item_id)
        if item is None:
            problems.append("Indikator tidak ada di siklus ini.")
            continue
        name = item.indikator.nama
        if verdict not in ("setuju", "kembalikan"):
            problems.append(f"{name}: pilih setujui atau kembalikan.")
        elif item.state != "diajukan" or item.stage != stage - 1:
            problems.append(f"{name}: tidak menunggu reviu pada langkah ini ({item_label(item)}).")
        elif user.id in entered_by(item):
            problems.append(f"{name}: Anda mengisi atau mengajukan data ini, jadi tidak boleh mereviunya.")
        elif unit_bound and item.indikator.unit_id not in reviewer_units:
            problems.append(f"{name}: bukan indikator unit Anda.")
        elif verdict == "kembalikan" and not (reason or "").strip():
            problems.append(f"{name}: tulis alasan pengembalian.")
    if problems:
        raise CycleError(" ".join(problems))
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
            item.state, item.returned_reason = "dikembalikan", reason.strip()
            item.returned_at, item.returned_by_id = now, user.id
            # Corrected data comes back to the review that returned it.
            item.stage = stage - 1
            audit.record(cycle.tenant, user, "data.kembalikan", "cycle_item", item.id, lane=lane_text(lanes),
                         cycle_id=cycle.id, indikator_id=item.indikator_id, old=old, new="Dikembalikan",
                         reason=reason.strip())
    if returned:
        engine.rewind(task, engine.return_target(task), user, now, "Ada data yang dikembalikan.", lane_text(lanes))
    elif all(i.state == "diajukan" and i.stage >= stage for i in cycle.items):
        engine.complete(task, user, now, lane_text(lanes))


def maybe_pass(task: CycleTask, now: datetime) -> None:
    """A data review with nothing waiting for it (every item already past it, after a
    return loop further on) passes on by itself."""
    stage = stage_of_task(task)
    items = task.cycle.items
    if stage is not None and items and all(i.state == "diajukan" and i.stage >= stage for i in items):
        engine.complete(task, None, now, note="Tidak ada data yang menunggu reviu langkah ini.")


def item_label_at(item: CycleItem, stage: int) -> str:
    return "Diajukan" if stage == 0 else stage_labels(item.cycle).get(stage, "Disetujui")


def decide(task: CycleTask, user, approve: bool, reason: str = "", now: datetime | None = None) -> None:
    """A review step on documents (before data is collected): Ya passes on, Tidak
    returns to the SOP's return step with a reason."""
    now = now or utcnow()
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


# ---------------------------------------------------------------- sign, reopen

def sign(task: CycleTask, user, now: datetime | None = None) -> None:
    now = now or utcnow()
    require_current(task)
    lanes = acting_lanes(user, task)
    if task.step.meaning != Meaning.SIGN:
        raise CycleError("Langkah ini bukan pengesahan.")
    cycle = task.cycle
    final = len(data_review_positions(cycle))
    waiting = [i.indikator.nama for i in cycle.items if i.state != "diajukan" or i.stage < final]
    if waiting:
        raise CycleError("Belum semua data selesai direviu: " + "; ".join(waiting[:5])
                         + (" ..." if len(waiting) > 5 else ""))
    own = [i.indikator.nama for i in cycle.items if user.id in entered_by(i)]
    if own:
        raise CycleError("Anda mengisi atau mengajukan data berikut, jadi tidak boleh mengesahkannya: "
                         + "; ".join(own[:5]))
    cycle.revision += 1
    for item in cycle.items:
        item.state = "disahkan"
        db.session.add(CycleSnapshot(tenant_id=cycle.tenant_id, cycle_id=cycle.id, indikator_id=item.indikator_id,
                                     revision=cycle.revision, values=snapshot_values(item), signed_at=now,
                                     signed_by_id=user.id))
    record_signoff(cycle, user, now, lane_text(lanes))
    cycle.locked, cycle.status = True, "disahkan"
    cycle.lock_reason = f"Disahkan oleh {user.name} pada {now:%d-%m-%Y %H.%M} UTC (revisi {cycle.revision})."
    audit.record(cycle.tenant, user, "siklus.sahkan", "cycle", cycle.id, lane=lane_text(lanes), cycle_id=cycle.id,
                 new=f"revisi {cycle.revision}")
    engine.complete(task, user, now, lane_text(lanes))


def snapshot_values(item: CycleItem) -> dict:
    from portal.indicators.entry import display_value

    row = _realisasi(item)
    return {
        "realisasi": display_value(row),
        "faktor_pendorong": row.faktor_pendorong if row else "",
        "faktor_penghambat": row.faktor_penghambat if row else "",
        "tindak_lanjut": row.tindak_lanjut if row else "",
    }


def reopen(cycle: Cycle, user, reason: str, item_ids: list[int] | None = None, now: datetime | None = None) -> None:
    """The Kepala reopens a signed cycle for corrections: the chosen items (default: all)
    go back to their enterers; the flow returns to the collect step; the next sign-off
    becomes a new revision, the earlier one stays."""
    now = now or utcnow()
    if not cycle.locked:
        raise CycleError("Siklus ini tidak sedang terkunci.")
    if not reason.strip():
        raise CycleError("Tulis alasan membuka kembali.")
    heads = engine.memberships_for(user, cycle.tenant, {LaneKind.KEPALA.value})
    if not heads:
        raise CycleError("Hanya Kepala perangkat daerah yang dapat membuka kembali data yang sudah disahkan.")
    chosen = [i for i in cycle.items if item_ids is None or i.id in item_ids]
    if not chosen:
        raise CycleError("Pilih indikator yang dibuka kembali.")
    final = len(data_review_positions(cycle))
    for item in cycle.items:
        item.state = "diajukan"
        item.stage = final
    for item in chosen:
        item.state, item.stage, item.returned_reason = "dikembalikan", 0, reason.strip()
        item.returned_at, item.returned_by_id = now, user.id
    cycle.locked, cycle.status, cycle.lock_reason = False, "berjalan", ""
    audit.record(cycle.tenant, user, "siklus.buka_kembali", "cycle", cycle.id, lane=lane_text(heads),
                 cycle_id=cycle.id, old=f"disahkan (revisi {cycle.revision})", new="dibuka kembali",
                 reason=reason.strip())
    collect = [t for t in cycle.tasks if t.step.meaning == Meaning.COLLECT]
    anchor = collect[0] if collect else cycle.tasks[0]
    for task in cycle.tasks:
        if (task.position, task.occurrence) >= (anchor.position, anchor.occurrence):
            task.status = "menunggu"
    engine._activate(anchor, now)
