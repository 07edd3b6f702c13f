"""Onboarding cannot be used to take over accounts or grant oneself signing rights:
found by a review of the merged onboarding pages. Each test fails on the code before."""
import io
import zipfile

import pytest
from sqlalchemy import select

from portal.auth.invitation_models import Invitation
from portal.auth.models import Membership, User
from portal.extensions import db
from portal.onboarding import people
from portal.tenancy.models import Lane
from tests.conftest import post, sign_in
from tests.factories import PASSWORD, gen_tree, gen_user


@pytest.fixture
def app_config(smtp):
    return smtp.config()


def _world(app):
    """OPD A with its Perencana (manages the OPD) and Kepala; the pemda's admin; a
    platform admin and another pemda's coordinator-level person elsewhere."""
    with app.app_context():
        prov, pemda, opd, other = gen_tree()
        gen_user("perencana@a.test", tenant=opd, lane_kind="perencana")
        gen_user("kepala@a.test", tenant=opd, lane_kind="kepala")
        gen_user("kabid@a.test", tenant=opd, lane_kind="kabid")
        gen_user("admin@pemda.test", tenant=pemda, lane_kind="pemda_admin")
        gen_user("root@platform.test", is_platform_admin=True)
        gen_user("kepala@b.test", tenant=other, lane_kind="kepala")
        db.session.commit()
        ids = {u.email: u.id for u in db.session.scalars(select(User))}
        lanes = {lane.kind: lane.id for lane in opd.lanes}
        return opd.slug, ids, lanes


def _tokens(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Invitation.id)).all())


def test_an_account_from_elsewhere_is_invited_never_taken(app, client, smtp):
    """Before: a Perencana adding another pemda's Kepala (or the platform admin) by e-mail
    gave them the lane at once (issue 17 point 3, issue 25). Now the answer is the same as
    for an unknown address, nothing of the account changes, and only its owner can accept."""
    slug, ids, _ = _world(app)
    sign_in(client, "perencana@a.test", PASSWORD)
    answers = []
    for email in ("root@platform.test", "kepala@b.test", "belum-ada@b.test"):
        added = post(client, f"/t/{slug}/orang/", {"nama": "Nama Ketikan", "email": email, "nip": "",
                                                   "jabatan": "Staf", "lanes": "staf", "unit": "bidang-1"},
                     follow_redirects=True)
        assert added.status_code == 200
        page = added.get_data(as_text=True).replace(email, "ALAMAT").split('data-testid="people"')[0]
        answers.append(__import__("re").sub(r"I[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27}", "CSRF", page))
    assert answers[0] == answers[1] == answers[2]  # the adder learns nothing
    with app.app_context():
        memberships = db.session.scalars(select(Membership.user_id)).all()
        assert ids["root@platform.test"] not in memberships and ids["kepala@b.test"] in memberships
        assert db.session.scalar(select(Membership.id).where(Membership.user_id == ids["kepala@b.test"],
                                                             Membership.tenant_id != _tenant_id(app, "kepala@b.test")
                                                             )) is None
        assert all(u.is_active for u in db.session.scalars(select(User)))
    for email in ("root@platform.test", "kepala@b.test"):
        assert post(client, f"/t/{slug}/orang/{ids[email]}/tautan").status_code == 404  # not a member here
    assert not smtp.inbox.to("root@platform.test")  # a platform admin is never mailed by a tenant
    # The other pemda's Kepala decides: the link asks her to sign in, then she accepts.
    body = smtp.inbox.to("kepala@b.test")[-1].get_payload(decode=True).decode()
    assert "sudah memiliki akun" in body and "Dinas A" in body
    path = "/" + JOIN.search(body).group(0).split("://", 1)[1].split("/", 1)[1]
    kepala = app.test_client()
    assert 'data-testid="join-sign-in"' in kepala.get(path).get_data(as_text=True)
    # Signed in as someone else (the adder, say), the page offers nothing to accept.
    other = client.get(path).get_data(as_text=True)
    assert 'data-testid="join-other-account"' in other and 'data-testid="join-accept"' not in other
    assert sign_in(kepala, "kepala@b.test", PASSWORD).status_code == 303
    accepted = post(kepala, path)
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith(f"/t/{slug}/")
    people_page = client.get(f"/t/{slug}/orang/").get_data(as_text=True)
    assert "kepala@b.test" in people_page and "root@platform.test" not in people_page.split('data-testid="pending"')[0]
    # The platform admin, even signed in, cannot accept the invitation to her address.
    with app.app_context():
        from portal.auth.invitation_models import JoinInvitation
        invitation = db.session.scalar(select(JoinInvitation).where(JoinInvitation.email == "root@platform.test"))
        from portal.onboarding import joining
        token = people.renew_invitation(invitation, None)
        with pytest.raises(Exception, match="tidak berlaku lagi"):
            joining.accept_signed_in(token, db.session.get(User, ids["root@platform.test"]))


JOIN = __import__("re").compile(r"https?://\S+/gabung/[A-Za-z0-9_-]+")


def _tenant_id(app, email):
    with app.app_context():
        return db.session.scalar(select(Membership.tenant_id).join(User, User.id == Membership.user_id)
                                 .where(User.email == email).order_by(Membership.id).limit(1))


def test_a_perencana_does_not_reset_his_kepala_but_the_pemda_admin_does(app, client, smtp):
    slug, ids, _ = _world(app)
    sign_in(client, "perencana@a.test", PASSWORD)
    refused = post(client, f"/t/{slug}/orang/{ids['kepala@a.test']}/tautan")
    assert refused.status_code == 403 and "admin pemda atau koordinator" in refused.get_data(as_text=True)
    before = len(smtp.inbox.to("kabid@a.test"))
    assert post(client, f"/t/{slug}/orang/{ids['kabid@a.test']}/tautan").status_code == 303  # a Kabid: yes
    # The link goes to the Kabid's mailbox from the job queue, not onto the Perencana's page.
    assert len(smtp.inbox.to("kabid@a.test")) == before + 1
    link = smtp.inbox.link_for("kabid@a.test")
    assert link not in client.get(f"/t/{slug}/orang/").get_data(as_text=True)
    admin = app.test_client()
    sign_in(admin, "admin@pemda.test", PASSWORD)
    assert post(admin, f"/t/{slug}/orang/{ids['kepala@a.test']}/tautan").status_code == 303


def test_a_perencana_cannot_turn_a_lane_into_a_kepala(app, client):
    slug, ids, lanes = _world(app)
    sign_in(client, "perencana@a.test", PASSWORD)
    for kind in ("perencana", "kabid"):  # his own lane, and another one
        response = post(client, f"/t/{slug}/kelola/peran/{lanes[kind]}", {"name": "Kepala Dinas", "kind": "kepala"})
        assert response.status_code == 403
    with app.app_context():
        assert {lane.kind for lane in db.session.scalars(select(Lane).where(Lane.id.in_(lanes.values())))} == \
            set(lanes)
    admin = app.test_client()
    sign_in(admin, "admin@pemda.test", PASSWORD)
    assert post(admin, f"/t/{slug}/kelola/peran/{lanes['tim_sakip']}",
                {"name": "Tim SAKIP", "kind": "kabid"}).status_code == 303


def test_a_perencana_cannot_create_a_lane_that_signs_or_administers(app, client):
    """POST /kelola/peran kind=kepala as the OPD's Perencana was a 303 (issue 17): lanes
    that sign or administer are made only from above, by every route that makes lanes."""
    slug, ids, _ = _world(app)
    sign_in(client, "perencana@a.test", PASSWORD)
    for kind in ("kepala", "perencana"):
        response = post(client, f"/t/{slug}/kelola/peran", {"name": f"Lane baru {kind}", "kind": kind})
        assert response.status_code == 403, kind
        assert "admin pemda atau koordinator" in response.get_data(as_text=True)
    assert post(client, f"/t/{slug}/kelola/peran", {"name": "Staf Tambahan", "kind": "staf"}).status_code == 303
    admin = app.test_client()
    sign_in(admin, "admin@pemda.test", PASSWORD)
    assert post(admin, f"/t/{slug}/kelola/peran", {"name": "Plt Kepala", "kind": "kepala"}).status_code == 303
    with app.app_context():
        made = {lane.name: lane.kind for lane in db.session.scalars(select(Lane).where(Lane.name.like("%baru%")))}
        assert made == {}
        # The SOP's lanes: a Perencana gets the non-privileged ones, the Kepala lane is left to above.
        from portal.tenancy import admin as tenancy_admin
        from portal.tenancy.models import Tenant
        opd = db.session.scalar(select(Tenant).where(Tenant.slug == slug))

        class Version:
            lanes = [Lane(name="Kepala Dinas Baru", kind="kepala", key="kd"),
                     Lane(name="Pengolah Data", kind="staf", key="pd")]

        for lane in list(opd.lanes):
            if lane.kind in ("kepala", "staf"):
                lane.kind = "tim_sakip"  # so that the SOP's kinds are missing here
        made, left = tenancy_admin.lanes_from_sop(opd, db.session.get(User, ids["perencana@a.test"]), Version)
        assert [lane.name for lane in made] == ["Pengolah Data"] and left == ["Kepala Dinas Baru"]
        db.session.rollback()


def test_only_an_administrator_above_grants_the_kepala_lane(app):
    slug, ids, _ = _world(app)
    with app.app_context():
        opd = db.session.scalar(select(Lane).where(Lane.kind == "kepala")).tenant
        perencana = db.session.get(User, ids["perencana@a.test"])
        with pytest.raises(people.SheetRefused, match="hanya dapat diberikan oleh admin pemda"):
            people.invite_person(opd, perencana, "Alamat kedua", "kedua@a.test", lanes=["Lane kepala"])
        db.session.rollback()
        admin = db.session.get(User, ids["admin@pemda.test"])
        invited = people.invite_person(opd, admin, "Kepala Baru", "kepala.baru@a.test", lanes=["Lane kepala"])
        assert invited.token and invited.invitation.grants == [[opd.lanes[0].id, None]]


def _bomb() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * (60 * 1024 * 1024) + "</a>")
    return data.getvalue()


@pytest.mark.parametrize("data, name", [(_bomb(), "orang.xlsx"), (b"nama\nBudi\n", "orang.csv"),
                                        (b"\x00\x01binary", "orang.ods")])
def test_a_bad_people_sheet_gets_a_message_not_a_500(app, client, data, name):
    slug, _, _ = _world(app)
    sign_in(client, "perencana@a.test", PASSWORD)
    response = post(client, f"/t/{slug}/orang/impor", {"berkas": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Berkas" in response.get_data(as_text=True) or "berkas" in response.get_data(as_text=True)


def test_forgotten_password_requests_are_limited_and_keep_the_shared_invitation(app, client, smtp):
    """Anyone can ask for a reset link: asking must neither flood an inbox nor cancel the
    invitation link an admin already shared (by WhatsApp, say)."""
    with app.app_context():
        _, _, opd, _ = gen_tree()
        admin = gen_user("perencana@a.test", tenant=opd, lane_kind="perencana")
        baru = gen_user("baru@a.test", tenant=opd, lane_kind="staf")  # loaded from tenants/, no password yet
        baru.password_hash = ""
        from portal.auth import invitations
        shared = invitations.issue(baru, admin, "undangan")
        db.session.commit()
    mails_before = len(smtp.inbox.to("baru@a.test"))
    statuses = [post(client, "/lupa-sandi", {"email": "baru@a.test"}).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    assert len(smtp.inbox.to("baru@a.test")) - mails_before == 3
    page = client.get(f"/undangan/{shared}")
    assert page.status_code == 200  # the admin's invitation still works

