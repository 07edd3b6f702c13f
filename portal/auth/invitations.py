"""Invitations and passwords: one-time expiring links to set a password (new person,
admin reset, "Lupa kata sandi"), changing one's own password, deactivating a person.

A link's token is made where it is delivered (a job-queue worker that mails it, or the
request that shows it to the inviter where no mail is configured); only its SHA-256 is
stored. Plain functions: no request. The mail itself is composed and sent by the tasks
of portal/onboarding/joining.py.
"""
import hashlib
import os
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Mail
from sqlalchemy import select, update

from portal.audit import services as audit
from portal.auth.invitation_models import Invitation
from portal.auth.models import LoginSession, Membership, User
from portal.columns import utcnow
from portal.extensions import db
from portal.problems import Invalid

mail = Mail()
MIN_PASSWORD = 10
PURPOSES = {"undangan": "invitation_hours", "reset": "reset_hours"}
ENV_KEYS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS", "MAIL_USE_SSL",
            "MAIL_DEFAULT_SENDER")


def init_app(app) -> None:
    """SMTP settings from the environment (MAIL_SERVER ...); without MAIL_SERVER no mail
    is sent and links are only shown to the inviter."""
    for key in ENV_KEYS:
        if key not in app.config and os.environ.get(key):
            value = os.environ[key]
            app.config[key] = int(value) if key == "MAIL_PORT" else (
                value == "1" if key in ("MAIL_USE_TLS", "MAIL_USE_SSL") else value)
    app.config.setdefault("MAIL_DEFAULT_SENDER", "portal-sakip@localhost")
    app.config.setdefault("INVITATION_HOURS", 72)
    app.config.setdefault("RESET_HOURS", 2)
    mail.init_app(app)


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def token_hash(token: str) -> str:
    """What is stored of a link's token (its SHA-256): a copy of the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def tenants_of(user: User) -> list:
    """The tenants `user` is a member of, by id."""
    members = db.session.scalars(select(Membership).where(Membership.user_id == user.id))
    return sorted({member.tenant for member in members}, key=lambda tenant: tenant.id)


def _audit(user: User, actor, action: str, **kw) -> None:
    """An account event, logged in every tenant the person belongs to."""
    for tenant in tenants_of(user):
        audit.record(tenant, actor, action, "user", user.id, **kw)


def issue(user: User, actor, purpose: str = "undangan", now: datetime | None = None,
          replace_earlier: bool = True) -> str:
    """A new one-time link for the person; earlier unused links stop working, unless the
    person asked for it themselves ('Lupa kata sandi'): a request anyone can make must not
    cancel the invitation an admin already shared."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    check_may_issue(user)
    now = now or utcnow()
    if replace_earlier:
        db.session.execute(update(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
                           .values(used_at=now))
    token = new_token()
    hours = current_app.config[PURPOSES[purpose].upper()]
    db.session.add(Invitation(user_id=user.id, token_hash=token_hash(token), purpose=purpose, created_at=now,
                              expires_at=now + timedelta(hours=hours), created_by_id=actor.id if actor else None))
    _audit(user, actor, "pengguna.undang" if purpose == "undangan" else "pengguna.reset_sandi",
           new=f"tautan berlaku {hours} jam")
    return token


def check_may_issue(user: User) -> None:
    if not user.is_active:
        raise Invalid(f"{user.name} nonaktif; aktifkan dulu sebelum mengirim tautan.")


def valid_invitation(token: str, now: datetime | None = None) -> Invitation:
    now = now or utcnow()
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token or "")))
    if invitation is None or invitation.used_at is not None or invitation.expires_at < now \
            or not invitation.user.is_active:
        raise Invalid("Tautan ini tidak berlaku lagi (sudah dipakai, kedaluwarsa, atau diganti tautan baru). "
                      "Minta tautan baru kepada admin, atau pakai 'Lupa kata sandi'.")
    return invitation


def new_token() -> str:
    """A link's token: 256 random bits."""
    return secrets.token_urlsafe(32)


def check_new_password(user: User, password: str, repeat: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(f"Kata sandi minimal {MIN_PASSWORD} karakter.")
    if password != repeat:
        raise Invalid("Kedua kata sandi tidak sama.")
    if password.lower() in (user.email.lower(), user.nip):
        raise Invalid("Kata sandi tidak boleh sama dengan email atau NIP.")


def _end_sessions(user: User, now: datetime) -> None:
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
                       .values(ended_at=now))


def accept(token: str, password: str, repeat: str, now: datetime | None = None) -> User:
    """Set the password through a link; the link is spent, other sessions end."""
    now = now or utcnow()
    invitation = valid_invitation(token, now)
    user = invitation.user
    check_new_password(user, password, repeat)
    user.set_password(password)
    # Every other open link of the person (an older reset, the invitation) is spent too.
    db.session.execute(update(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
                       .values(used_at=now))
    invitation.used_at = now
    _end_sessions(user, now)
    _audit(user, user, "pengguna.sandi_dibuat" if invitation.purpose == "undangan" else "pengguna.sandi_direset")
    return user


def change_password(user: User, current: str, password: str, repeat: str, keep_session: str | None,
                    now: datetime | None = None) -> None:
    """A signed-in person changes their own password; their other sessions end."""
    now = now or utcnow()
    if not user.check_password(current or ""):
        raise Invalid("Kata sandi saat ini salah.")
    check_new_password(user, password, repeat)
    user.set_password(password)
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None),
                                                  LoginSession.id != (keep_session or "")).values(ended_at=now))
    _audit(user, user, "pengguna.ubah_sandi")


def request_reset(email: str, now: datetime | None = None) -> tuple[User, str] | None:
    """'Lupa kata sandi': a reset link for an active account with that address, else
    None. The caller answers the same either way (no probing which addresses exist)."""
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None or not user.is_active or not mail_configured():
        return None
    return user, issue(user, None, "reset", now, replace_earlier=False)


def set_active(user: User, actor, active: bool, now: datetime | None = None) -> None:
    """Deactivate (or reactivate) a person; deactivating ends every session at once."""
    now = now or utcnow()
    if actor is not None and actor.id == user.id and not active:
        raise Invalid("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        _end_sessions(user, now)
        db.session.execute(update(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
                           .values(used_at=now))
    _audit(user, actor, "pengguna.aktif" if active else "pengguna.nonaktif", field="is_active",
           old=not active, new=active)
