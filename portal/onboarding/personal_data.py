"""A person's data under UU 27/2022 (Pelindungan Data Pribadi): what the portal holds
about one person, exported for them, and anonymised when they have left.

Anonymising keeps every record they signed, validated or entered as it was: signed
records copy the names at signing (signing/models.py), the audit log is append-only and
is the accountability record the SAKIP evaluation relies on. What goes is the account's
personal data (e-mail, name, NIP, jabatan, password), its sign-in sessions and failures,
its open links and invitations. Only an administrator of every tenant of the account
(from above where the person signed or administered there) may do it, and only once the
account is deactivated (the person has left).
"""
import json

from sqlalchemy import delete, select

from portal import rls
from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.auth.invitation_models import Invitation, JoinInvitation
from portal.auth.models import LoginFailure, LoginSession, Membership, User
from portal.extensions import db
from portal.onboarding.people import manageable_member
from portal.problems import Invalid
from portal.tenancy.models import Tenant


def _when(value) -> str | None:
    return value.isoformat() + "Z" if value else None


def export(tenant: Tenant, actor, user_id) -> tuple[bytes, str]:
    """Everything the portal keeps about the person, as JSON (for a request under the
    PDP law); audited."""
    user = manageable_member(tenant, actor, user_id)
    # The whole account, every pemda included: the actor administers every tenant of it
    # (manageable_member), and a PDP request is for all the portal keeps.
    with rls.across_tenants():
        return _export(tenant, actor, user)


def _export(tenant: Tenant, actor, user: User) -> tuple[bytes, str]:
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    sessions = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                                  .order_by(LoginSession.created_at)).all()
    failures = db.session.scalars(select(LoginFailure).where(LoginFailure.email == user.email)).all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == user.id).order_by(AuditEvent.id)).all()
    data = {
        "akun": {"email": user.email, "nama": user.name, "nip": user.nip, "jabatan": user.jabatan,
                 "aktif": user.is_active, "dibuat": _when(user.created_at),
                 "punya_kata_sandi": bool(user.password_hash)},
        "peran": [{"instansi": m.tenant.name, "peran": m.lane.name, "unit": m.unit.name if m.unit else None}
                  for m in memberships],
        "sesi_masuk": [{"mulai": _when(s.created_at), "berakhir": _when(s.ended_at), "peramban": s.user_agent}
                       for s in sessions],
        "gagal_masuk": [{"waktu": _when(f.at), "alamat": f.remote_addr} for f in failures],
        "jejak_audit": [{"waktu": _when(e.at), "instansi_id": e.tenant_id, "tindakan": e.action,
                         "peran": e.lane, "objek": e.subject_type} for e in events],
    }
    audit.record(tenant, actor, "pengguna.ekspor", "user", user.id, new=f"akun #{user.id}")
    return json.dumps(data, ensure_ascii=False, indent=2).encode(), f"data-pribadi-{user.id}.json"


def anonymise(tenant: Tenant, actor, user_id) -> User:
    user = manageable_member(tenant, actor, user_id)
    if user.is_active:
        raise Invalid(f"Nonaktifkan {user.name} lebih dulu: hanya data orang yang sudah keluar yang dianonimkan.")
    old_email = user.email
    audit.record(tenant, actor, "pengguna.anonim", "user", user.id, old=f"akun #{user.id}")
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == old_email))
    db.session.execute(delete(Invitation).where(Invitation.user_id == user.id))
    db.session.execute(delete(JoinInvitation).where(JoinInvitation.email == old_email))
    user.email = f"anonim-{user.id}@dihapus.invalid"
    user.name = f"Mantan pegawai #{user.id}"
    user.nip = ""
    user.jabatan = ""
    user.password_hash = ""
    return user
