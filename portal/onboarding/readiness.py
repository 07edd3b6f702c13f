"""Is an OPD ready to measure? The checklist of what a cycle needs, each missing item
with the page that fixes it. A cycle does not start while a blocking item is missing."""
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.auth.invitation_models import JoinInvitation
from portal.auth.models import Membership, User
from portal.extensions import db
from portal.indikator.models import IndicatorSet, Indikator
from portal.indikator.services import has_pk_target
from portal.problems import Invalid
from portal.sop import services as sop_services
from portal.tenancy.lanes import KIND_LABELS, Capability, LaneKind, Level, kinds_with
from portal.tenancy.models import Lane, Tenant, Unit

ENTER_KINDS = kinds_with(Capability.ENTER_DATA)


@dataclass
class Item:
    key: str
    label: str
    ok: bool
    blocking: bool = True
    missing: list[str] = field(default_factory=list)
    endpoint: str = ""        # the page that fixes it (url_for endpoint within the OPD)
    values: dict = field(default_factory=dict)


@dataclass
class Readiness:
    tenant: Tenant
    tahun: int
    items: list[Item]

    @property
    def complete(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def blocking(self) -> list[Item]:
        return [item for item in self.items if item.blocking and not item.ok]


def _holders(opd: Tenant) -> list[tuple[str, int | None]]:
    """(lane kind, unit id) of every active person's lane in the OPD."""
    return list(db.session.execute(
        select(Lane.kind, Membership.unit_id).join(Membership, Membership.lane_id == Lane.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == opd.id, User.is_active.is_(True))))


def check(opd: Tenant, tahun: int) -> Readiness:
    items = []
    if not opd.is_active:
        items.append(Item("active", "Perangkat daerah aktif", False, missing=["instansi ini dinonaktifkan"],
                          endpoint="onboarding.manage"))
    version = sop_services.sop_in_force(opd)
    items.append(Item("sop", "SOP Pengukuran Kinerja yang berlaku sudah terbit", version is not None,
                      missing=[] if version else ["belum ada SOP terbit yang diberlakukan"], endpoint="sop.index"))
    if version is not None and sop_services.awaiting_kepala(version):
        items.append(Item("sop_approved", "SOP yang berlaku sudah disahkan oleh Kepala", False,
                          missing=[f"{version.nama} versi {version.number} menunggu pengesahan Kepala"],
                          endpoint="sop.index"))
    holders = _holders(opd)
    held_kinds = {kind for kind, _ in holders}
    if version is not None:
        unheld = [f"{lane.name} ({KIND_LABELS[LaneKind(lane.kind)]})" for lane in version.lanes
                  if lane.kind not in held_kinds]
        items.append(Item("lanes", "Setiap pelaksana SOP dipegang oleh orang yang aktif", not unheld,
                          missing=unheld, endpoint="onboarding.people"))
    tset = db.session.scalar(select(IndicatorSet).where(IndicatorSet.tenant_id == opd.id,
                                                        IndicatorSet.tahun == tahun))
    indikators = list(db.session.scalars(select(Indikator).where(Indikator.set_id == tset.id))) if tset else []
    no_target = [ind.kode for ind in indikators if not has_pk_target(ind)]
    set_missing = ([f"belum ada indikator kinerja tahun {tahun}"] if not indikators else
                   [f"indikator {', '.join(no_target)} belum memiliki target PK"] if no_target else [])
    items.append(Item("indicators", f"Indikator kinerja tahun {tahun} dengan target PK", not set_missing,
                      missing=set_missing, endpoint="indikator.index"))
    entering_units = {unit_id for kind, unit_id in holders if kind in ENTER_KINDS and unit_id is not None}
    unit_ids = {ind.unit_id for ind in indikators if ind.unit_id is not None}
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    unentered = [units[i].name for i in sorted(unit_ids - entering_units)]
    items.append(Item("entry", "Setiap unit yang memiliki indikator punya pengisi realisasi", not unentered,
                      missing=unentered, endpoint="onboarding.people"))
    pending = list(db.session.scalars(
        select(User.name).join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == opd.id, User.is_active.is_(True), User.password_hash == "").distinct()))
    pending += [f"{inv.nama} (undangan belum diterima)" for inv in db.session.scalars(select(JoinInvitation).where(
        JoinInvitation.tenant_id == opd.id, JoinInvitation.accepted_at.is_(None), JoinInvitation.ended_at.is_(None)))]
    items.append(Item("accounts", "Semua orang sudah menerima undangan dan membuat kata sandi", not pending,
                      blocking=False, missing=sorted(pending), endpoint="onboarding.people"))
    return Readiness(opd, tahun, items)


def require_ready(opd: Tenant, tahun: int) -> None:
    """Raise Invalid naming every blocking item that is missing (the cycle start path)."""
    blocking = check(opd, tahun).blocking
    if blocking:
        raise Invalid("Siklus belum dapat dimulai: " + "; ".join(
            f"{item.label.lower()}: {', '.join(item.missing)}" for item in blocking) + ".")


def overview(tenant: Tenant, tahun: int) -> list[Readiness]:
    """Each active OPD below a pemda or province, for the at-a-glance table."""
    if tenant.level == Level.OPD:
        return [check(tenant, tahun)]
    pemdas = [tenant] if tenant.level == Level.PEMDA else [p for p in tenant.children if p.is_active]
    return [check(opd, tahun) for pemda in pemdas for opd in pemda.children if opd.is_active]
