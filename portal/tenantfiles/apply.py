"""Apply a validated Bundle to the database: create what is missing, update what
differs, report both. Nothing is deleted: people and lanes added in the browser stay."""
from pathlib import Path

from sqlalchemy import select

from portal.auth.models import Membership, User
from portal.extensions import db
from portal.problems import Invalid
from portal.sop import services as sop_services
from portal.sop.models import Sop
from portal.tenancy import admin
from portal.tenancy.models import Tenant
from portal.tenantfiles import indicator_apply
from portal.tenantfiles.specs import Bundle, PersonSpec, TenantSpec


class Report:
    def __init__(self):
        self.created: list[str] = []
        self.changed: list[str] = []
        self.kept: list[str] = []   # browser edits the files would have undone

    def create(self, what: str) -> None:
        self.created.append(what)

    def change(self, what: str, field: str, old, new) -> None:
        self.changed.append(f"{what}: {field} {old!r} → {new!r}")

    def keep(self, what: str, field: str, browser, file) -> None:
        self.kept.append(f"{what}: {field} {browser!r} diubah di browser, berkas menyebut {file!r}; "
                         "nilai browser dipertahankan")

    @property
    def empty(self) -> bool:
        return not self.created and not self.changed


class ApplyError(Exception):
    pass


def _update(obj, what: str, report: Report, **values) -> None:
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            setattr(obj, field, new)
            report.change(what, field, old, new)


def apply_bundle(bundle: Bundle) -> Report:
    report = Report()
    tenants: dict[str, Tenant] = {}
    for spec in bundle.tenants:
        tenants[spec.slug] = _tenant(spec, tenants, report)
    db.session.flush()
    users: dict[str, User] = {}
    for person in bundle.platform_admins:
        _user(person, users, report, platform_admin=True)
    for spec in bundle.tenants:
        _people(spec, tenants[spec.slug], users, report)
    for spec in bundle.tenants:
        if spec.sop_path:
            _sop(spec.sop_path, bundle.sops[spec.sop_path], tenants[spec.slug], report)
        for path in spec.template_paths:
            if path in bundle.sops:
                _sop(path, bundle.sops[path], tenants[spec.slug], report, template=True)
    indicator_apply.apply_indicator_files(bundle, tenants, report)
    return report


def _find(slug: str) -> Tenant | None:
    """The tenant a file's slug names, even after its slug was renamed in the browser."""
    return (db.session.scalar(select(Tenant).where(Tenant.file_slug == slug))
            or db.session.scalar(select(Tenant).where(Tenant.slug == slug)))


def _differs(row, what: str, report: Report, **values) -> dict:
    """The values that differ from the file. A row someone edited in the browser keeps
    its values: the difference is reported (never silently undone), not applied."""
    diff = {field: new for field, new in values.items() if getattr(row, field) != new}
    if diff and row.edited_by_id is not None:
        for field, new in diff.items():
            report.keep(what, field, getattr(row, field), new)
        return {}
    for field, new in diff.items():
        report.change(what, field, getattr(row, field), new)
    return diff


def _tenant(spec: TenantSpec, tenants: dict[str, Tenant], report: Report) -> Tenant:
    tenant = _find(spec.slug)
    parent = tenants.get(spec.parent_slug) if spec.parent_slug else None
    what = f"instansi {spec.slug}"
    if tenant is None:
        try:
            tenant = admin.create_tenant(parent, None, spec.level, spec.name, spec.slug, spec.kind,
                                         spec.short_name, file_slug=spec.slug)
        except Invalid as error:
            raise ApplyError(f"{spec.file}:{spec.line}: {error.message}") from None
        report.create(f"{what} ({spec.name})")
    else:
        if tenant.level != spec.level:
            raise ApplyError(f"{spec.file}:{spec.line}: slug {spec.slug!r} sudah dipakai oleh instansi tingkat "
                             f"{tenant.level}, bukan {spec.level}")
        tenant.file_slug = tenant.file_slug or spec.slug
        diff = _differs(tenant, what, report, name=spec.name, short_name=spec.short_name, kind=spec.kind)
        if diff:
            admin.update_tenant(tenant, None, **diff)
        if tenant.parent is not parent:
            report.change(what, "induk", tenant.parent.slug if tenant.parent else None, spec.parent_slug)
            tenant.parent = parent
    existing_lanes = {lane.key: lane for lane in tenant.lanes}
    for position, lane_spec in enumerate(spec.lanes, start=1):
        lane = existing_lanes.get(lane_spec.key)
        if lane is None:
            lane = admin.create_lane(tenant, None, lane_spec.name, lane_spec.kind, key=lane_spec.key)
            report.create(f"peran {spec.slug}/{lane_spec.key} ({lane_spec.name})")
        else:
            diff = _differs(lane, f"peran {spec.slug}/{lane.key}", report, name=lane_spec.name, kind=lane_spec.kind)
            if diff:
                admin.update_lane(lane, None, diff.get("name", lane.name), diff.get("kind", lane.kind))
        lane.position = position
    existing_units = {unit.key: unit for unit in tenant.units}
    for position, unit_spec in enumerate(spec.units, start=1):
        unit = existing_units.get(unit_spec.key)
        if unit is None:
            unit = admin.create_unit(tenant, None, unit_spec.name, key=unit_spec.key)
            report.create(f"unit {spec.slug}/{unit_spec.key} ({unit_spec.name})")
        else:
            diff = _differs(unit, f"unit {spec.slug}/{unit.key}", report, name=unit_spec.name)
            if diff:
                admin.update_unit(unit, None, diff["name"])
        unit.position = position
    return tenant


def _user(person: PersonSpec, users: dict[str, User], report: Report, platform_admin: bool = False) -> User:
    if person.email in users:
        return users[person.email]
    user = db.session.scalar(select(User).where(User.email == person.email))
    if user is None:
        user = User(email=person.email, name=person.name, nip=person.nip, is_platform_admin=platform_admin)
        if person.password:
            user.set_password(person.password)
        db.session.add(user)
        report.create(f"pengguna {person.email} ({person.name})")
    else:
        # Passwords are set on creation only: a person who changed theirs keeps it.
        _update(user, f"pengguna {user.email}", report, name=person.name, nip=person.nip or user.nip)
        if platform_admin:
            _update(user, f"pengguna {user.email}", report, is_platform_admin=True)
    users[person.email] = user
    return user


def _people(spec: TenantSpec, tenant: Tenant, users: dict[str, User], report: Report) -> None:
    lanes = {lane.key: lane for lane in tenant.lanes}
    units = {unit.key: unit for unit in tenant.units}
    for person in spec.people:
        user = _user(person, users, report)
        db.session.flush()
        for grant in person.grants:
            lane = lanes[grant.lane]
            unit = units[grant.unit] if grant.unit else None
            exists = db.session.scalar(select(Membership).where(
                Membership.user_id == user.id, Membership.lane_id == lane.id,
                Membership.unit_id == (unit.id if unit else None) if unit else Membership.unit_id.is_(None)))
            if exists is None:
                db.session.add(Membership(user=user, tenant_id=tenant.id, lane_id=lane.id,
                                          unit_id=unit.id if unit else None))
                report.create(f"keanggotaan {person.email} sebagai {lane.name}"
                              + (f" ({unit.name})" if unit else "") + f" di {tenant.slug}")


def _sop(path: str, doc, owner: Tenant, report: Report, template: bool = False) -> None:
    # A template is named after its agency folder too: kota-blitar/sop/dinsos.yaml -> kota-blitar-dinsos
    parts = Path(path).parts
    key = f"{parts[-3]}-{Path(path).stem}" if template and len(parts) >= 3 else Path(path).stem
    sop = db.session.scalar(select(Sop).where(Sop.tenant_id == owner.id, Sop.key == key))
    if sop is None:
        sop = Sop(tenant_id=owner.id, key=key, is_template=template)
        db.session.add(sop)
        db.session.flush()
    latest = sop_services.latest_published(sop)
    if latest is not None and sop_services.to_document(latest) == doc:
        return
    version = sop_services.new_version(sop, doc)
    db.session.flush()
    try:
        sop_services.publish(version, None)
    except sop_services.SopError as error:
        raise ApplyError(f"{path}: " + "; ".join(error.problems or [str(error)])) from None
    if latest is None:
        report.create(f"SOP {owner.slug}/{key} versi {version.number} ({doc.nama})")
    else:
        report.changed.append(f"SOP {owner.slug}/{key}: isi berubah, diterbitkan sebagai versi {version.number}")
