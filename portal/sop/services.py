"""SOP versions: build from a document, read back as a document, publish, revise."""
import re
from datetime import date, datetime

from sqlalchemy import func, select

from portal import clock
from portal.audit import services as audit
from portal.auth.models import Membership, User
from portal.columns import utcnow
from portal.extensions import db
from portal.problems import Conflict, Invalid, Refused
from portal.sop.document import HEADER_FIELDS, HEADER_LISTS, LaneDoc, Meaning, SopDocument, StepDoc, publish_problems
from portal.sop.models import Sop, SopChoice, SopLane, SopStep, SopVersion, VersionStatus
from portal.tenancy.lanes import KIND_LABELS, Capability, LaneKind, Level, kinds_with
from portal.tenancy.models import Lane, Tenant


class SopError(Invalid):
    """A refused SOP operation (422 when not caught); the message is for the user
    (Bahasa Indonesia), `problems` lists what keeps a version from being published."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


def to_document(version: SopVersion) -> SopDocument:
    numbers = {step.id: step.position for step in version.steps}
    header = {key: getattr(version, key) for key in HEADER_FIELDS}
    header["disahkan_pangkat"] = header["disahkan_pangkat"] or ""
    return SopDocument(
        **header,
        lists={key: list((version.lists or {}).get(key, [])) for key, _ in HEADER_LISTS},
        lanes=[LaneDoc(lane.key, lane.name, lane.kind) for lane in version.lanes],
        steps=[
            StepDoc(
                no=step.position,
                kegiatan=step.kegiatan,
                lanes=list(step.lane_keys or []),
                symbol=step.symbol,
                meaning=step.meaning,
                kelengkapan=step.kelengkapan,
                waktu_amount=step.waktu_amount,
                waktu_unit=step.waktu_unit,
                output=step.output,
                output_wajib=step.output_wajib,
                keterangan=step.keterangan,
                return_to=numbers.get(step.return_to_id),
                repeat=step.repeat,
            )
            for step in version.steps
        ],
    )


def fill_version(version: SopVersion, doc: SopDocument) -> None:
    """Write a document's content into a (new, empty) version."""
    for key in HEADER_FIELDS:
        setattr(version, key, getattr(doc, key))
    version.lists = {key: list(doc.lists.get(key, [])) for key, _ in HEADER_LISTS}
    for position, lane in enumerate(doc.lanes, start=1):
        version.lanes.append(SopLane(tenant_id=version.tenant_id, position=position,
                                     key=lane.key, name=lane.name, kind=lane.kind))
    by_number = {}
    for position, step_doc in enumerate(doc.steps, start=1):
        step = SopStep(
            tenant_id=version.tenant_id, position=position, kegiatan=step_doc.kegiatan,
            symbol=str(step_doc.symbol), meaning=str(step_doc.meaning), kelengkapan=step_doc.kelengkapan,
            waktu_amount=step_doc.waktu_amount, waktu_unit=str(step_doc.waktu_unit), output=step_doc.output,
            output_wajib=bool(step_doc.output_wajib and step_doc.output.strip()),
            keterangan=step_doc.keterangan, lane_keys=list(step_doc.lanes), repeat=step_doc.repeat,
        )
        version.steps.append(step)
        by_number[step_doc.no] = step
    for step_doc in doc.steps:
        if step_doc.return_to is not None:
            by_number[step_doc.no].return_to = by_number.get(step_doc.return_to)


def holdable_kinds(tenant: Tenant) -> dict[str, set[str]]:
    """Lane kinds each OPD that would run an SOP of this owner can staff:
    {opd name: kinds}. A pemda SOP runs in each of its OPDs."""
    opds = [tenant] if tenant.level == Level.OPD else list(tenant.children)
    if not opds:
        return {}
    rows = db.session.execute(select(Lane.tenant_id, Lane.kind).where(Lane.tenant_id.in_([o.id for o in opds])))
    kinds: dict[int, set[str]] = {o.id: set() for o in opds}
    for tenant_id, kind in rows:
        kinds[tenant_id].add(kind)
    return {o.name: kinds[o.id] for o in opds}


SIGN_KINDS = kinds_with(Capability.SIGN)


def sign_step_problems(doc: SopDocument) -> list[str]:
    """A sign step belongs only to lanes of the kind that signs (the Kepala's): no revision
    of an SOP can hand sign-off to a Sekretaris (the cycle policy checks the same kinds)."""
    kinds = {lane.key: (lane.kind, lane.name) for lane in doc.lanes}
    out = []
    for step in doc.steps:
        if step.meaning != Meaning.SIGN:
            continue
        others = [kinds[k][1] for k in step.lanes if k in kinds and kinds[k][0] not in SIGN_KINDS]
        if others:
            out.append(f"Langkah {step.no} (pengesahan) hanya dapat dilaksanakan oleh pelaksana berjenis "
                       f"{KIND_LABELS[LaneKind.KEPALA]}, bukan {', '.join(others)}.")
    return out


def problems_for(version: SopVersion) -> list[str]:
    """Every reason this version cannot be published, across the OPDs that would run it."""
    doc = to_document(version)
    owner = version.sop.tenant
    if version.sop.is_template:
        return publish_problems(doc) + sign_step_problems(doc)
    per_opd = holdable_kinds(owner)
    problems = publish_problems(doc, None) + sign_step_problems(doc)
    if not per_opd:
        return problems
    for opd_name, kinds in per_opd.items():
        for message in publish_problems(SopDocument(nama=doc.nama, lanes=doc.lanes, steps=[]), kinds):
            if "tidak ada peran" in message:
                suffix = f" ({opd_name})" if owner.level != Level.OPD else ""
                problems.append(message + suffix)
    return list(dict.fromkeys(problems))


def publish(version: SopVersion, user_id: int | None, now: datetime | None = None) -> None:
    if version.is_published:
        raise SopError("Versi ini sudah diterbitkan dan tidak dapat diubah.")
    problems = problems_for(version)
    if problems:
        raise SopError("SOP belum dapat diterbitkan.", problems)
    version.status = VersionStatus.PUBLISHED
    version.published_at = now or utcnow()
    version.published_by_id = user_id
    sop = version.sop
    if not sop.is_template and choice_of(sop.tenant) is None:
        # A tenant's first published SOP is the one in force until someone chooses.
        _record_choice(sop.tenant, sop, user_id, now)
    if not needs_kepala(version) or user_id is None:
        # A pemda's or template SOP has no Kepala to approve it: publishing is approving.
        # A version loaded from tenants/ (no user) was approved where the files were made.
        version.approved_at, version.approved_by_id = version.published_at, user_id


def needs_kepala(version: SopVersion) -> bool:
    """An OPD's own SOP is "Disahkan oleh" its Kepala before it runs."""
    return version.sop.tenant.level == Level.OPD and not version.sop.is_template


def awaiting_kepala(version: SopVersion) -> bool:
    return version.is_published and version.approved_at is None


def approve(version: SopVersion, user, now: datetime | None = None) -> None:
    """The Kepala (the kind that signs) approves a published version of the OPD's SOP;
    recorded with the lane, like a sign-off. Until then no cycle starts under it."""
    if not version.is_published:
        raise Conflict("Versi ini belum diterbitkan; terbitkan dulu, lalu Kepala mengesahkannya.")
    if not awaiting_kepala(version):
        raise Conflict("Versi ini sudah disahkan.")
    owner = version.sop.tenant
    lanes = list(db.session.scalars(select(Lane).join(Membership, Membership.lane_id == Lane.id).where(
        Membership.user_id == user.id, Membership.tenant_id == owner.id, Lane.kind.in_(SIGN_KINDS))))
    if not lanes:
        raise Refused(f"SOP {owner.name} disahkan oleh {KIND_LABELS[LaneKind.KEPALA]} {owner.name}.")
    version.approved_at, version.approved_by_id = now or utcnow(), user.id
    audit.record(owner, user, "sop.sahkan", "sop_version", version.id, lane=", ".join(lane.name for lane in lanes),
                 new=f"{version.nama} versi {version.number}")


def blank_document(nama: str) -> SopDocument:
    """What a new SOP starts as: a name and nothing else yet."""
    return SopDocument(nama=nama)


def unique_key(tenant: Tenant, nama: str) -> str:
    """A key for a new SOP of the tenant, from its name."""
    base = re.sub(r"[^a-z0-9]+", "-", nama.lower()).strip("-")[:60] or "sop"
    taken = set(db.session.scalars(select(Sop.key).where(Sop.tenant_id == tenant.id)))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def next_number(sop: Sop) -> int:
    return (db.session.scalar(select(func.max(SopVersion.number)).where(SopVersion.sop_id == sop.id)) or 0) + 1


def new_version(sop: Sop, doc: SopDocument, user_id: int | None = None,
                based_on: SopVersion | None = None) -> SopVersion:
    version = SopVersion(tenant_id=sop.tenant_id, sop=sop, number=next_number(sop),
                         created_by_id=user_id, based_on=based_on)
    fill_version(version, doc)
    db.session.add(version)
    return version


def revise(published: SopVersion, user_id: int | None) -> SopVersion:
    """Start a new draft from a published version ("revisi")."""
    if not published.is_published:
        raise SopError("Hanya versi yang sudah terbit yang dapat direvisi.")
    existing = draft_of(published.sop)
    if existing is not None:
        raise SopError(f"Sudah ada draf revisi (versi {existing.number}); lanjutkan draf itu.")
    doc = to_document(published)
    doc.tanggal_revisi = clock.today()  # WIB: a revision at 06.00 WIB is dated today
    return new_version(published.sop, doc, user_id, based_on=published)


def draft_of(sop: Sop) -> SopVersion | None:
    return db.session.scalar(select(SopVersion).where(SopVersion.sop_id == sop.id,
                                                      SopVersion.status == VersionStatus.DRAFT))


def latest_published(sop: Sop, on: date | None = None) -> SopVersion | None:
    """The published version in force on a date (latest effective not after it)."""
    query = select(SopVersion).where(SopVersion.sop_id == sop.id, SopVersion.status == VersionStatus.PUBLISHED)
    if on is not None:
        query = query.where((SopVersion.tanggal_efektif.is_(None)) | (SopVersion.tanggal_efektif <= on))
    return db.session.scalar(query.order_by(SopVersion.number.desc()).limit(1))


def sops_of(tenant: Tenant) -> list[Sop]:
    return list(db.session.scalars(select(Sop).where(Sop.tenant_id == tenant.id).order_by(Sop.key)))


def choice_of(tenant: Tenant) -> SopChoice | None:
    return db.session.get(SopChoice, tenant.id)


def _record_choice(tenant: Tenant, sop: Sop, user_id: int | None, now: datetime | None = None) -> None:
    choice = choice_of(tenant)
    old = choice.sop_id if choice else None
    if choice is None:
        choice = SopChoice(tenant_id=tenant.id, sop_id=sop.id)
        db.session.add(choice)
    choice.sop_id, choice.chosen_by_id, choice.chosen_at = sop.id, user_id, now or utcnow()
    db.session.flush()
    old_key = db.session.get(Sop, old).key if old else ""
    audit.record(tenant, db.session.get(User, user_id) if user_id else None, "sop.berlaku", "sop", sop.id,
                 field="sop_berlaku", old=old_key, new=sop.key)


def choose_in_force(tenant: Tenant, sop: Sop, user_id: int | None, now: datetime | None = None) -> None:
    """Make a published SOP of the tenant the one its cycles start under."""
    if sop.tenant_id != tenant.id or sop.is_template:
        raise SopError("Hanya SOP milik instansi ini (bukan templat) yang dapat diberlakukan.")
    if latest_published(sop) is None:
        raise SopError("SOP ini belum memiliki versi terbit; terbitkan dulu sebelum diberlakukan.")
    _record_choice(tenant, sop, user_id, now)


def sop_in_force(opd: Tenant, on: date | None = None) -> SopVersion | None:
    """The SOP version an OPD works under: the latest published version of the SOP
    chosen for it, else of the SOP chosen for its pemda (shared by its OPDs)."""
    for owner in (opd, opd.parent):
        if owner is None:
            continue
        choice = choice_of(owner)
        if choice is not None:
            version = latest_published(choice.sop, on)
            if version is not None:
                return version
    return None
