"""Which workbooks a tenant may export, building one, and recording that it was made.
Plain functions: tenant, user and values in."""
from dataclasses import asdict, dataclass

from portal.audit import services as audit
from portal.cycles import policy
from portal.cycles.engine import PERIOD_COUNT, period_label
from portal.cycles.policy import DraftScope
from portal.exports import consolidated, documents, figures, lkjip, official, queries, reports
from portal.jobs import services as jobs
from portal.problems import Invalid, NotFound
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    level: Level        # the tenant level it is made for
    background: bool    # too big for a request: made by a job


KINDS = {k.key: k for k in (
    Kind("formulir", "Formulir Pengukuran Kinerja", Level.OPD, False),
    Kind("pk", "Lampiran Perjanjian Kinerja", Level.OPD, False),
    Kind("lkjip", "LKjIP Bab III", Level.OPD, False),
    Kind("e81", "Evaluasi hasil Renja (E.81)", Level.OPD, False),
    Kind("pemda", "Konsolidasi pemerintah daerah", Level.PEMDA, False),
    Kind("provinsi", "Konsolidasi provinsi", Level.PROVINSI, True),
)}


@dataclass(frozen=True)
class Request:
    kind: str
    tahun: int
    period_kind: str
    period_no: int
    include_drafts: bool

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.period_no, self.tahun)


def kinds_for(tenant: Tenant) -> list[Kind]:
    return [k for k in KINDS.values() if k.level == tenant.level]


def check(tenant: Tenant, req: Request) -> Kind:
    kind = KINDS.get(req.kind)
    if kind is None or kind.level != tenant.level:
        raise NotFound("Jenis ekspor ini tidak tersedia untuk tingkat instansi ini.")
    if req.period_kind not in PERIOD_COUNT or not 1 <= req.period_no <= PERIOD_COUNT[req.period_kind]:
        raise Invalid("Periode tidak valid.")
    if not 2000 <= req.tahun <= 2100:
        raise Invalid("Tahun tidak valid.")
    return kind


def filename(tenant: Tenant, req: Request) -> str:
    kind = KINDS[req.kind]
    draft = " (DRAF)" if req.include_drafts else ""
    return f"{kind.label} - {tenant.display_name} - {req.period_label}{draft}.xlsx".replace("/", "-")


def drafts_of(user, tenant: Tenant, req: Request) -> DraftScope | None:
    """Whose drafts this export may show the user (portal.cycles.policy decides): None
    without drafts asked; refused (403) when he may export none."""
    return policy.require_drafts(user, tenant) if req.include_drafts else None


def build(tenant: Tenant, req: Request, progress=None, drafts: DraftScope | None = None) -> bytes:
    """The workbook's bytes (no audit: see record()). `drafts`: the user's DraftScope when
    drafts are asked for (the routes and the job always pass it; None: every unit)."""
    check(tenant, req)
    units = None if drafts is None or drafts.whole else drafts.unit_ids
    export = figures.gather(tenant, req.tahun, req.period_kind, req.period_no, req.include_drafts, units)
    if req.kind == "formulir":
        return official.formulir_workbook(export, documents_of(export))
    if req.kind == "pk":
        return official.pk_workbook(export, documents_of(export))
    if req.kind == "e81":
        return reports.evaluasi_renja(export)
    if req.kind == "lkjip":
        return lkjip.lkjip_bab3(export, _history(tenant, req, units))
    if req.kind == "pemda":
        return consolidated.pemda(export, documents_of(export), progress)
    return consolidated.province(export, progress)


def documents_of(export: figures.Export):
    """A function turning the export's OPDs into (OPD, its official document): who signed
    and the Kepala are read once for every OPD (a few statements, not one per OPD)."""
    def pair(opds):
        opds = list(opds)
        signers = [documents.latest_signer(o)[0] for o in opds]
        people = queries.people(signers)
        kepala = queries.kepala_of(o.id for o in opds)
        kinds = queries.pemda_kinds(o.pemda_id for o in opds)
        for opd in opds:
            yield opd, documents.document(export, opd, kinds.get(opd.pemda_id, ""), people, kepala.get(opd.id))
    return pair


def _history(tenant: Tenant, req: Request, units) -> dict:
    """Annual figures of the two years before, by indicator code, where the portal has them."""
    out = {}
    for year in (req.tahun - 2, req.tahun - 1):
        earlier = figures.gather(tenant, year, "tahunan", 1, req.include_drafts, units)
        rows = {r.ind.kode: r for opd in earlier.opds for r in opd.rows}
        if rows:
            out[year] = rows
    return out


def record(tenant: Tenant, user, req: Request, name: str, size: int | None):
    """Every export is in the audit log: who made which workbook of which period."""
    action = "ekspor.unduh" if size is not None else "ekspor.mulai"
    return audit.record(tenant, user, action, "ekspor", None, field=req.kind,
                        new=name if size is None else f"{name} ({size} bita)",
                        reason="termasuk angka draf" if req.include_drafts else "")


def start(tenant: Tenant, user, req: Request):
    """Queue a background export (the caller commits, then enqueues the job id)."""
    check(tenant, req)
    drafts_of(user, tenant, req)  # refused now rather than in the worker
    record(tenant, user, req, filename(tenant, req), None)
    return jobs.create(tenant, user, "ekspor", asdict(req), f"{KINDS[req.kind].label} · {req.period_label}"
                       + (" · dengan draf" if req.include_drafts else ""))


def direct(tenant: Tenant, user, req: Request) -> tuple[bytes, str]:
    """Build a small export now, within the request, and record it."""
    if KINDS.get(req.kind) and KINDS[req.kind].background:
        raise Invalid("Ekspor ini besar dan disusun di latar belakang.")
    data = build(tenant, req, drafts=drafts_of(user, tenant, req))
    name = filename(tenant, req)
    record(tenant, user, req, name, len(data))
    return data, name
