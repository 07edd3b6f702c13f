"""Accepting an invitation to join a tenant, and the mail that carries it.

The link is sent to the invited address by a job-queue task (`undangan`), which makes the
token itself: the link exists only in the worker and in that mailbox. Whoever opens it:
- with no account at that address: chooses a password; the account is made then, with
  the name, NIP and jabatan the adder typed, and is signed in;
- with an account there: signs in as that account and accepts; the account keeps its own
  data, and gains only the lanes of the invitation.
A platform admin's or a deactivated account's address is never mailed and cannot accept
(no tenant adds a platform admin). "Lupa kata sandi" is a task too (`lupa_sandi`): the
request does the same work for a known and an unknown address.

Workers run these across tenants (portal/jobs/queue.py); the public pages look an
invitation up across tenants as well: they have no tenant scope.
"""
from datetime import datetime

from flask import current_app, url_for
from flask_mail import Message
from sqlalchemy import select

from portal import rls
from portal.audit import services as audit
from portal.auth import invitations
from portal.auth.invitation_models import JoinInvitation
from portal.auth.models import Membership, User
from portal.columns import utcnow
from portal.extensions import db
from portal.jobs import queue
from portal.problems import Invalid
from portal.tenancy.models import Lane, Unit

GONE = ("Tautan undangan ini tidak berlaku lagi (sudah dipakai, kedaluwarsa, dibatalkan, atau diganti tautan "
        "baru). Minta undangan baru kepada admin instansi.")


def open_invitation(token: str, now: datetime | None = None) -> JoinInvitation:
    now = now or utcnow()
    with rls.across_tenants():
        invitation = db.session.scalar(select(JoinInvitation).where(
            JoinInvitation.token_hash == invitations.token_hash(token or "")))
    if invitation is None or not invitation.open or invitation.expires_at < now:
        raise Invalid(GONE)
    return invitation


def account_of(invitation: JoinInvitation) -> User | None:
    return db.session.scalar(select(User).where(User.email == invitation.email))


def grants_of(invitation: JoinInvitation) -> list[tuple[Lane, Unit | None]]:
    """The invitation's lanes (and units) that still exist in its tenant."""
    out = []
    for lane_id, unit_id in invitation.grants:
        lane = db.session.get(Lane, lane_id)
        unit = db.session.get(Unit, unit_id) if unit_id else None
        if lane is None or lane.tenant_id != invitation.tenant_id or (unit_id and unit is None):
            continue
        out.append((lane, unit))
    return out


def what(invitation: JoinInvitation) -> str:
    """'Kepala Bidang (Bidang Satu) di Dinas A'"""
    lanes = ", ".join(lane.name + (f" ({unit.name})" if unit else "") for lane, unit in grants_of(invitation))
    return f"{lanes} di {invitation.tenant.name}"


def _join(invitation: JoinInvitation, user: User, now: datetime) -> None:
    for lane, unit in grants_of(invitation):
        held = db.session.scalar(select(Membership.id).where(
            Membership.user_id == user.id, Membership.lane_id == lane.id,
            Membership.unit_id.is_(None) if unit is None else Membership.unit_id == unit.id))
        if held:
            continue
        db.session.add(Membership(user_id=user.id, tenant_id=invitation.tenant_id, lane_id=lane.id,
                                  unit_id=unit.id if unit else None))
        db.session.flush()
        audit.record(invitation.tenant, user, "keanggotaan.buat", "user", user.id,
                     new=f"{user.name} sebagai {lane.name}" + (f" ({unit.name})" if unit else ""))
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    audit.record(invitation.tenant, user, "undangan.terima", "join_invitation", invitation.id,
                 new=f"{user.name} (akun #{user.id})")  # no address in the append-only log


def _refusal(invitation: JoinInvitation, user: User) -> str | None:
    if user.is_platform_admin or not user.is_active:
        return GONE
    if user.email != invitation.email:
        return f"Undangan ini untuk {invitation.email}. Keluar lebih dulu, lalu buka tautan ini lagi."
    return None


def accept_signed_in(token: str, user: User, now: datetime | None = None) -> JoinInvitation:
    """The signed-in owner of the invited address accepts: the lanes are theirs."""
    now = now or utcnow()
    invitation = open_invitation(token, now)
    refusal = _refusal(invitation, user)
    if refusal:
        raise Invalid(refusal)
    with rls.across_tenants():
        _join(invitation, user, now)
    return invitation


def accept_new(token: str, password: str, repeat: str, now: datetime | None = None) -> User:
    """No account at the invited address yet: make it with the chosen password."""
    now = now or utcnow()
    invitation = open_invitation(token, now)
    with rls.across_tenants():
        if account_of(invitation) is not None:
            raise Invalid("Alamat ini sudah memiliki akun: masuk dengan kata sandinya untuk menerima undangan, "
                          "atau pakai 'Lupa kata sandi'.")
        nip = invitation.nip
        if nip and db.session.scalar(select(User.id).where(User.nip == nip).limit(1)):
            raise Invalid(f"NIP {nip} sudah terdaftar pada akun lain. Bila itu akun Anda, masuk dengan akun itu; "
                          "bila bukan, minta admin instansi memperbaiki NIP pada undangan.")
        user = User(email=invitation.email, name=invitation.nama, nip=nip, jabatan=invitation.jabatan)
        invitations.check_new_password(user, password, repeat)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
        audit.record(invitation.tenant, user, "pengguna.buat", "user", user.id,
                     new=f"{user.name} (akun #{user.id}, menerima undangan)")
        _join(invitation, user, now)
    return user


# ---------------------------------------------------------------- mail (job-queue tasks)

def _link(base_url: str, endpoint: str, token: str) -> str:
    base = current_app.config.get("PORTAL_URL") or base_url
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, token=token, _external=True)


def _send(to: str, subject: str, body: str) -> None:
    """Hand the mail to the SMTP server; a failure raises, and the queue retries."""
    invitations.mail.send(Message(subject=subject, recipients=[to], body=body))


def send_invitation(invitation_id: int, base_url: str) -> None:
    """Task: mail the invitation with a fresh link (the token is made here)."""
    invitation = db.session.get(JoinInvitation, invitation_id)
    if invitation is None or not invitation.open or not invitations.mail_configured():
        return
    account = account_of(invitation)
    if account is not None and (account.is_platform_admin or not account.is_active):
        return  # never added by a tenant; the adder is told nothing either way
    token = invitations.new_token()
    invitation.token_hash = invitations.token_hash(token)
    link = _link(base_url, "account.join", token)
    hours = current_app.config["INVITATION_HOURS"]
    inviter = invitation.created_by
    by = f"{inviter.name}{f', {inviter.jabatan}' if inviter.jabatan else ''}" if inviter else "Admin portal"
    step = ("Anda sudah memiliki akun Portal Pengukuran Kinerja dengan alamat ini. Buka tautan berikut, masuk "
            "dengan kata sandi Anda, lalu terima undangan:" if account is not None else
            "Buka tautan berikut untuk membuat kata sandi Anda; setelah itu Anda langsung masuk:")
    body = (f"Yth. {invitation.nama},\n\n{by} mengundang Anda ke Portal Pengukuran Kinerja sebagai "
            f"{what(invitation)}.\n\n{step}\n\n{link}\n\nTautan berlaku {hours} jam dan hanya sekali pakai. "
            "Abaikan email ini bila Anda tidak mengenal undangan ini; tanpa jawaban Anda tidak ada yang berubah.\n")
    _send(invitation.email, f"Undangan bergabung: {invitation.tenant.name}", body)


def send_reset(email: str, base_url: str) -> None:
    """Task: 'Lupa kata sandi' for an address; nothing is sent when it has no active account."""
    found = invitations.request_reset(email)
    if found is None:
        return
    user, token = found
    hours = current_app.config["RESET_HOURS"]
    link = _link(base_url, "account.accept", token)
    _send(user.email, "Atur ulang kata sandi Portal Pengukuran Kinerja",
          f"Yth. {user.name},\n\nBuka tautan berikut untuk membuat kata sandi baru (berlaku {hours} jam, sekali "
          f"pakai); setelah itu Anda langsung masuk:\n\n{link}\n\nAbaikan email ini bila Anda tidak memintanya.\n")


def send_account_link(user_id: int, actor_id: int | None, purpose: str, base_url: str) -> None:
    """Task: a new password link for a member (an admin's "Kirim ulang undangan" or "Reset
    kata sandi"); the token is made here and goes only to the person's mailbox."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or not invitations.mail_configured():
        return
    actor = db.session.get(User, actor_id) if actor_id else None
    token = invitations.issue(user, actor, purpose)
    link = _link(base_url, "account.accept", token)
    hours = current_app.config[invitations.PURPOSES[purpose].upper()]
    by = f"{actor.name} meminta tautan ini untuk Anda. " if actor else ""
    if purpose == "undangan":
        subject = "Undangan Portal Pengukuran Kinerja"
        tenants = ", ".join(t.name for t in invitations.tenants_of(user))
        text = f"Anda terdaftar di Portal Pengukuran Kinerja ({tenants}). {by}Buka tautan berikut untuk membuat "
    else:
        subject = "Atur ulang kata sandi Portal Pengukuran Kinerja"
        text = f"{by}Buka tautan berikut untuk membuat "
    _send(user.email, subject, f"Yth. {user.name},\n\n{text}kata sandi Anda (berlaku {hours} jam, sekali pakai); "
          f"setelah itu Anda langsung masuk:\n\n{link}\n\nAbaikan email ini bila Anda tidak mengenalnya.\n")


queue.register_task("undangan", send_invitation)
queue.register_task("tautan_akun", send_account_link)
queue.register_task("lupa_sandi", send_reset)
