"""Realisasi: the rows of the open period, who may enter them, saving with a revision check.

Who may enter is decided by portal/cycles/policy.py (the one place for who may act): a
holder of an ENTER_DATA lane (kabid, staf) for the indicator's own unit, in an open
period, while no measurement cycle locks the value (under review or signed off). The
route's rule checks the capability; may_enter() asks the policy on every save.

Concurrency: every Realisasi row has a revision. The form carries the revision it was
loaded with; the save is an UPDATE ... WHERE revision = <loaded>, so of two people
saving the same row the second one changes nothing and is told who saved what.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import problems
from portal.audit import services as audit
from portal.auth.models import Membership
from portal.capaian import plausibility
from portal.capaian import settings as capaian_settings
from portal.capaian.figures import Figures, angka, display_value, figures, predikat_scale, waktu
from portal.columns import utcnow
from portal.cycles import engine, locking, policy
from portal.cycles.models import Cycle, CycleItem, ItemState
from portal.extensions import db
from portal.indikator.models import BuktiStatus, IndicatorSet, Indikator, Realisasi, ReportingPeriod, Sasaran
from portal.indikator.queries import bukti_of_rows
from portal.numbers import TW
from portal.signing import locks
from portal.signing import queries as signed_queries
from portal.tenancy.models import Lane, Tenant, Unit

ENTRY_KINDS = sorted(policy.ENTRY_KINDS)


# -- who may enter -----------------------------------------------------------------

def realisasi_unit_ids(user, tenant: Tenant) -> set[int]:
    """Units the user enters data for in this tenant (ENTER_DATA lanes held for a unit)."""
    return policy.realisasi_unit_ids(user, tenant)


ASK = object()  # "look the lock up" (the default of may_enter and refusal)


def may_enter(unit_ids: set[int], ind: Indikator, period: ReportingPeriod, lock=ASK) -> str | None:
    """None when the user may enter this row now, else why not (Bahasa Indonesia).

    A value under review or signed off in a measurement cycle is locked (portal.signing.locks);
    `lock` passes that reason in when the caller already looked it up for many rows."""
    if lock is ASK:
        lock = locks.realisasi_block(ind.tenant_id, period.tahun, period.triwulan, ind.id)
    return policy.realisasi_refusal(unit_ids, ind, period, lock)


class Locked(problems.Conflict):
    """The value is under review or signed off: nobody may change it now (409)."""

    title = "Terkunci"


def lock_of(ind: Indikator, period: ReportingPeriod) -> str | None:
    """Why nobody may change the row now (a cycle's review or sign-off), else None."""
    return locks.realisasi_block(ind.tenant_id, period.tahun, period.triwulan, ind.id)


def refusal(user, tenant: Tenant, ind: Indikator, period: ReportingPeriod, lock=ASK) -> str | None:
    """Why this user may not change the row's value or its bukti dukung now, else None:
    may_enter, and the separation of duties (who changes a value may not review it).
    lock=None leaves out whether a cycle holds the value (save_realisasi checks that
    itself, under the cycle's lock, and answers 409)."""
    return (may_enter(realisasi_unit_ids(user, tenant), ind, period, lock)
            or policy.realisasi_strand_refusal(user, tenant, ind, period))


# -- the rows of the page -------------------------------------------------------------

@dataclass
class Row:
    ind: Indikator
    sasaran: Sasaran
    unit: Unit | None
    period: ReportingPeriod
    values: list[Realisasi | None]
    figures: Figures
    bukti: list = field(default_factory=list)
    refusal: str | None = None   # why this user may not enter the row (None: may enter)
    lock: str | None = None      # why nobody may change the value now (cycle review or sign-off)
    returned: CycleItem | None = None  # the cycle's data item when a reviewer returned it
    signed: object = None        # the SignedFigure shown instead of the live rows (a signed period)

    @property
    def current(self) -> Realisasi | None:
        return self.values[self.period.triwulan - 1]

    @property
    def plausibility_labels(self) -> list[str]:
        """The plausibility checks the enterer confirmed for the current value, in words."""
        return plausibility.labels(self.current.plausibility_flags) if self.current else []

    @property
    def predikat_levels(self) -> tuple[str, ...]:
        return predikat_scale(self.ind).levels if self.ind.jenis_target == "predikat" else ()

    @property
    def editable(self) -> bool:
        return self.refusal is None

    @property
    def active_bukti(self):
        return [b for b in self.bukti if b.status == BuktiStatus.AKTIF]

    @property
    def history_bukti(self):
        return [b for b in self.bukti if b.status != BuktiStatus.AKTIF]


def rows_for(tenant: Tenant, period: ReportingPeriod, user, only: int | None = None,
             unit_ids: set[int] | None = None) -> list[Row]:
    """The rows a user sees for a period: the indicators of the units they enter for, or every
    indicator of the year for someone who enters for no unit (read only). A fixed number
    of queries whatever the number of indicators."""
    unit_ids = realisasi_unit_ids(user, tenant) if unit_ids is None else unit_ids
    query = (select(Indikator, Sasaran).join(Sasaran, Sasaran.id == Indikator.sasaran_id)
             .join(IndicatorSet, IndicatorSet.id == Indikator.set_id)
             .where(Indikator.tenant_id == tenant.id, IndicatorSet.tahun == period.tahun)
             .options(selectinload(Indikator.unit))
             .order_by(Sasaran.position, Sasaran.id, Indikator.position, Indikator.id))
    if only is not None:
        query = query.where(Indikator.id == only)
    elif unit_ids:
        query = query.where(Indikator.unit_id.in_(unit_ids))
    pairs = db.session.execute(query).all()
    ids = [ind.id for ind, _ in pairs]
    values: dict[int, list] = {i: [None] * 4 for i in ids}
    if ids:
        for row in db.session.scalars(select(Realisasi).where(Realisasi.tenant_id == tenant.id,
                                                              Realisasi.indikator_id.in_(ids))
                                      .options(selectinload(Realisasi.updated_by))):
            values[row.indikator_id][row.triwulan - 1] = row
    bukti = bukti_of_rows(tenant.id, ids, period.triwulan)
    blocks = locks.blocks_for(tenant.id, period.tahun, period.triwulan, ids)
    returned = returned_items(tenant, period, ids)
    current_rules = capaian_settings.effective(tenant).rules
    # A signed period shows what was signed (its record), not the live rows.
    signed = signed_queries.signed_now(tenant.id, period.tahun, period.triwulan, ids)
    return [
        Row(ind, sasaran, ind.unit, period, values[ind.id],
            signed[ind.id].figures() if ind.id in signed
            else figures(ind, values[ind.id], period.triwulan, current_rules),
            bukti[ind.id], may_enter(unit_ids, ind, period, blocks.get(ind.id)), blocks.get(ind.id),
            returned.get(ind.id), signed.get(ind.id))
        for ind, sasaran in pairs
    ]


def returned_items(tenant: Tenant, period: ReportingPeriod, indikator_ids: list[int]) -> dict[int, CycleItem]:
    """The cycle items of these indicators that a reviewer returned, for the cycle that
    measures this period (one query): the Realisasi page shows the reason where the fix
    is made."""
    if not indikator_ids:
        return {}
    rows = db.session.execute(
        select(Cycle, CycleItem).join(CycleItem, CycleItem.cycle_id == Cycle.id)
        .where(Cycle.tenant_id == tenant.id, Cycle.tahun == period.tahun, CycleItem.state == ItemState.DIKEMBALIKAN,
               CycleItem.indikator_id.in_(indikator_ids))
        .options(selectinload(CycleItem.returned_by))).all()
    return {item.indikator_id: item for cycle, item in rows
            if policy.measured_triwulan(cycle.period_kind, cycle.period_no) == period.triwulan}


@dataclass
class Progress:
    """'x dari y terisi' of the rows a person enters, and what she may submit from the page."""

    filled: int
    total: int
    cycle: Cycle | None = None
    submittable: list[CycleItem] = field(default_factory=list)  # filled, not yet submitted, hers


def is_filled(row: Realisasi | None) -> bool:
    return row is not None and (row.tidak_berlaku or row.nilai is not None or bool(row.predikat))


def progress(tenant: Tenant, period: ReportingPeriod, user, rows: list[Row]) -> Progress:
    """How many of the person's rows are filled, and the items of the cycle measuring this
    period she may submit now (the cycle's own rule, cycles/policy.submit_rights)."""
    mine = [r for r in rows if r.editable or r.lock]
    filled = {r.ind.id for r in mine if is_filled(r.current)}
    out = Progress(len(filled), len(mine))
    cycles = db.session.scalars(select(Cycle).where(Cycle.tenant_id == tenant.id, Cycle.tahun == period.tahun)).all()
    cycle = next((c for c in cycles if policy.measured_triwulan(c.period_kind, c.period_no) == period.triwulan
                  and not c.locked), None)
    if cycle is None or not engine.realisasi_open(cycle):
        return out
    may_submit = policy.submit_rights(user, cycle)
    out.cycle = cycle
    out.submittable = [i for i in cycle.items if i.state in (ItemState.BELUM_DIISI, ItemState.DIKEMBALIKAN)
                       and i.indikator_id in filled and may_submit(i)]
    return out


def grouped(rows: list[Row]) -> list[tuple[Sasaran, list[Row]]]:
    """Rows by sasaran, in page order."""
    out: list[tuple[Sasaran, list[Row]]] = []
    for row in rows:
        if not out or out[-1][0].id != row.sasaran.id:
            out.append((row.sasaran, []))
        out[-1][1].append(row)
    return out


def row_for(tenant: Tenant, period: ReportingPeriod, ind: Indikator, user) -> Row:
    return rows_for(tenant, period, user, only=ind.id)[0]


# -- plausibility -------------------------------------------------------------------------

def plausibility_flags(ind: Indikator, triwulan: int, values: "RealisasiInput", typed: str,
                       revision: int) -> list[plausibility.Flag]:
    """What looks implausible in a value about to be saved: against its target, the
    previous triwulan's value and the tenant's thresholds (capaian settings). Nothing
    for a stale form: its save answers the conflict first (who saved what meanwhile)."""
    if values.tidak_berlaku or values.nilai is None:
        return []
    stored = db.session.scalar(select(Realisasi.revision).where(
        Realisasi.tenant_id == ind.tenant_id, Realisasi.indikator_id == ind.id, Realisasi.triwulan == triwulan))
    if (stored or 0) != revision:
        return []
    previous = None
    if triwulan > 1:
        previous = db.session.scalar(select(Realisasi.nilai).where(
            Realisasi.tenant_id == ind.tenant_id, Realisasi.indikator_id == ind.id, Realisasi.triwulan == triwulan - 1))
    thresholds = capaian_settings.plausibility(db.session.get(Tenant, ind.tenant_id))
    return plausibility.check(ind, triwulan, typed, values.nilai, previous, thresholds)


# -- saving a realisasi ------------------------------------------------------------------

@dataclass
class RealisasiInput:
    nilai: Decimal | None = None
    predikat: str | None = None
    pembilang: Decimal | None = None
    penyebut: Decimal | None = None
    tidak_berlaku: bool = False
    faktor_pendorong: str = ""
    faktor_penghambat: str = ""
    tindak_lanjut: str = ""
    plausibility_flags: str = ""  # the checks the enterer confirmed (plausibility.py), with her note
    plausibility_note: str = ""

    def columns(self) -> dict:
        return dict(self.__dict__)


class Conflict(problems.Conflict):
    """Someone else saved the row after this form was loaded: the stale write of
    `portal.problems.Conflict`. `save_realisasi` returns it (the view answers with the row
    again, naming the other person's value, 409); raised, errors.py answers it."""

    def __init__(self, row: Realisasi):
        who = row.updated_by.name if row.updated_by else "pengguna lain"
        super().__init__(f"Nilai ini sudah diubah oleh {who} ({display_value(row)}) pada {waktu(row.updated_at)}. "
                         "Periksa lalu simpan lagi.")
        self.row = row


def _same(row: Realisasi, columns: dict) -> bool:
    return all(getattr(row, k) == v for k, v in columns.items())


def save_realisasi(ind: Indikator, triwulan: int, user, values: RealisasiInput, revision: int) -> Realisasi | Conflict:
    """Save the realisasi if the row is still at `revision` (0: no row yet), else Conflict.
    Every changed field goes to the audit log (old → new, who, in which lane)."""
    hold(ind, triwulan)
    where = (Realisasi.tenant_id == ind.tenant_id, Realisasi.indikator_id == ind.id, Realisasi.triwulan == triwulan)
    row = db.session.scalar(select(Realisasi).where(*where))
    columns = values.columns()
    now = utcnow()
    if row is None:
        if revision != 0:
            return Conflict(Realisasi(revision=0, updated_at=now))  # pragma: no cover - rows are never deleted
        try:
            with db.session.begin_nested():
                row = Realisasi(tenant_id=ind.tenant_id, indikator_id=ind.id, triwulan=triwulan, revision=1,
                                updated_at=now, updated_by_id=user.id, **columns)
                db.session.add(row)
        except IntegrityError:  # someone inserted the row first
            return Conflict(db.session.scalar(select(Realisasi).where(*where)))
        _audit(ind, user, row, RealisasiInput().columns(), columns)
        return row
    if row.revision != revision:
        return Conflict(row)
    if _same(row, columns):
        return row
    before = {name: getattr(row, name) for name in columns}
    done = db.session.execute(
        update(Realisasi).where(Realisasi.id == row.id, Realisasi.revision == revision)
        .values(revision=revision + 1, updated_at=now, updated_by_id=user.id, **columns)
        .execution_options(synchronize_session=False))
    db.session.refresh(row)
    if done.rowcount != 1:
        return Conflict(row)
    _audit(ind, user, row, before, columns)
    return row


def hold(ind: Indikator, triwulan: int) -> None:
    """Before a value or its bukti dukung changes: serialized with the cycle's actions (a
    submission, a sign-off; portal/cycles/locking.py), then the value must not be held by
    a cycle (submitted, under review, signed), else StateChanged (409) naming who
    submitted, reviewed or signed it, and when."""
    tahun = db.session.scalar(select(IndicatorSet.tahun).where(IndicatorSet.id == ind.set_id))
    locking.lock_year(ind.tenant_id, tahun)
    block = locks.realisasi_block(ind.tenant_id, tahun, triwulan, ind.id)
    if block is None:
        return
    items = db.session.execute(
        select(Cycle, CycleItem).join(CycleItem, CycleItem.cycle_id == Cycle.id)
        .where(Cycle.tenant_id == ind.tenant_id, Cycle.tahun == tahun, CycleItem.indikator_id == ind.id)
        .order_by(Cycle.id)).all()
    measured = [(c, i) for c, i in items if policy.measured_triwulan(c.period_kind, c.period_no) == triwulan]
    if not (measured or items):
        raise locking.StateChanged(block)
    cycle, item = (measured or items)[-1]
    raise locking.changed(f"{ind.kode}: {block}", cycle, "cycle_item", item.id)


def _shown(value) -> str:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, Decimal):
        return angka(value)
    return "" if value is None else str(value)


def _audit(ind: Indikator, user, row: Realisasi, before: dict, after: dict) -> None:
    lanes = db.session.scalars(
        select(Lane.name).join(Membership, Membership.lane_id == Lane.id)
        .where(Membership.user_id == user.id, Membership.tenant_id == ind.tenant_id,
               Membership.unit_id == ind.unit_id, Lane.kind.in_(ENTRY_KINDS))).all()
    tenant = db.session.get(Tenant, ind.tenant_id)
    for name, new in after.items():
        old = before.get(name)
        if _shown(old) != _shown(new):
            audit.record(tenant, user, "realisasi.simpan", "realisasi", row.id, lane=", ".join(lanes),
                         indikator_id=ind.id, field=f"TW {TW[row.triwulan - 1]} {name}", old=_shown(old),
                         new=_shown(new))
