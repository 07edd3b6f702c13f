"""The coordinator's SOP library (templates on the province), cloning, import and export."""
from sqlalchemy import select

from portal.audit import services as audit
from portal.extensions import db
from portal.marked_yaml import Problem
from portal.sop import files, services
from portal.sop.document import SopDocument, publish_problems
from portal.sop.models import Sop, SopVersion
from portal.tenancy import services as tenancy
from portal.tenancy.lanes import Capability, Level
from portal.tenancy.models import Tenant

MAX_IMPORT_BYTES = 512 * 1024


class ImportRefused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def templates_of(province: Tenant) -> list[Sop]:
    return list(db.session.scalars(
        select(Sop).where(Sop.tenant_id == province.id, Sop.is_template.is_(True)).order_by(Sop.key)))


def clone_targets(user, province: Tenant) -> list[Tenant]:
    """Pemda and OPDs below the province where the user may manage SOPs."""
    out = []
    for pemda in province.children:
        for tenant in [pemda, *pemda.children]:
            if Capability.MANAGE_SOP in tenancy.capabilities(user, tenant):
                out.append(tenant)
    return out


def clone(template: Sop, target: Tenant, user) -> SopVersion:
    """Copy a template's latest published version into the target as a new draft SOP."""
    source = services.latest_published(template)
    if source is None:
        raise services.SopError("Templat ini belum memiliki versi terbit.")
    doc = services.to_document(source)
    sop = Sop(tenant_id=target.id, key=services.unique_key(target, doc.nama))
    db.session.add(sop)
    db.session.flush()
    return services.new_version(sop, doc, user.id if user else None, based_on=None)


def export_yaml(version: SopVersion) -> bytes:
    return files.to_yaml(services.to_document(version)).encode("utf-8")


def _holdable_problems(doc: SopDocument, tenant: Tenant) -> list[str]:
    if tenant.level == Level.PROVINSI:
        return []
    problems = []
    for opd_name, kinds in services.holdable_kinds(tenant).items():
        for message in publish_problems(SopDocument(nama=doc.nama, lanes=doc.lanes), kinds):
            if "tidak ada peran" in message:
                problems.append(message + (f" ({opd_name})" if tenant.level != Level.OPD else ""))
    return problems


def import_file(tenant: Tenant, filename: str, data: bytes, user) -> SopVersion:
    """Validate an SOP file as publishing would, then keep it as a new draft (a template
    when imported into a province). On any problem nothing is created."""
    return import_document(tenant, read_file(filename, data), user)


def read_file(filename: str, data: bytes) -> SopDocument:
    """The SOP document of an uploaded file (no database access: a view parses it
    before it takes the write lock), or ImportRefused."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused([f"Berkas terlalu besar (maksimal {MAX_IMPORT_BYTES // 1024} KB)."])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportRefused(["Berkas bukan teks UTF-8 (format YAML SOP)."]) from None
    problems: list[Problem] = []
    doc = files.read_sop_text(text, filename or "berkas", problems)
    if doc is None:
        raise ImportRefused([str(p) for p in problems] or ["Berkas SOP tidak dapat dibaca."])
    return doc


def import_document(tenant: Tenant, doc: SopDocument, user) -> SopVersion:
    holdable = _holdable_problems(doc, tenant)
    if holdable:
        raise ImportRefused(holdable)
    sop = Sop(tenant_id=tenant.id, key=services.unique_key(tenant, doc.nama),
              is_template=tenant.level == Level.PROVINSI)
    db.session.add(sop)
    db.session.flush()
    version = services.new_version(sop, doc, user.id if user else None)
    db.session.flush()
    audit.record(tenant, user, "sop.impor", "sop_version", version.id,
                 new=f"{doc.nama}: {len(doc.lanes)} pelaksana, {len(doc.steps)} langkah (berkas YAML)")
    return version
