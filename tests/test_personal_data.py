"""A pemda admin exports a person's data and anonymises a departed person's account
(UU 27/2022); the records the person signed or entered keep their name."""
import json

from sqlalchemy import select

from portal.auth import invitations
from portal.auth.models import LoginSession, Membership, User
from portal.extensions import db
from portal.signing.models import SignedFigure
from portal.tenancy.models import Tenant
from tests import exports_world
from tests.conftest import post, sign_in

ADMIN = "admin@mojokerto.test"


def test_export_then_anonymise_a_departed_person_keeps_what_they_signed(demo, client):
    app = demo
    with app.app_context():
        exports_world.sign_triwulan_ii()
        record = db.session.scalar(select(SignedFigure).where(SignedFigure.entered_by_name != "").limit(1))
        entered_by, signed_by = record.entered_by_name, record.signed_by_name
        person = db.session.scalar(select(User).where(User.name == entered_by))
        opd = db.session.get(Tenant, record.tenant_id)
        db.session.add(LoginSession(id="sesi-lama", user_id=person.id))
        db.session.commit()
        person_id, email, slug, record_id = person.id, person.email, opd.slug, record.id
    assert sign_in(client, ADMIN).status_code == 303
    exported = post(client, f"/t/{slug}/orang/{person_id}/data-pribadi")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    data = json.loads(exported.data)
    assert data["akun"]["email"] == email and data["peran"] and data["sesi_masuk"]
    # Still working there: refused, nothing changes.
    refused = post(client, f"/t/{slug}/orang/{person_id}/anonimkan")
    assert refused.status_code == 422 and "Nonaktifkan" in refused.get_data(as_text=True)
    assert post(client, f"/t/{slug}/orang/{person_id}/status", {"aktif": "0"}).status_code == 303
    assert post(client, f"/t/{slug}/orang/{person_id}/anonimkan").status_code == 303
    with app.app_context():
        person = db.session.get(User, person_id)
        assert (person.email, person.name, person.nip, person.jabatan, person.password_hash) == (
            f"anonim-{person_id}@dihapus.invalid", f"Mantan pegawai #{person_id}", "", "", "")
        assert db.session.scalar(select(LoginSession.id).where(LoginSession.user_id == person_id)) is None
        assert db.session.scalar(select(Membership.id).where(Membership.user_id == person_id))  # lanes history
        record = db.session.get(SignedFigure, record_id)
        assert (record.entered_by_name, record.signed_by_name) == (entered_by, signed_by)
        assert invitations.request_reset(email) is None  # the old address opens nothing
    page = client.get(f"/t/{slug}/orang/").get_data(as_text=True)
    assert email not in page and f"Mantan pegawai #{person_id}" in page
