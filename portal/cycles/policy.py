"""Who may act in a measurement cycle and on its data: the one place that decides.

Two layers, both read here and nowhere else:
- the lane KIND sets the ceiling (the capabilities of portal/tenancy/lanes.py): ACT for
  the SOP's manual steps and starting, ENTER_DATA for entering and submitting the own
  unit's realisasi, REVIEW for validating / verifying / returning, SIGN for sign-off and
  reopening. Only lanes held in the OPD itself count: a pemda admin or coordinator above
  it oversees and never acts (refused with 403, and the route guard says the same from
  the same table);
- the SOP decides who does which step (the step's lanes), the indicator's unit decides
  whose data it is, and separation of duties takes out everyone who ever changed a value
  from validating, verifying or signing it.

A kind that can never do the action is `CycleRefused` (403). Being the wrong lane for
the step now, or the wrong moment, is a `CycleError` (422) with what the SOP says.
Functions take user, tenant and rows; they never read the request.
"""
from sqlalchemy import or_, select

from portal.audit.models import AuditEvent
from portal.auth.models import Membership, User
from portal.cycles.models import Cycle, CycleItem, CycleStatus, CycleTask, ItemState
from portal.extensions import db
from portal.indikator.models import Indikator, Realisasi, ReportingPeriod
from portal.numbers import TW
from portal.problems import Invalid, Refused
from portal.sop import services as sop_services
from portal.sop.document import Meaning
from portal.tenancy import services as tenancy
from portal.tenancy.lanes import KIND_LABELS, UNIT_KINDS, Capability, LaneKind, kinds_with
from portal.tenancy.models import Lane, Tenant


class CycleError(Invalid):
    """The SOP or the state of the cycle does not allow this now (422)."""

    title = "Tidak dapat diproses"


class CycleRefused(Refused, CycleError):
    """The user's lanes can never do this (403)."""


ENTRY_KINDS = kinds_with(Capability.ENTER_DATA)
SIGN_KINDS = kinds_with(Capability.SIGN)
# The capability a step's meaning needs of the lane that does it.
STEP_CAPABILITY = {
    Meaning.MANUAL: Capability.ACT, Meaning.ARCHIVE: Capability.ACT, Meaning.COLLECT: Capability.ACT,
    Meaning.REVIEW: Capability.REVIEW, Meaning.SIGN: Capability.SIGN,
}
CAPABILITY_WORDS = {
    Capability.ACT: "mengerjakan langkah siklus", Capability.ENTER_DATA: "mengisi realisasi",
    Capability.REVIEW: "mereviu data", Capability.SIGN: "mengesahkan",
}


def measured_triwulan(kind: str, no: int) -> int:
    """The triwulan whose data (s.d.) a cycle measures."""
    return {"triwulan": no, "semester": 2 * no, "tahunan": 4}[kind]


# ---------------------------------------------------------------- lanes

def memberships(user, opd: Tenant, kinds: set[str] | frozenset[str]) -> list[Membership]:
    """The user's lanes of these kinds held in the OPD itself (never those above it)."""
    if user is None or not kinds:
        return []
    return list(db.session.scalars(
        select(Membership).join(Lane, Lane.id == Membership.lane_id)
        .where(Membership.user_id == user.id, Membership.tenant_id == opd.id, Lane.kind.in_(kinds))))


def require(user, opd: Tenant, capability: Capability) -> list[Membership]:
    """The user's lanes in the OPD whose kind holds the capability, or CycleRefused."""
    found = memberships(user, opd, kinds_with(capability))
    if not found:
        holders = ", ".join(KIND_LABELS[LaneKind(k)] for k in sorted(kinds_with(capability)))
        raise CycleRefused(f"Peran Anda di {opd.name} tidak berwenang {CAPABILITY_WORDS[capability]} "
                           f"(hanya {holders}).")
    return found


def step_lane_kinds(step) -> set[str]:
    keys = set(step.lane_keys or [])
    return {lane.kind for lane in step.version.lanes if lane.key in keys}


def step_lane_names(step) -> str:
    keys = step.lane_keys or []
    return ", ".join(lane.name for lane in step.version.lanes if lane.key in keys)


def step_actors(user, task: CycleTask) -> list[Membership]:
    """The user's lanes that may do this task: named by its step and of a kind allowed the
    step's kind of work. A sign step given to another kind than the Kepala's is done by
    nobody (and the SOP cannot be published that way)."""
    capability = STEP_CAPABILITY[task.step.meaning]
    opd = task.cycle.tenant
    allowed = require(user, opd, capability)
    kinds = step_lane_kinds(task.step)
    found = [m for m in allowed if m.lane.kind in kinds]
    if not found:
        raise CycleError(f"Langkah {task.position} dikerjakan oleh {step_lane_names(task.step)}; "
                         "peran Anda tidak termasuk.")
    return found


def may_do_step(user, task: CycleTask | None) -> bool:
    if task is None:
        return False
    try:
        step_actors(user, task)
    except CycleError:
        return False
    return True


def lane_text(found: list[Membership]) -> str:
    return ", ".join(dict.fromkeys(m.lane.name + (f" ({m.unit.name})" if m.unit else "") for m in found))


# ---------------------------------------------------------------- start, reopen

def may_start(user, opd: Tenant, version) -> list[Membership]:
    """A cycle is started by the lanes of the SOP's first step, or by the OPD's planner
    (a kind that manages the tenant) - held in the OPD itself."""
    allowed = require(user, opd, Capability.ACT)
    first = step_lane_kinds(version.steps[0]) if version and version.steps else set()
    planners = kinds_with(Capability.MANAGE_TENANT)
    found = [m for m in allowed if m.lane.kind in first | planners]
    if not found:
        raise CycleError("Siklus dimulai oleh pelaksana langkah pertama SOP atau perencana.")
    return found


def may_reopen(user, opd: Tenant) -> list[Membership]:
    """Reopening signed data is for the kind that signs (the Kepala), by kind, not name."""
    found = memberships(user, opd, SIGN_KINDS)
    if not found:
        raise CycleRefused("Hanya Kepala perangkat daerah yang dapat membuka kembali data yang sudah disahkan.")
    return found


def is_head(user, opd: Tenant) -> bool:
    return bool(memberships(user, opd, SIGN_KINDS))


# ---------------------------------------------------------------- enter, submit

def realisasi_unit_ids(user, tenant: Tenant) -> set[int]:
    """Units the user enters data for in this tenant (ENTER_DATA lanes held for a unit)."""
    return {m.unit_id for m in memberships(user, tenant, ENTRY_KINDS) if m.unit_id is not None}


def realisasi_refusal(unit_ids: set[int], ind: Indikator, period: ReportingPeriod, lock: str | None) -> str | None:
    """None when a user entering for `unit_ids` may enter this row now, else why not.
    `lock` is portal.signing.locks' reason the value may not change (review, sign-off)."""
    if not period.is_open:
        return f"Periode Triwulan {TW[period.triwulan - 1]} {period.tahun} sudah ditutup."
    if ind.unit_id is None or ind.unit_id not in unit_ids:
        return "Indikator ini bukan tanggung jawab unit Anda."
    return lock


def collect_kinds(cycle) -> set[str]:
    kinds: set[str] = set()
    for step in cycle.sop_version.steps:
        if step.meaning == Meaning.COLLECT:
            kinds |= step_lane_kinds(step)
    return kinds


def submit_rights(user, cycle):
    """Who may submit which item: the unit's Kabid/Staf, or a holder of the SOP's collect
    step lanes (of a kind that acts). A predicate on items, with the user's lanes read once."""
    units = realisasi_unit_ids(user, cycle.tenant)
    collector = bool(memberships(user, cycle.tenant, (collect_kinds(cycle) - ENTRY_KINDS) & kinds_with(Capability.ACT)))
    return lambda item: collector or (item.indikator.unit_id is not None and item.indikator.unit_id in units)


def submitter_lanes(user, item: CycleItem) -> list[Membership]:
    kinds = (ENTRY_KINDS | collect_kinds(item.cycle)) & kinds_with(Capability.ACT)
    return [m for m in memberships(user, item.cycle.tenant, kinds) if m.unit_id in (None, item.indikator.unit_id)]


def may_submit(user, item: CycleItem) -> None:
    if not memberships(user, item.cycle.tenant, kinds_with(Capability.ACT)):
        require(user, item.cycle.tenant, Capability.ENTER_DATA)
    if not submit_rights(user, item.cycle)(item):
        raise CycleError(f"{item.indikator.nama}: bukan indikator unit Anda.")
    refusal = strand_refusal(user, item.cycle.tenant, item.indikator, item, item.cycle.sop_version)
    if refusal:
        raise CycleRefused(refusal)


# ---------------------------------------------------------------- separation of duties

def _realisasi(item: CycleItem) -> Realisasi | None:
    triwulan = measured_triwulan(item.cycle.period_kind, item.cycle.period_no)
    return db.session.scalar(select(Realisasi).where(
        Realisasi.tenant_id == item.tenant_id, Realisasi.indikator_id == item.indikator_id,
        Realisasi.triwulan == triwulan))


def entered_by(item: CycleItem) -> set[int]:
    """Everyone who ever changed this value of the period (each save of the realisasi,
    each bukti dukung added or removed, each submission), from the audit log - not only
    the last editor and the last submitter."""
    return enterers(item.cycle, [item])[item.id]


def enterers(cycle, items: list[CycleItem] | None = None) -> dict[int, set[int]]:
    """entered_by for many items of a cycle, in two queries: {item id: user ids}."""
    items = cycle.items if items is None else items
    triwulan = measured_triwulan(cycle.period_kind, cycle.period_no)
    by_indikator = {i.indikator_id: i for i in items}
    rows = db.session.execute(select(Realisasi.id, Realisasi.indikator_id, Realisasi.updated_by_id).where(
        Realisasi.tenant_id == cycle.tenant_id, Realisasi.triwulan == triwulan,
        Realisasi.indikator_id.in_(by_indikator))).all() if items else []
    out = {i.id: {i.submitted_by_id} - {None} for i in items}
    row_item = {}
    for row_id, indikator_id, updated_by_id in rows:
        row_item[row_id] = by_indikator[indikator_id]
        if updated_by_id:
            out[by_indikator[indikator_id].id].add(updated_by_id)
    item_ids = {i.id for i in items}
    touched = [(AuditEvent.subject_type == "cycle_item") & (AuditEvent.action == "data.ajukan")
               & AuditEvent.subject_id.in_(item_ids),
               (AuditEvent.subject_type == "bukti_dukung") & AuditEvent.indikator_id.in_(by_indikator)
               & (AuditEvent.field == f"TW {triwulan} bukti dukung")]
    if row_item:
        touched.append((AuditEvent.subject_type == "realisasi") & AuditEvent.subject_id.in_(row_item))
    events = db.session.execute(select(AuditEvent.user_id, AuditEvent.subject_type, AuditEvent.subject_id,
                                       AuditEvent.indikator_id).where(
        AuditEvent.tenant_id == cycle.tenant_id, AuditEvent.user_id.is_not(None), or_(*touched))).all() \
        if items else []
    for user_id, subject_type, subject_id, indikator_id in events:
        if subject_type == "cycle_item":
            out[subject_id].add(user_id)
        elif subject_type == "realisasi":
            out[row_item[subject_id].id].add(user_id)
        else:
            out[by_indikator[indikator_id].id].add(user_id)
    return out


def data_review_steps(version) -> list:
    """Review steps after the first collect step review the data, in order; review steps
    before it decide on documents (an SK Tim, a format)."""
    steps = version.steps
    first_collect = next((s.position for s in steps if s.meaning == Meaning.COLLECT), None)
    if first_collect is None:
        return []
    return [s for s in steps if s.meaning == Meaning.REVIEW and s.position > first_collect]


def _may_still_act(step, opd: Tenant, unit_id: int | None, excluded: set[int]) -> bool:
    """Someone outside `excluded` holds a lane that may do this step for this unit's data."""
    kinds = step_lane_kinds(step) & kinds_with(STEP_CAPABILITY[step.meaning])
    rows = db.session.execute(
        select(Membership.user_id, Lane.kind, Membership.unit_id).join(Lane, Lane.id == Membership.lane_id)
        .where(Membership.tenant_id == opd.id, Lane.kind.in_(kinds))).all() if kinds else []
    return any(user_id not in excluded and (kind not in ENTRY_KINDS or unit == unit_id)
               for user_id, kind, unit in rows)


def strand_refusal(user, opd: Tenant, ind: Indikator, item: CycleItem | None, version) -> str | None:
    """Why the user may not enter or submit this value: afterwards nobody would be left to
    review or sign it (separation of duties), and the cycle could never end. None if fine.
    In Kota Blitar the Kabid validates his field's data, so his Staf enters it."""
    if version is None:
        return None
    excluded = (entered_by(item) if item is not None else set()) | {user.id}
    for step in data_review_steps(version) + [s for s in version.steps if s.meaning == Meaning.SIGN]:
        if not _may_still_act(step, opd, ind.unit_id, excluded):
            return (f"{ind.kode}: Anda melaksanakan langkah {step.position} ({step_lane_names(step)}) atas data ini. "
                    "Yang mengisi atau mengajukan data tidak boleh mereviu atau mengesahkannya, dan tidak ada "
                    "orang lain yang dapat melakukannya; minta Staf unit mengisi dan mengajukannya.")
    return None


def running_item(opd: Tenant, ind: Indikator, tahun: int, triwulan: int) -> CycleItem | None:
    """The item of the running cycle that measures this indicator's triwulan, if any."""
    from_cycles = db.session.scalars(
        select(CycleItem).join(Cycle, Cycle.id == CycleItem.cycle_id)
        .where(Cycle.tenant_id == opd.id, Cycle.tahun == tahun, Cycle.status == CycleStatus.BERJALAN,
               CycleItem.indikator_id == ind.id)).all()
    return next((i for i in from_cycles
                 if measured_triwulan(i.cycle.period_kind, i.cycle.period_no) == triwulan), None)


def realisasi_strand_refusal(user, opd: Tenant, ind: Indikator, period: ReportingPeriod) -> str | None:
    """strand_refusal for a save on the Realisasi page: under the running cycle's SOP, or
    the SOP in force when no cycle measures the period yet."""
    item = running_item(opd, ind, period.tahun, period.triwulan)
    version = item.cycle.sop_version if item is not None else sop_services.sop_in_force(opd)
    return strand_refusal(user, opd, ind, item, version)


def review_refusal(user, task: CycleTask, item: CycleItem, found: list[Membership], stage: int) -> str | None:
    """Why this user may not decide on this item at this review stage, or None."""
    name = item.indikator.nama
    if item.state != ItemState.DIAJUKAN or item.stage != stage - 1:
        return f"{name}: tidak menunggu reviu pada langkah ini."
    if user.id in entered_by(item):
        return f"{name}: Anda mengisi atau mengajukan data ini, jadi tidak boleh mereviunya."
    # A reviewer who reviews as a unit's Kabid/Staf reviews that unit's data only.
    if found and all(m.lane.kind in ENTRY_KINDS for m in found):
        if item.indikator.unit_id not in {m.unit_id for m in found if m.unit_id is not None}:
            return f"{name}: bukan indikator unit Anda."
    return None


def sign_refusal(user, cycle) -> str | None:
    everyone = enterers(cycle)
    own = [i.indikator.nama for i in cycle.items if user.id in everyone[i.id]]
    if own:
        return ("Anda mengisi atau mengajukan data berikut, jadi tidak boleh mengesahkannya: "
                + "; ".join(own[:5]))
    return None



def signers(task: CycleTask) -> list[str]:
    """Who may sign at this sign step now: the holders of its lanes (of the kind that
    signs) who never changed a value of the cycle (separation of duties), as
    "Nama (Lane)"; for the sign-off page to name who must sign instead."""
    kinds = step_lane_kinds(task.step) & SIGN_KINDS
    if not kinds:
        return []
    rows = db.session.execute(
        select(User.id, User.name, Lane.name).join(Membership, Membership.user_id == User.id)
        .join(Lane, Lane.id == Membership.lane_id)
        .where(Membership.tenant_id == task.cycle.tenant_id, Lane.kind.in_(kinds), User.is_active.is_(True))
        .order_by(User.name)).all()
    entered = set().union(*enterers(task.cycle).values()) if task.cycle.items else set()
    return list(dict.fromkeys(f"{name} ({lane})" for user_id, name, lane in rows if user_id not in entered))


def sign_page_refusal(user, task: CycleTask | None) -> str | None:
    """Why this user may not sign at this step, said before the form is offered (the
    sign-off refuses the same again): not a lane of the step, or separation of duties."""
    if task is None:
        return None
    instead = signers(task)
    who = ("Yang dapat mengesahkan: " + "; ".join(instead) + ".") if instead else (
        "Tidak ada orang lain yang dapat mengesahkan; hubungi admin SAKIP pemda.")
    if not may_do_step(user, task):
        return f"Pengesahan dilakukan oleh {step_lane_names(task.step)}. {who}"
    refusal = sign_refusal(user, task.cycle)
    return f"{refusal}. {who}" if refusal else None


# ---------------------------------------------------------------- drafts in exports

# Who sees the OPD's figures before its Kepala signed them (an export "with drafts"): the
# people who review, sign or plan the OPD's data as a whole (Kepala, Sekretaris,
# Perencana, Tim SAKIP) and those who oversee it from above (pemda admin, coordinator,
# who see live progress on the oversight pages anyway). A Kabid or Staf answers for his
# own unit: he sees his unit's drafts, never another field's unverified numbers, which
# would otherwise circulate as if they were the OPD's figures.
WHOLE_DRAFT_KINDS = frozenset(
    (kinds_with(Capability.REVIEW) | kinds_with(Capability.SIGN) | kinds_with(Capability.MANAGE_TENANT))
    - {k.value for k in UNIT_KINDS})


class DraftScope:
    """Whose unsigned figures a user may export: every unit's (`whole`), some units', or none."""

    def __init__(self, whole: bool, unit_ids=frozenset()):
        self.whole, self.unit_ids = whole, frozenset(unit_ids)

    @property
    def any(self) -> bool:
        return self.whole or bool(self.unit_ids)

    def covers(self, unit_id: int | None) -> bool:
        return self.whole or (unit_id is not None and unit_id in self.unit_ids)


def draft_scope(user, tenant: Tenant) -> DraftScope:
    """The drafts this user may export in this tenant (an OPD, or a pemda/province for its
    consolidated workbooks): see WHOLE_DRAFT_KINDS."""
    if user is None:
        return DraftScope(False)
    if user.is_platform_admin or Capability.OVERSEE in tenancy.capabilities(user, tenant):
        return DraftScope(True)
    held = memberships(user, tenant, frozenset(k.value for k in LaneKind))
    if any(m.lane.kind in WHOLE_DRAFT_KINDS for m in held):
        return DraftScope(True)
    return DraftScope(False, {m.unit_id for m in held if m.lane.kind in UNIT_KINDS and m.unit_id is not None})


def require_drafts(user, tenant: Tenant) -> DraftScope:
    """The user's DraftScope, or CycleRefused (403) when he may export no drafts at all."""
    scope = draft_scope(user, tenant)
    if not scope.any:
        raise CycleRefused("Peran Anda tidak berwenang mengekspor angka yang belum disahkan.")
    return scope
