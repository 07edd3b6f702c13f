"""Sign-in, sign-out and the login throttle. No request objects here."""
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.auth.models import LoginFailure, LoginSession, User
from portal.auth.throttle import Throttle
from portal.columns import utcnow
from portal.extensions import db


class SignInRefused(Exception):
    """Raised with a message in Bahasa Indonesia for the sign-in form."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


_dummy_hashes: dict[str, str] = {}


def _dummy_hash(method: str) -> str:
    """A hash of a random password made like real ones, checked for an unknown email so
    that a wrong email costs as much time as a wrong password."""
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _dummy_hashes[method]


def sign_in(email: str, password: str, throttle: Throttle, remote_addr: str = "",
            user_agent: str = "", now: datetime | None = None, trusted_device: bool = False,
            hash_method: str = "scrypt", device: str = "") -> LoginSession:
    """Check the credentials and open a sign-in session, or raise SignInRefused.

    Every try is counted by the throttle before the password is checked (see
    portal/auth/throttle.py): too many for this account from this address (or from this
    browser, when it holds the account's device cookie), or from everywhere for a browser
    the account never used, are refused with the wait.
    """
    now = now or utcnow()
    email = normalise_email(email)
    if not email or not password:
        raise SignInRefused("Isi alamat email dan kata sandi.")
    wait = throttle.take_attempt(email, remote_addr, trusted_device, device)
    if wait:
        minutes = max(1, -(-wait // 60))
        raise SignInRefused(
            f"Terlalu banyak percobaan masuk yang gagal untuk akun ini. Coba lagi dalam {minutes} menit, "
            "atau masuk dari perangkat yang biasa Anda pakai."
        )
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(hash_method), password)
        valid = False
    else:
        valid = user.check_password(password) and user.is_active
    if not valid:
        db.session.add(LoginFailure(email=email[:200], remote_addr=remote_addr[:64], at=now))
        raise SignInRefused("Email atau kata sandi salah.")
    throttle.succeeded(email, remote_addr, trusted_device, device)
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    return open_session(user, user_agent, now)


def open_session(user: User, user_agent: str = "", now: datetime | None = None) -> LoginSession:
    """A new sign-in session for a person who proved who they are (a password, or a
    password just set through a link)."""
    session = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now or utcnow(),
                           user_agent=user_agent[:300])
    db.session.add(session)
    db.session.flush()
    return session


def user_for_session(session_id: str, lifetime_seconds: int, now: datetime | None = None) -> User | None:
    """The user of a live sign-in session, or None when it ended or expired."""
    now = now or utcnow()
    login = db.session.get(LoginSession, session_id)
    if login is None or login.ended_at is not None:
        return None
    if login.created_at < now - timedelta(seconds=lifetime_seconds):
        return None
    user = login.user
    if not user.is_active:
        return None
    user.current_session_id = login.id
    return user


def end_session(session_id: str, reason: str, now: datetime | None = None) -> None:
    """End a sign-in session that may no longer be used (reason: "browser", "idle")."""
    login = db.session.get(LoginSession, session_id)
    if login is not None and login.ended_at is None:
        login.ended_at = now or utcnow()
        login.ended_reason = reason


def end_reason(session_id: str | None) -> str:
    """Why this sign-in session ended, when it was not by logout ("" otherwise)."""
    login = db.session.get(LoginSession, session_id) if session_id else None
    return login.ended_reason if login is not None and login.ended_at is not None else ""


def sign_out(session_id: str | None, now: datetime | None = None) -> None:
    if not session_id:
        return
    login = db.session.get(LoginSession, session_id)
    if login is not None and login.ended_at is None:
        login.ended_at = now or utcnow()
