"""An unpublished SOP version is seen only by those who may edit it (and the head of its
tenant, who approves it before publishing): not by the OPD's other lanes, and not by
the OPDs below a pemda (page, YAML, history, list)."""
import sqlalchemy as sa

from portal.extensions import db
from portal.tenancy.models import Tenant
from tests import world as world_module
from tests.conftest import sign_in
from tests.factories import PASSWORD


def _pemda_draft(app, w) -> tuple[int, int]:
    """A pemda SOP that has only a draft (its first version, not yet published)."""
    from portal.sop import services as sop_services
    from portal.sop.document import LaneDoc, SopDocument, StepDoc
    from portal.sop.models import Sop

    with app.app_context():
        opd = db.session.scalar(sa.select(Tenant).where(Tenant.slug == w.tenant_slug))
        doc = SopDocument(nama="Rancangan SOP Pemda Rahasia", lanes=[LaneDoc("kadis", "Kepala Dinas", "kepala")],
                          steps=[StepDoc(1, "Memerintahkan", ["kadis"], "mulai", "manual", waktu_amount=1)])
        sop = Sop(tenant_id=opd.parent.id, key="rancangan")
        db.session.add(sop)
        db.session.flush()
        draft = sop_services.new_version(sop, doc)
        db.session.commit()
        return sop.id, draft.id


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 303
    return client


def test_an_opd_draft_is_seen_only_by_its_editors(app):
    w = world_module.build(app)
    base = f"/t/{w.tenant_slug}/sop"
    draft, published = w.params["version_id"], w.params["published_version_id"]
    for reader in ("kabid", "staf", "tim_sakip"):
        client = _client(app, w.emails[reader])
        assert client.get(f"{base}/versi/{draft}/").status_code == 404, reader
        assert client.get(f"{base}/versi/{draft}/berkas.yaml").status_code == 404, reader
        assert client.get(f"{base}/versi/{published}/").status_code == 200, reader
        history = client.get(f"{base}/{w.params['sop_id']}/").get_data(as_text=True)
        assert f"/versi/{draft}/" not in history and f"/versi/{published}/" in history, reader
    for editor in ("perencana", "sekretaris", "pemda_admin", "kepala"):
        client = _client(app, w.emails[editor])
        assert client.get(f"{base}/versi/{draft}/").status_code == 200, editor
        assert client.get(f"{base}/versi/{draft}/berkas.yaml").status_code == 200, editor
        assert f"/versi/{draft}/" in client.get(f"{base}/{w.params['sop_id']}/").get_data(as_text=True), editor


def test_a_pemda_draft_is_not_readable_from_its_opds(app):
    w = world_module.build(app)
    _, draft = _pemda_draft(app, w)
    base = f"/t/{w.tenant_slug}/sop"
    # Even the OPD's own SOP editors: they may edit the OPD's SOPs, not the pemda's.
    for reader in ("kabid", "perencana", "kepala"):
        client = _client(app, w.emails[reader])
        assert client.get(f"{base}/versi/{draft}/").status_code == 404, reader
        response = client.get(f"{base}/versi/{draft}/berkas.yaml")
        assert response.status_code == 404, reader
        assert "Rahasia" not in response.get_data(as_text=True)
    admin = _client(app, w.emails["pemda_admin"])
    assert admin.get(f"{base}/versi/{draft}/").status_code == 200


def test_a_draft_only_sop_is_not_listed_for_readers(app):
    w = world_module.build(app)
    from portal.sop import services as sop_services
    from portal.sop.document import LaneDoc, SopDocument, StepDoc
    from portal.sop.models import Sop

    with app.app_context():
        opd = db.session.scalar(sa.select(Tenant).where(Tenant.slug == w.tenant_slug))
        sop = Sop(tenant_id=opd.id, key="baru")
        db.session.add(sop)
        db.session.flush()
        sop_services.new_version(sop, SopDocument(
            nama="SOP Baru Belum Terbit", lanes=[LaneDoc("kadis", "Kepala Dinas", "kepala")],
            steps=[StepDoc(1, "Memerintahkan", ["kadis"], "mulai", "manual", waktu_amount=1)]))
        db.session.commit()
        sop_id = sop.id
    base = f"/t/{w.tenant_slug}/sop"
    reader = _client(app, w.emails["kabid"])
    assert "SOP Baru Belum Terbit" not in reader.get(f"{base}/").get_data(as_text=True)
    assert reader.get(f"{base}/{sop_id}/").status_code == 404
    editor = _client(app, w.emails["perencana"])
    assert "SOP Baru Belum Terbit" in editor.get(f"{base}/").get_data(as_text=True)
    assert editor.get(f"{base}/{sop_id}/").status_code == 200
