"""Building the tenant tree: provinces, pemda, OPDs, units and lanes.

The one write path: the browser pages and the tenants/ loader both call these. `actor`
is the person acting in the browser, or None for the loader; a row someone changed in
the browser is marked (edited_by_id) so that the loader never silently undoes it.
Every change is audited. Nothing that may carry data is deleted, only deactivated.
"""
import re

from sqlalchemy import func, select

from portal import rls
from portal.audit import services as audit
from portal.auth.models import Membership
from portal.extensions import db
from portal.problems import Invalid, Refused
from portal.tenancy.lanes import KIND_LABELS, KIND_LEVEL, PARENT_LEVEL, PRIVILEGED_KINDS, LaneKind, Level
from portal.tenancy.models import Lane, Tenant, Unit
from portal.tenancy.services import administers_from_above

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PEMDA_KINDS = {"kabupaten": "Kabupaten", "kota": "Kota", "placeholder": "Contoh (bukan daerah nyata)"}


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:80]


def _name(name: str, label: str = "Nama") -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid(f"{label} wajib diisi.")
    if len(name) > 200:
        raise Invalid(f"{label} paling panjang 200 karakter.")
    return name


def _slug(slug: str, tenant: Tenant | None = None) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG.match(slug) or len(slug) > 80:
        raise Invalid(f"Slug {slug!r} tidak valid: gunakan huruf kecil, angka dan tanda hubung "
                      "(contoh: dinas-kesehatan).")
    with rls.across_tenants():  # slugs are one namespace for every tenant
        other = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if other is not None and other is not tenant:
        raise Invalid(f"Slug {slug!r} sudah dipakai oleh {other.name}.")
    return slug


def _mark(row, actor) -> None:
    if actor is not None:
        row.edited_by_id = actor.id


# ---------------------------------------------------------------- tenants

def create_tenant(parent: Tenant | None, actor, level: Level | str, name: str, slug: str = "", kind: str = "",
                  short_name: str = "", file_slug: str | None = None) -> Tenant:
    level = Level(level)
    if level == Level.PROVINSI:
        if parent is not None:
            raise Invalid("Provinsi tidak memiliki induk.")
        if actor is not None and not actor.is_platform_admin:
            raise Refused("Hanya admin platform yang dapat membuat provinsi.")
    elif parent is None or parent.level != PARENT_LEVEL[level]:
        raise Invalid(f"{level.value.upper()} harus dibuat di bawah {PARENT_LEVEL[level].value}.")
    if parent is not None and not parent.is_active:
        raise Invalid(f"{parent.name} sudah dinonaktifkan; aktifkan dulu sebelum menambah di bawahnya.")
    name = _name(name)
    kind = (kind or "").strip()
    if level == Level.PEMDA and kind not in PEMDA_KINDS:
        raise Invalid("Jenis pemerintah daerah harus kabupaten atau kota.")
    slug = _slug(slug or slugify(name))
    # The new tenant joins the request's scope before it is written: its row and its
    # audit entry lie outside any scope the access check could have given (PostgreSQL).
    tenant = Tenant(id=rls.new_tenant_id(), level=level.value, parent=parent, name=name, slug=slug,
                    kind=kind[:30], short_name=(short_name or "").strip()[:60], file_slug=file_slug)
    _mark(tenant, actor)
    db.session.add(tenant)
    db.session.flush()
    audit.record(tenant, actor, "instansi.buat", "tenant", tenant.id,
                 new=f"{tenant.level_label}: {name} ({tenant.slug})")
    return tenant


def update_tenant(tenant: Tenant, actor, **values) -> list[str]:
    """Change name, short name, slug or kind; returns the fields that changed."""
    clean = {}
    if "name" in values:
        clean["name"] = _name(values["name"])
    if "short_name" in values:
        clean["short_name"] = (values["short_name"] or "").strip()[:60]
    if "slug" in values:
        clean["slug"] = _slug(values["slug"], tenant)
    if "kind" in values:
        kind = (values["kind"] or "").strip()
        if tenant.level == Level.PEMDA and kind not in PEMDA_KINDS:
            raise Invalid("Jenis pemerintah daerah harus kabupaten atau kota.")
        clean["kind"] = kind[:30]
    changed = []
    for field, new in clean.items():
        old = getattr(tenant, field)
        if old != new:
            setattr(tenant, field, new)
            audit.record(tenant, actor, "instansi.ubah", "tenant", tenant.id, field=field, old=old, new=new)
            changed.append(field)
    if changed:
        _mark(tenant, actor)
    return changed


def set_tenant_active(tenant: Tenant, actor, active: bool) -> None:
    """Deactivate (or reactivate) a tenant; its data stays. A tenant with active
    tenants below it cannot be deactivated first."""
    if tenant.is_active == active:
        return
    if not active and any(child.is_active for child in tenant.children):
        raise Invalid(f"{tenant.name} masih memiliki instansi aktif di bawahnya; nonaktifkan itu lebih dulu.")
    if active and tenant.parent is not None and not tenant.parent.is_active:
        raise Invalid(f"Induknya ({tenant.parent.name}) nonaktif; aktifkan induknya lebih dulu.")
    tenant.is_active = active
    _mark(tenant, actor)
    audit.record(tenant, actor, "instansi.aktif" if active else "instansi.nonaktif", "tenant", tenant.id,
                 field="is_active", old=not active, new=active)


def provinces() -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).where(Tenant.level == Level.PROVINSI).order_by(Tenant.name)))


# ---------------------------------------------------------------- units

def _unit_key(tenant: Tenant, name: str) -> str:
    base = slugify(name)[:50] or "unit"
    taken = {u.key for u in tenant.units}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def create_unit(tenant: Tenant, actor, name: str, key: str = "") -> Unit:
    if tenant.level != Level.OPD:
        raise Invalid("Unit kerja hanya ada di perangkat daerah.")
    name = _name(name, "Nama unit")
    if any(u.name.lower() == name.lower() for u in tenant.units if u.is_active):
        raise Invalid(f"Unit {name!r} sudah ada.")
    position = (db.session.scalar(select(func.max(Unit.position)).where(Unit.tenant_id == tenant.id)) or 0) + 1
    unit = Unit(tenant=tenant, key=key or _unit_key(tenant, name), name=name, position=position)
    _mark(unit, actor)
    db.session.add(unit)
    db.session.flush()
    audit.record(tenant, actor, "unit.buat", "unit", unit.id, new=name)
    return unit


def update_unit(unit: Unit, actor, name: str) -> None:
    name = _name(name, "Nama unit")
    if unit.name != name:
        audit.record(unit.tenant, actor, "unit.ubah", "unit", unit.id, field="name", old=unit.name, new=name)
        unit.name = name
        _mark(unit, actor)


def set_unit_active(unit: Unit, actor, active: bool) -> None:
    if unit.is_active != active:
        unit.is_active = active
        _mark(unit, actor)
        audit.record(unit.tenant, actor, "unit.aktif" if active else "unit.nonaktif", "unit", unit.id,
                     field="is_active", old=not active, new=active)


# ---------------------------------------------------------------- lanes

def lane_kinds_for(tenant: Tenant) -> list[tuple[str, str]]:
    return [(k.value, KIND_LABELS[k]) for k in LaneKind if KIND_LEVEL[k] == Level(tenant.level)]


def _privileged_kind_refusal(tenant: Tenant, actor, kinds) -> None:
    """Making a lane of a kind that signs or administers, or changing a lane into or out
    of such a kind, is for an administrator above the tenant: otherwise a Perencana could
    make (or turn a lane into) a Kepala. Checked here, in the services every route and
    the loader call, so no route can forget it."""
    if set(kinds) & PRIVILEGED_KINDS and not administers_from_above(actor, tenant):
        raise Refused("Peran yang menandatangani atau mengelola instansi (misalnya Kepala) hanya dapat dibuat "
                      "atau diubah jenisnya oleh admin pemda atau koordinator provinsi.")


def create_lane(tenant: Tenant, actor, name: str, kind: str, key: str = "") -> Lane:
    name = _name(name, "Nama peran")
    if kind not in dict(lane_kinds_for(tenant)):
        raise Invalid(f"Jenis peran {kind!r} tidak dapat dipakai di {tenant.level_label.lower()}.")
    _privileged_kind_refusal(tenant, actor, {kind})
    if any(lane.name.lower() == name.lower() for lane in tenant.lanes):
        raise Invalid(f"Peran {name!r} sudah ada.")
    key = key or slugify(name)[:50] or kind
    taken = {lane.key for lane in tenant.lanes}
    base, n = key, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    position = (db.session.scalar(select(func.max(Lane.position)).where(Lane.tenant_id == tenant.id)) or 0) + 1
    lane = Lane(tenant=tenant, key=key, name=name, kind=kind, position=position)
    _mark(lane, actor)
    db.session.add(lane)
    db.session.flush()
    audit.record(tenant, actor, "peran.buat", "lane", lane.id, new=f"{name} ({KIND_LABELS[LaneKind(kind)]})")
    return lane


def update_lane(lane: Lane, actor, name: str, kind: str) -> None:
    name = _name(name, "Nama peran")
    if kind not in dict(lane_kinds_for(lane.tenant)):
        raise Invalid(f"Jenis peran {kind!r} tidak dapat dipakai di sini.")
    if kind != lane.kind:
        _privileged_kind_refusal(lane.tenant, actor, {kind, lane.kind})
        if actor is not None and db.session.scalar(select(Membership.id).where(
                Membership.lane_id == lane.id, Membership.user_id == actor.id).limit(1)):
            raise Refused("Anda tidak dapat mengubah jenis peran yang Anda pegang sendiri; minta admin lain.")
    for field, new in (("name", name), ("kind", kind)):
        old = getattr(lane, field)
        if old != new:
            audit.record(lane.tenant, actor, "peran.ubah", "lane", lane.id, field=field, old=old, new=new)
            setattr(lane, field, new)
            _mark(lane, actor)


def lanes_from_sop(tenant: Tenant, actor, version) -> tuple[list[Lane], list[str]]:
    """Create the tenant's lanes an SOP names but the tenant lacks; returns those made
    and the names of those left to an administrator above (a Kepala lane, when the actor
    is the OPD's own Perencana). Permissions follow the kind, so a kind the tenant
    already has counts as held: its 'Kadis' (kepala) stands for the SOP's 'Kepala Dinas'."""
    names = {lane.name.lower() for lane in tenant.lanes}
    kinds = {lane.kind for lane in tenant.lanes}
    made, left = [], []
    from_above = administers_from_above(actor, tenant)
    for sop_lane in version.lanes:
        if (sop_lane.name.lower() in names or sop_lane.kind in kinds
                or sop_lane.kind not in dict(lane_kinds_for(tenant))):
            continue
        if sop_lane.kind in PRIVILEGED_KINDS and not from_above:
            left.append(sop_lane.name)
            continue
        kinds.add(sop_lane.kind)
        made.append(create_lane(tenant, actor, sop_lane.name, sop_lane.kind, key=sop_lane.key))
        names.add(sop_lane.name.lower())
    return made, left
