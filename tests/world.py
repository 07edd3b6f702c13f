"""A small world for route-level tests: one OPD with a person in every lane, the pemda
admin and coordinator above it, a foreign OPD, and sample rows for URL parameters."""
import re
from dataclasses import dataclass, field

from portal.extensions import db
from portal.tenancy.lanes import LaneKind
from tests.factories import gen_tenant, gen_tree, gen_user, grant

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class World:
    tenant_slug: str
    foreign_slug: str
    emails: dict
    params: dict = field(default_factory=dict)   # URL variable -> value in the own tenant
    # endpoint -> {URL variable: value} where a route needs another sample than params
    # (the SOP document and YAML of the PUBLISHED version: a draft is only for editors).
    endpoint_params: dict = field(default_factory=dict)

    def url_for(self, app, url_rule) -> str:
        values = {}
        special = self.endpoint_params.get(url_rule.endpoint, {})
        for name in url_rule.arguments:
            if name == "tenant_slug":
                values[name] = self.tenant_slug
            elif name in special:
                values[name] = special[name]
            elif name in self.params:
                values[name] = self.params[name]
            else:
                raise AssertionError(f"tests/world.py has no sample value for URL variable {name!r} "
                                     f"({url_rule.rule}); add one to World.params")
        with app.test_request_context():
            from flask import url_for
            return url_for(url_rule.endpoint, **values)

    @staticmethod
    def csrf(client) -> str:
        page = client.get("/", follow_redirects=True).get_data(as_text=True)
        return CSRF_META.search(page).group(1)


def _sop_samples(opd) -> dict:
    """An SOP of the OPD with a published version 1 and a draft version 2."""
    from portal.sop import services as sop_services
    from portal.sop.document import LaneDoc, SopDocument, StepDoc
    from portal.sop.models import Sop

    doc = SopDocument(
        nama="Pengukuran Kinerja",
        lanes=[LaneDoc("kadis", "Kepala Dinas", "kepala"), LaneDoc("kabid", "Kepala Bidang", "kabid")],
        steps=[
            StepDoc(1, "Memerintahkan pengukuran", ["kadis"], "mulai", "manual", waktu_amount=10),
            StepDoc(2, "Mengisi realisasi", ["kabid"], "proses", "collect", waktu_amount=2, waktu_unit="hari"),
            StepDoc(3, "Memeriksa", ["kadis"], "keputusan", "review", waktu_amount=1, waktu_unit="jam", return_to=2),
            StepDoc(4, "Menandatangani", ["kadis"], "selesai", "sign", waktu_amount=15),
        ],
    )
    sop = Sop(tenant_id=opd.id, key="pengukuran-kinerja")
    db.session.add(sop)
    db.session.flush()
    published = sop_services.new_version(sop, doc)
    db.session.flush()
    sop_services.publish(published, None)
    draft = sop_services.revise(published, None)
    db.session.flush()
    return {"sop_id": sop.id, "version_id": draft.id, "step_id": draft.steps[1].id,
            "lane_id": draft.lanes[1].id, "published_version_id": published.id}


# functions (opd) -> dict of URL params; each area adds the rows its routes need
SAMPLE_BUILDERS = [_sop_samples]


def build(app) -> World:
    with app.app_context():
        prov, pemda, opd, sibling = gen_tree()
        foreign_pemda = gen_tenant("pemda", parent=gen_tenant("provinsi"), kind="kota")
        foreign = gen_tenant("opd", parent=foreign_pemda, name="Dinas Asing")
        from portal.tenancy.models import Lane, Unit
        db.session.add(Lane(tenant=foreign, key="kabid", name="Kabid", kind="kabid"))
        db.session.add(Unit(tenant=foreign, key="b", name="Bidang"))
        db.session.flush()
        emails = {}
        for kind in LaneKind:
            if kind in (LaneKind.PEMDA_ADMIN, LaneKind.COORDINATOR):
                continue
            emails[kind.value] = gen_user(f"{kind.value}@matrix.test", tenant=opd, lane_kind=kind.value).email
        emails["pemda_admin"] = gen_user("pemda_admin@matrix.test", tenant=pemda, lane_kind="pemda_admin").email
        emails["coordinator"] = gen_user("coordinator@matrix.test", tenant=prov, lane_kind="coordinator").email
        stranger = gen_user("foreign@matrix.test")
        grant(stranger, foreign, "kabid")
        emails["foreign"] = stranger.email
        params = {}
        for builder in SAMPLE_BUILDERS:
            params.update(builder(opd))
        db.session.commit()
        published = {"version_id": params["published_version_id"]}
        return World(opd.slug, foreign.slug, emails, params,
                     endpoint_params={"sop.document": published, "sop.export": published,
                                      "exports.print_view": {"dokumen": "formulir"}})


def _indicator_samples(opd) -> dict:
    """A 2026 indicator set of the OPD: a sasaran with an indicator of the first unit
    (a value in TW I, the open period, a bukti dukung) and a program with a kegiatan."""
    from portal.indikator.models import (
        BuktiDukung,
        FileBlob,
        IndicatorSet,
        Indikator,
        ProgramKegiatan,
        Realisasi,
        ReportingPeriod,
        Sasaran,
    )

    tset = IndicatorSet(tenant_id=opd.id, tahun=2026)
    db.session.add(tset)
    db.session.flush()
    sasaran = Sasaran(tenant_id=opd.id, set_id=tset.id, kode="S1", nama="Sasaran uji")
    period = ReportingPeriod(tenant_id=opd.id, tahun=2026, triwulan=1)
    db.session.add_all([sasaran, period])
    db.session.flush()
    ind = Indikator(tenant_id=opd.id, set_id=tset.id, sasaran_id=sasaran.id, unit_id=opd.units[0].id, kode="IK-1",
                    nama="Indikator uji", satuan="%", polaritas="positif", sifat="nilai_akhir", target_pk=100,
                    target_tw1=100)
    blob = FileBlob(tenant_id=opd.id, data=b"%PDF-1.4 uji", size=12, sha256="0" * 64)
    db.session.add_all([ind, blob])
    db.session.flush()
    bukti = BuktiDukung(tenant_id=opd.id, indikator_id=ind.id, triwulan=1, blob_id=blob.id, filename="uji.pdf",
                        kind="pdf", content_type="application/pdf", size=12, sha256="0" * 64)
    program = ProgramKegiatan(tenant_id=opd.id, set_id=tset.id, level="program", kode="1.01", nama="Program uji")
    db.session.add_all([bukti, program, Realisasi(tenant_id=opd.id, indikator_id=ind.id, triwulan=1, nilai=50)])
    db.session.flush()
    db.session.add(ProgramKegiatan(tenant_id=opd.id, set_id=tset.id, level="kegiatan", kode="1.01.1",
                                   nama="Kegiatan uji", parent_id=program.id))
    db.session.flush()
    return {"set_id": tset.id, "sasaran_id": sasaran.id, "indikator_id": ind.id, "periode_id": period.id,
            "bukti_id": bukti.id, "program_id": program.id}


SAMPLE_BUILDERS.append(_indicator_samples)


def _cycle_samples(opd) -> dict:
    """A TW I 2026 cycle of the OPD (under the published SOP of _sop_samples), its first
    task done with an output document."""
    from portal.cycles import engine
    from portal.cycles.outputs import store_output

    head = next(m.user for m in _memberships(opd) if m.lane.kind == "kepala")
    cycle = engine.start_cycle(opd, 2026, "triwulan", 1, head)
    first = cycle.tasks[0]
    engine.mark_done(first, head, output=store_output(opd, "disposisi.pdf", b"%PDF-1.4 uji", 10**6))
    db.session.flush()
    return {"cycle_id": cycle.id, "task_id": first.id, "item_id": cycle.items[0].id}


def _memberships(opd):
    from portal.auth.models import Membership
    return db.session.scalars(db.select(Membership).where(Membership.tenant_id == opd.id)).all()


SAMPLE_BUILDERS.append(_cycle_samples)


def _calendar_samples(opd) -> dict:
    """A local day off kept by the OPD itself (removable on its page)."""
    from datetime import date

    from portal.calendar.models import HariLibur

    row = HariLibur(tenant_id=opd.id, tanggal=date(2026, 11, 12), nama="Hari libur uji", jenis="libur_daerah")
    db.session.add(row)
    db.session.flush()
    return {"libur_id": row.id}


SAMPLE_BUILDERS.append(_calendar_samples)


def _reference_samples(opd) -> dict:
    """A province indicator reference (IKK code) linked to the OPD's sample indicator."""
    from portal.indikator.models import Indikator
    from portal.oversight.models import IndicatorLink, IndicatorReference

    province = opd.parent.parent
    ref = IndicatorReference(tenant_id=province.id, kode="IKK 1.01", nama="Indikator rujukan uji", satuan="%")
    db.session.add(ref)
    db.session.flush()
    ind = db.session.scalar(db.select(Indikator).where(Indikator.tenant_id == opd.id))
    db.session.add(IndicatorLink(province_id=province.id, reference_id=ref.id, tenant_id=opd.id, indikator_id=ind.id))
    db.session.flush()
    return {"ref_id": ref.id}


SAMPLE_BUILDERS.append(_reference_samples)


def _onboarding_samples(opd) -> dict:
    """A unit, a lane and a person (the staf) of the OPD, and a token that opens nothing."""
    staf = next(m.user for m in _memberships(opd) if m.lane.kind == "staf")
    return {"unit_id": opd.units[0].id, "peran_id": opd.lanes[0].id, "user_id": staf.id,
            "token": "tidak-berlaku"}


SAMPLE_BUILDERS.append(_onboarding_samples)


def _invitation_samples(opd) -> dict:
    """An open invitation to join the OPD (as the people page lists it)."""
    from datetime import timedelta

    from portal.auth.invitation_models import JoinInvitation
    from portal.columns import utcnow

    staf = next(lane for lane in opd.lanes if lane.kind == "staf")
    invitation = JoinInvitation(tenant_id=opd.id, email="diundang@matrix.test", nama="Orang Diundang",
                                grants=[[staf.id, opd.units[0].id]], token_hash="0" * 64,
                                expires_at=utcnow() + timedelta(hours=72))
    db.session.add(invitation)
    db.session.flush()
    return {"invitation_id": invitation.id}


SAMPLE_BUILDERS.append(_invitation_samples)


def _job_samples(opd) -> dict:
    """A finished export job of the OPD (its result in the row)."""
    from portal.jobs.models import Job

    job = Job(tenant_id=opd.id, kind="ekspor", params={}, title="Ekspor uji", status="selesai", progress=100,
              filename="uji.xlsx", result=b"PK-uji", result_size=6)
    db.session.add(job)
    db.session.flush()
    return {"job_id": job.id}


SAMPLE_BUILDERS.append(_job_samples)
