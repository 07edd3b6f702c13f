"""Nobody sees another tenant unless a lane above it in the tree says so."""
from portal.extensions import db
from portal.tenancy import services
from portal.tenancy.lanes import Capability
from tests.conftest import sign_in
from tests.factories import PASSWORD, gen_tenant, gen_tree, gen_user, grant


def _world(app):
    with app.app_context():
        prov, pemda, opd_a, opd_b = gen_tree()
        other_prov = gen_tenant("provinsi", name="Provinsi Lain")
        other_pemda = gen_tenant("pemda", parent=other_prov, name="Kabupaten Lain")
        from portal.tenancy.models import Lane
        db.session.add(Lane(tenant=other_pemda, key="admin", name="Admin", kind="pemda_admin"))
        db.session.flush()
        gen_user("kabid.a@uji.test", tenant=opd_a, lane_kind="kabid")
        gen_user("admin.pemda@uji.test", tenant=pemda, lane_kind="pemda_admin")
        gen_user("koordinator@uji.test", tenant=prov, lane_kind="coordinator")
        two = gen_user("dua@uji.test", tenant=opd_a, lane_kind="sekretaris")
        grant(two, opd_b, "perencana")
        db.session.commit()
        return {
            "prov": prov.slug, "pemda": pemda.slug, "a": opd_a.slug, "b": opd_b.slug,
            "other_pemda": other_pemda.slug}


def test_opd_member_sees_only_own_opd(app, client):
    s = _world(app)
    sign_in(client, "kabid.a@uji.test", PASSWORD)
    assert client.get(f"/t/{s['a']}/").status_code == 200
    for foreign in ("b", "pemda", "prov", "other_pemda"):
        response = client.get(f"/t/{s[foreign]}/")
        assert response.status_code == 404, foreign
        assert "Tidak ditemukan" in response.get_data(as_text=True)


def test_unknown_tenant_and_foreign_tenant_look_the_same(app, client):
    s = _world(app)
    sign_in(client, "kabid.a@uji.test", PASSWORD)
    foreign = client.get(f"/t/{s['b']}/", headers={"HX-Request": "true"})
    missing = client.get("/t/tidak-ada/", headers={"HX-Request": "true"})
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_data() == missing.get_data()


def test_pemda_admin_sees_its_opds_not_another_pemda(app, client):
    s = _world(app)
    sign_in(client, "admin.pemda@uji.test", PASSWORD)
    for own in ("pemda", "a", "b"):
        assert client.get(f"/t/{s[own]}/").status_code == 200, own
    assert client.get(f"/t/{s['prov']}/").status_code == 404
    assert client.get(f"/t/{s['other_pemda']}/").status_code == 404


def test_coordinator_sees_pemda_of_own_province_only(app, client):
    s = _world(app)
    sign_in(client, "koordinator@uji.test", PASSWORD)
    for own in ("prov", "pemda", "a"):
        assert client.get(f"/t/{s[own]}/").status_code == 200, own
    assert client.get(f"/t/{s['other_pemda']}/").status_code == 404


def test_oversight_never_grants_entering_or_signing(app):
    _world(app)
    with app.app_context():
        from portal.auth.models import User
        from portal.tenancy.models import Tenant
        admin = db.session.query(User).filter_by(email="admin.pemda@uji.test").one()
        opd = db.session.query(Tenant).filter_by(name="Dinas A").one()
        caps = services.capabilities(admin, opd)
    assert Capability.VIEW in caps and Capability.OVERSEE in caps
    assert not caps & {Capability.ENTER_DATA, Capability.REVIEW, Capability.SIGN}


def test_capability_comes_from_lane_kind_not_name(app):
    _world(app)
    with app.app_context():
        from portal.auth.models import User
        from portal.tenancy.models import Lane, Tenant
        opd = db.session.query(Tenant).filter_by(name="Dinas A").one()
        kabid = db.session.query(User).filter_by(email="kabid.a@uji.test").one()
        before = services.capabilities(kabid, opd)
        for lane in db.session.query(Lane).filter_by(tenant_id=opd.id):
            lane.name = "Kepala Dinas" if lane.kind == "kabid" else lane.name
        db.session.flush()
        assert services.capabilities(kabid, opd) == before
        assert Capability.SIGN not in before


def test_person_with_two_tenants_gets_a_switcher(app, client):
    s = _world(app)
    sign_in(client, "dua@uji.test", PASSWORD)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Pilih instansi" in page
    assert f"/t/{s['a']}/" in page and f"/t/{s['b']}/" in page
    page_a = client.get(f"/t/{s['a']}/").get_data(as_text=True)
    assert 'data-testid="tenant-switcher"' in page_a and f"/t/{s['b']}/" in page_a
    assert client.get(f"/t/{s['b']}/").status_code == 200


def test_membership_cannot_point_at_another_tenants_lane(app):
    """The database itself refuses a membership whose lane belongs to another tenant."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from portal.auth.models import Membership
    from portal.tenancy.models import Lane, Tenant
    _world(app)
    with app.app_context():
        opd_a = db.session.query(Tenant).filter_by(name="Dinas A").one()
        opd_b = db.session.query(Tenant).filter_by(name="Dinas B").one()
        lane_b = db.session.query(Lane).filter_by(tenant_id=opd_b.id, kind="kepala").one()
        user = gen_user()
        db.session.add(Membership(user_id=user.id, tenant_id=opd_a.id, lane_id=lane_b.id))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_row_of_a_sibling_opd_is_not_found_through_an_own_url(app, client):
    """scoped_get filters by the tenant in the URL: row-level security alone would not
    stop it (a sibling OPD is in the same pemda family), nor does SQLite have any."""
    from portal.indikator.models import IndicatorSet, Sasaran
    from portal.tenancy.models import Tenant

    s = _world(app)
    with app.app_context():
        ids = {}
        for key, name in (("a", "Dinas A"), ("b", "Dinas B")):
            opd = db.session.query(Tenant).filter_by(name=name).one()
            tset = IndicatorSet(tenant_id=opd.id, tahun=2026)
            db.session.add(tset)
            db.session.flush()
            sasaran = Sasaran(tenant_id=opd.id, set_id=tset.id, kode="S1", nama=f"Sasaran {name}")
            db.session.add(sasaran)
            db.session.flush()
            ids[key] = (tset.id, sasaran.id)
        db.session.commit()
    sign_in(client, "kabid.a@uji.test", PASSWORD)
    own = client.get(f"/t/{s['a']}/indikator/{ids['a'][0]}/")
    assert own.status_code == 200 and "Sasaran Dinas A" in own.get_data(as_text=True)
    sibling = client.get(f"/t/{s['a']}/indikator/{ids['b'][0]}/")
    assert sibling.status_code == 404
    assert "Sasaran Dinas B" not in sibling.get_data(as_text=True)
    # The one person with lanes in both sees B's set only under B's address.
    other = app.test_client()
    sign_in(other, "dua@uji.test", PASSWORD)
    assert other.get(f"/t/{s['a']}/indikator/{ids['b'][0]}/").status_code == 404
    assert other.get(f"/t/{s['b']}/indikator/{ids['b'][0]}/").status_code == 200
