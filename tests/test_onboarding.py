"""Onboarding services and pages: the tenant tree, people and sheets, invitations over a
real local SMTP server, the readiness checklist, the SOP in force, the loader keeping
browser edits."""
import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth import invitations
from portal.auth.models import LoginSession, User
from portal.auth.services import user_for_session
from portal.extensions import db
from portal.onboarding import people, readiness
from portal.onboarding.nip import nip_problem
from portal.problems import Invalid, Refused
from portal.sop import services as sop_services
from portal.tenancy import admin
from portal.tenancy.models import Lane, Tenant
from tests.conftest import post, sign_in
from tests.factories import PASSWORD, gen_tree, gen_user

JOIN_LINK = __import__("re").compile(r"https?://\S+/gabung/[A-Za-z0-9_-]+")


@pytest.fixture
def app_config(smtp):
    return smtp.config()


# ---------------------------------------------------------------- NIP (pure)

@pytest.mark.parametrize("nip, problem", [
    ("198503152010011002", None),
    ("19850315 201001 1 002", None),
    ("19850315201001100", "18 angka"),
    ("198502302010011002", "tanggal lahir"),
    ("198503152010131002", "bulan TMT"),
    ("198503152099011002", "belum terjadi"),
    ("198503151995011002", "terlalu dekat"),
    ("198503152010013002", "jenis kelamin"),
])
def test_nip_is_checked_digit_by_digit(nip, problem):
    found = nip_problem(nip, today=date(2026, 11, 30))
    assert (found is None) if problem is None else (problem in found)


# ---------------------------------------------------------------- tree

def test_tree_is_built_by_level_and_audited(app):
    with app.app_context():
        prov, pemda, opd, _ = gen_tree()
        coordinator = gen_user(tenant=prov, lane_kind="coordinator")
        with pytest.raises(Refused):
            admin.create_tenant(None, coordinator, "provinsi", "Provinsi Baru")
        new_pemda = admin.create_tenant(prov, coordinator, "pemda", "Pemerintah Kabupaten Baru", kind="kabupaten")
        assert new_pemda.slug == "pemerintah-kabupaten-baru"
        with pytest.raises(Invalid, match="harus dibuat di bawah"):
            admin.create_tenant(opd, coordinator, "pemda", "Salah Tempat", kind="kota")
        with pytest.raises(Invalid, match="sudah dipakai"):
            admin.create_tenant(prov, coordinator, "pemda", "Lain", slug=new_pemda.slug, kind="kota")
        new_opd = admin.create_tenant(new_pemda, coordinator, "opd", "Dinas Sosial", kind="dinas")
        unit = admin.create_unit(new_opd, coordinator, "Sekretariat")
        admin.update_tenant(new_opd, coordinator, name="Dinas Sosial P3A", slug="dinsos-p3a")
        with pytest.raises(Invalid, match="masih memiliki instansi aktif"):
            admin.set_tenant_active(new_pemda, coordinator, False)
        admin.set_unit_active(unit, coordinator, False)
        admin.set_tenant_active(new_opd, coordinator, False)
        assert unit.is_active is False and new_opd.is_active is False and new_opd.slug == "dinsos-p3a"
        actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == coordinator.id)))
        assert {"instansi.buat", "unit.buat", "instansi.ubah", "unit.nonaktif", "instansi.nonaktif"} <= actions


# ---------------------------------------------------------------- people

SHEET = ("nama,NIP,jabatan,email,lane,unit\n"
         "Siti Aminah,198503152010012002,Kepala Bidang,siti@uji.test,Lane kabid,Bidang Satu\n"
         "Budi,19850315,Staf,budi@uji.test,Lane staf,Bidang Satu\n"
         "Ani,,Perencana,bukan-email,Lane perencana,\n"
         "Dodi,198001012005011003,Sekretaris,dodi@uji.test,Lane sekretaris; Lane tim_sakip,\n"
         "Eko,,Kabid,eko@uji.test,Lane kabid,Bidang Sembilan\n")


def test_sheet_names_every_bad_row_and_saves_nothing(app):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        actor = gen_user(tenant=opd, lane_kind="perencana")
        db.session.commit()
        before = db.session.scalar(select(func.count(User.id)))
        with pytest.raises(people.SheetRefused) as refused:
            people.invite_people(opd, actor, people.read_sheet(SHEET.encode(), "orang.csv"))
        text = " ".join(refused.value.problems)
        assert "Baris 3: NIP harus 18 angka." in text
        assert "Baris 4: email 'bukan-email' tidak valid." in text
        assert "Baris 6: unit 'Bidang Sembilan' tidak ada" in text
        assert "Baris 2" not in text and "Baris 5" not in text
        db.session.rollback()
        assert db.session.scalar(select(func.count(User.id))) == before


def test_sheet_invites_people_with_several_lanes(app):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        actor = gen_user(tenant=opd, lane_kind="perencana")
        good = "\n".join(line for i, line in enumerate(SHEET.splitlines()) if i in (0, 1, 4))
        invited = people.invite_people(opd, actor, people.read_sheet(good.encode(), "orang.csv"))
        assert sorted(i.invitation.email for i in invited) == ["dodi@uji.test", "siti@uji.test"]
        dodi = next(i.invitation for i in invited if i.invitation.email == "dodi@uji.test")
        kinds = {db.session.get(Lane, lane_id).kind for lane_id, _ in dodi.grants}
        assert kinds == {"sekretaris", "tim_sakip"}
        # Nobody is a member (or has an account) before accepting; the token is stored hashed.
        assert db.session.scalar(select(func.count(User.id)).where(User.email.in_(["dodi@uji.test", "siti@uji.test"]))) == 0
        assert hashlib.sha256(invited[0].token.encode()).hexdigest() == invited[0].invitation.token_hash


# ---------------------------------------------------------------- invitations and passwords

def _opd_with_admin(app):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("perencana@uji.test", tenant=opd, lane_kind="perencana")
        db.session.commit()
        return opd.slug


def test_invitation_goes_by_smtp_names_agency_lane_and_inviter_and_signs_in(app, client, smtp):
    slug = _opd_with_admin(app)
    sign_in(client, "perencana@uji.test", PASSWORD)
    response = post(client, f"/t/{slug}/orang/", {"nama": "Rina", "email": "rina@uji.test", "nip": "",
                                                  "jabatan": "Kepala Bidang", "lanes": "kabid", "unit": "bidang-1"})
    assert response.status_code == 303
    mail = smtp.inbox.to("rina@uji.test")[-1]
    body = mail.get_payload(decode=True).decode()
    assert "Dinas A" in mail["Subject"] and "Lane kabid (Bidang Satu) di Dinas A" in body
    assert "Pengguna" in body and "mengundang Anda" in body  # who invited (the Perencana's name)
    link = JOIN_LINK.search(body).group(0)
    page = client.get(f"/t/{slug}/orang/").get_data(as_text=True)
    assert link not in page and "rina@uji.test" in page  # pending, the link only in her mailbox
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    other = app.test_client()
    form = other.get(path).get_data(as_text=True)
    assert "Rina" in form and "Lane kabid (Bidang Satu) di Dinas A" in form
    token = __import__("re").search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    short = other.post(path, data={"password": "pendek", "repeat": "pendek", "csrf_token": token})
    assert short.status_code == 422 and "minimal 10" in short.get_data(as_text=True)
    done = other.post(path, data={"password": "sandi-rina-123", "repeat": "sandi-rina-123", "csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/t/{slug}/")
    assert other.get(f"/t/{slug}/").status_code == 200  # signed in at once (issue 20)
    assert sign_in(app.test_client(), "rina@uji.test", "sandi-rina-123").status_code == 303
    again = app.test_client().get(path)
    assert again.status_code == 410 and "tidak berlaku lagi" in again.get_data(as_text=True)


def test_expired_link_and_reset_and_deactivation(app):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        admin_user = gen_user(tenant=opd, lane_kind="perencana")
        kabid = gen_user(tenant=opd, lane_kind="kabid")
        old = invitations.issue(kabid, admin_user, "reset", now=invitations.utcnow() - timedelta(hours=3))
        with pytest.raises(Invalid):
            invitations.valid_invitation(old)
        fresh = invitations.issue(kabid, admin_user, "reset")
        session = LoginSession(id="sesi-kabid", user_id=kabid.id)
        db.session.add(session)
        db.session.flush()
        invitations.accept(fresh, "sandi-baru-kabid", "sandi-baru-kabid")
        assert kabid.check_password("sandi-baru-kabid")
        db.session.refresh(session)
        assert session.ended_at is not None  # a reset ends the other sessions
        db.session.add(LoginSession(id="sesi-2", user_id=kabid.id))
        db.session.flush()
        assert user_for_session("sesi-2", 3600) is kabid
        invitations.set_active(kabid, admin_user, False)
        assert user_for_session("sesi-2", 3600) is None
        second = db.session.get(LoginSession, "sesi-2")
        db.session.refresh(second)
        assert second.ended_at is not None
        assert "pengguna.nonaktif" in db.session.scalars(select(AuditEvent.action)).all()


def test_forgotten_password_answers_the_same_and_mails_only_real_accounts(app, client, smtp):
    _opd_with_admin(app)
    answers = []
    for address in ("perencana@uji.test", "tidak-ada@uji.test"):
        response = post(client, "/lupa-sandi", {"email": address}, follow_redirects=True)
        answers.append(response.get_data(as_text=True).count("Bila alamat itu terdaftar"))
    assert answers == [1, 1]
    assert smtp.inbox.to("perencana@uji.test") and not smtp.inbox.to("tidak-ada@uji.test")


def test_own_password_change_needs_the_current_one(app, client):
    _opd_with_admin(app)
    sign_in(client, "perencana@uji.test", PASSWORD)
    wrong = post(client, "/akun/sandi", {"current": "salah", "password": "sandi-baru-123", "repeat": "sandi-baru-123"})
    assert wrong.status_code == 422
    ok = post(client, "/akun/sandi", {"current": PASSWORD, "password": "sandi-baru-123", "repeat": "sandi-baru-123"})
    assert ok.status_code == 303
    assert sign_in(app.test_client(), "perencana@uji.test", "sandi-baru-123").status_code == 303


# ---------------------------------------------------------------- readiness, SOP in force

def test_cycle_start_names_what_is_missing(app):
    from portal.cycles import engine
    from tests.world import _indicator_samples, _sop_samples

    with app.app_context():
        _, _, opd, _ = gen_tree()
        head = gen_user(tenant=opd, lane_kind="kepala")
        _sop_samples(opd)
        _indicator_samples(opd)
        check = readiness.check(opd, 2026)
        assert {i.key for i in check.blocking} == {"lanes", "entry"}
        with pytest.raises(Invalid, match="Kepala Bidang .*Bidang Satu"):
            engine.start_cycle(opd, 2026, "triwulan", 1, head)
        gen_user(tenant=opd, lane_kind="kabid")
        assert readiness.check(opd, 2026).blocking == []
        assert engine.start_cycle(opd, 2026, "triwulan", 1, head).id


def test_sop_in_force_is_chosen_not_key_order(app):
    from portal.sop.models import Sop
    from tests.world import _sop_samples

    with app.app_context():
        _, _, opd, _ = gen_tree()
        user = gen_user(tenant=opd, lane_kind="perencana")
        first = _sop_samples(opd)
        doc = sop_services.to_document(sop_services.sop_in_force(opd))
        doc.nama = "SOP Baru"
        second = Sop(tenant_id=opd.id, key="a-lebih-dulu")  # sorts before the first: key order would pick it
        db.session.add(second)
        db.session.flush()
        version = sop_services.new_version(second, doc)
        db.session.flush()
        sop_services.publish(version, user.id)
        assert sop_services.sop_in_force(opd).sop_id == first["sop_id"]
        sop_services.choose_in_force(opd, second, user.id)
        assert sop_services.sop_in_force(opd).nama == "SOP Baru"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sop.berlaku",
                                                           AuditEvent.user_id == user.id))
        assert event.old_value == "pengukuran-kinerja" and event.new_value == "a-lebih-dulu"


def test_loader_keeps_what_the_browser_changed(app, runner, tmp_path):
    from tests.test_tenant_files import _folder

    root = _folder(tmp_path)
    assert runner.invoke(args=["tenants", "load", str(root)]).exit_code == 0
    with app.app_context():
        opd = db.session.scalar(select(Tenant).where(Tenant.slug == "kota-uji-dinas"))
        actor = gen_user(tenant=opd, lane_kind="kabid")
        admin.update_tenant(opd, actor, name="Dinas Uji (nama baru)", slug="dinas-uji-baru")
        db.session.commit()
    result = runner.invoke(args=["tenants", "load", str(root)])
    assert result.exit_code == 0, result.output
    assert "nilai browser dipertahankan" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Tenant.id)).where(Tenant.name.like("Dinas Uji%"))) == 1
        assert db.session.scalar(select(Tenant.name).where(Tenant.slug == "dinas-uji-baru")) == "Dinas Uji (nama baru)"


def test_indicator_set_copied_from_last_year_or_a_sibling(app, client):
    from portal.indikator.models import Indikator
    from tests.world import _indicator_samples

    with app.app_context():
        _, _, opd, sibling = gen_tree()
        gen_user("perencana.b@uji.test", tenant=sibling, lane_kind="perencana")
        gen_user("perencana.a@uji.test", tenant=opd, lane_kind="perencana")
        source = _indicator_samples(opd)
        db.session.commit()
        slugs = (opd.slug, sibling.slug)
    sign_in(client, "perencana.b@uji.test", PASSWORD)
    index = client.get(f"/t/{slugs[1]}/indikator/").get_data(as_text=True)
    assert "Dinas A tahun 2026 (1 indikator)" in index
    copied = post(client, f"/t/{slugs[1]}/indikator/salin", {"sumber": source["set_id"], "tahun": "2027"})
    assert copied.status_code == 303
    again = post(client, f"/t/{slugs[1]}/indikator/salin", {"sumber": source["set_id"], "tahun": "2027"})
    assert again.status_code == 422 and "sudah berisi indikator" in again.get_data(as_text=True)
    with app.app_context():
        ind = db.session.scalar(select(Indikator).where(Indikator.set_id != source["set_id"]))
        assert (ind.kode, ind.nama, ind.target_pk) == ("IK-1", "Indikator uji", None)
        sibling = db.session.scalar(select(Tenant).where(Tenant.slug == slugs[1]))
        assert ind.tenant_id == sibling.id and ind.unit.name == "Bidang Satu"  # units matched by name
    other = app.test_client()
    sign_in(other, "perencana.a@uji.test", PASSWORD)
    own_next_year = post(other, f"/t/{slugs[0]}/indikator/salin", {"sumber": source["set_id"], "tahun": "2027"})
    assert own_next_year.status_code == 303


def test_people_sheet_as_xlsx(app):
    import io

    from openpyxl import Workbook

    book = Workbook()
    for line in SHEET.splitlines()[:2]:
        book.active.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    with app.app_context():
        _, _, opd, _ = gen_tree()
        actor = gen_user(tenant=opd, lane_kind="perencana")
        invited = people.invite_people(opd, actor, people.read_sheet(data.getvalue(), "orang.xlsx"))
        assert [(i.invitation.nama, i.invitation.nip, i.invitation.jabatan) for i in invited] == [
            ("Siti Aminah", "198503152010012002", "Kepala Bidang")]


def test_an_administrator_cannot_grant_themselves_a_lane(app):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        perencana = gen_user(tenant=opd, lane_kind="perencana")
        with pytest.raises(people.SheetRefused, match="diri sendiri"):
            people.invite_person(opd, perencana, perencana.name, perencana.email, lanes=["Lane staf"],
                                 unit="Bidang Satu")


def test_platform_admin_creates_provinces_others_see_no_such_page(app, client):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("admin@platform.test", is_platform_admin=True)
        gen_user("perencana@uji.test", tenant=opd, lane_kind="perencana")
        db.session.commit()
    sign_in(client, "perencana@uji.test", PASSWORD)
    assert client.get("/admin/provinsi").status_code == 404
    admin_client = app.test_client()
    sign_in(admin_client, "admin@platform.test", PASSWORD)
    created = post(admin_client, "/admin/provinsi", {"name": "Provinsi Nusa Baru", "slug": ""})
    assert created.status_code == 303
    assert "Provinsi Nusa Baru" in admin_client.get("/admin/provinsi").get_data(as_text=True)
    assert admin_client.get("/t/provinsi-nusa-baru/kelola/").status_code == 200


def test_deactivating_a_person_signs_them_out_at_once(app, client):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("perencana@uji.test", tenant=opd, lane_kind="perencana")
        kabid = gen_user("kabid@uji.test", tenant=opd, lane_kind="kabid")
        db.session.commit()
        slug, kabid_id = opd.slug, kabid.id
    kabid_client = app.test_client()
    sign_in(kabid_client, "kabid@uji.test", PASSWORD)
    assert kabid_client.get(f"/t/{slug}/").status_code == 200
    sign_in(client, "perencana@uji.test", PASSWORD)
    assert post(client, f"/t/{slug}/orang/{kabid_id}/status", {"aktif": "0"}).status_code == 303
    after = kabid_client.get(f"/t/{slug}/")
    assert after.status_code == 302 and "/masuk" in after.headers["Location"]
    assert sign_in(kabid_client, "kabid@uji.test", PASSWORD).status_code == 422
