"""SOP files and the template library: export, import (validated, all or nothing), clone."""
import io

from sqlalchemy import func, select
from sqlalchemy import select as sa_select

from portal.extensions import db
from portal.sop.models import Sop, SopVersion
from tests.conftest import post, sign_in

COORDINATOR = "koordinator@jatim.test"
PERENCANA = "perencana@dinkes.mojokerto.test"


def _counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Sop)),
                db.session.scalar(select(func.count()).select_from(SopVersion)))


def _version_id(app, tenant_slug, key):
    from portal.tenancy.models import Tenant
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
        sop = db.session.scalar(select(Sop).where(Sop.tenant_id == tenant.id, Sop.key == key))
        return sop.versions[-1].id


def test_export_then_import_elsewhere_gives_the_same_sop(demo, client):
    app = demo
    sign_in(client, PERENCANA)
    version_id = _version_id(app, "kab-mojokerto-dinkes", "dinkes")
    exported = client.get(f"/t/kab-mojokerto-dinkes/sop/versi/{version_id}/berkas.yaml")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].startswith('attachment; filename="sop-dinkes-versi-1.yaml"')
    response = post(client, "/t/kab-mojokerto-dinkes/sop/impor",
                    {"berkas": (io.BytesIO(exported.data), "dinkes.yaml")}, content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"].endswith("/ubah")
    from portal.sop import services
    with app.app_context():
        new_id = int(response.headers["Location"].split("/versi/")[1].split("/")[0])
        original = services.to_document(db.session.get(SopVersion, version_id))
        imported = services.to_document(db.session.get(SopVersion, new_id))
        assert imported == original
        assert db.session.get(SopVersion, new_id).status == "draft"
        from portal.audit.models import AuditEvent
        event = db.session.scalar(sa_select(AuditEvent).where(AuditEvent.action == "sop.impor"))
        assert event is not None and event.subject_id == new_id and "berkas YAML" in event.new_value


def test_bad_import_lists_problems_with_lines_and_changes_nothing(demo, client):
    app = demo
    sign_in(client, PERENCANA)
    before = _counts(app)
    bad = (b"sop:\n  nama: Uji\n  lanes:\n    - {key: a, name: A, kind: kepala}\n  steps:\n"
           b"    - {no: 1, kegiatan: Mulai, lanes: [a], symbol: mulai, meaning: manual, waktu: {amount: 1, unit: minggu}}\n")
    response = post(client, "/t/kab-mojokerto-dinkes/sop/impor", {"berkas": (io.BytesIO(bad), "uji.yaml")},
                    content_type="multipart/form-data")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "uji.yaml:6: sop.steps[1].waktu.unit: &#39;minggu&#39; tidak dikenal" in text
    not_yaml = post(client, "/t/kab-mojokerto-dinkes/sop/impor", {"berkas": (io.BytesIO(b"\xff\xfe\x00"), "x.yaml")},
                    content_type="multipart/form-data")
    assert not_yaml.status_code == 422 and "bukan teks UTF-8" in not_yaml.get_data(as_text=True)
    assert _counts(app) == before


def test_import_into_agency_that_cannot_staff_a_lane_is_refused(demo, client):
    app = demo
    sign_in(client, "perencana@dinsos.blitar.test")
    version_id = _version_id(app, "jawa-timur", "kabupaten-mojokerto-dinkes")  # has Tim SAKIP and Staf lanes
    sign_in(client, COORDINATOR)
    data = client.get(f"/t/jawa-timur/sop/versi/{version_id}/berkas.yaml").data
    sign_in(client, "perencana@dinsos.blitar.test")
    before = _counts(app)
    response = post(client, "/t/kota-blitar-dinsos/sop/impor", {"berkas": (io.BytesIO(data), "dinkes.yaml")},
                    content_type="multipart/form-data")
    assert response.status_code == 422
    assert "tidak ada peran jenis &#39;tim_sakip&#39;" in response.get_data(as_text=True)
    assert _counts(app) == before


def test_coordinator_clones_a_template_into_a_pemda(demo, client):
    app = demo
    sign_in(client, COORDINATOR)
    page = client.get("/t/jawa-timur/sop/").get_data(as_text=True)
    assert page.count("Salin sebagai draf") == 4
    from portal.tenancy.models import Tenant
    with app.app_context():
        template = db.session.scalar(select(Sop).join(Tenant).where(
            Tenant.slug == "jawa-timur", Sop.key == "kota-pasuruan-perwali-31-2022"))
        template_id, steps = template.id, len(template.versions[-1].steps)
    response = post(client, f"/t/jawa-timur/sop/{template_id}/salin", {"tujuan": "kabupaten-mojokerto"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/t/kabupaten-mojokerto/sop/versi/")
    with app.app_context():
        new_id = int(response.headers["Location"].split("/versi/")[1].split("/")[0])
        clone = db.session.get(SopVersion, new_id)
        assert clone.status == "draft" and len(clone.steps) == steps
        assert clone.sop.tenant.slug == "kabupaten-mojokerto"


def test_clone_into_a_foreign_province_is_refused(demo, client):
    app = demo
    sign_in(client, COORDINATOR)
    template_id = _version_id(app, "jawa-timur", "kota-blitar-dinsos")
    with app.app_context():
        template_id = db.session.get(SopVersion, template_id).sop_id
    before = _counts(app)
    response = post(client, f"/t/jawa-timur/sop/{template_id}/salin", {"tujuan": "kabupaten-contoh"})
    assert response.status_code == 422
    assert _counts(app) == before


def test_opd_of_pasuruan_reads_the_shared_pemda_sop(demo, client):
    sign_in(client, "kepala@dinkes.pasuruan.test")
    page = client.get("/t/kota-pasuruan-dinkes/sop/").get_data(as_text=True)
    assert "milik Pemerintah Kota Pasuruan" in page
