"""Sign-in, sign-out and the login throttle. No request objects here."""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from portal.auth.models import LoginFailure, LoginSession, User
from portal.extensions import db
from portal.tenancy.models import utcnow


class SignInRefused(Exception):
    """Raised with a message in Bahasa Indonesia for the sign-in form."""


@dataclass(frozen=True)
class Throttle:
    max_failures: int
    window_seconds: int


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _recent_failures(email: str, window_seconds: int, now: datetime) -> int:
    since = now - timedelta(seconds=window_seconds)
    return db.session.scalar(
        select(func.count(LoginFailure.id)).where(LoginFailure.email == email, LoginFailure.at >= since)
    )


def sign_in(email: str, password: str, throttle: Throttle, remote_addr: str = "",
            user_agent: str = "", now: datetime | None = None) -> LoginSession:
    """Check the credentials and open a sign-in session, or raise SignInRefused.

    Failures are recorded per e-mail address; past the limit even a right password is
    refused until the window has passed, so guessing cannot continue.
    """
    now = now or utcnow()
    email = normalise_email(email)
    if not email or not password:
        raise SignInRefused("Isi alamat email dan kata sandi.")
    if _recent_failures(email, throttle.window_seconds, now) >= throttle.max_failures:
        minutes = max(1, throttle.window_seconds // 60)
        raise SignInRefused(
            f"Terlalu banyak percobaan masuk yang gagal untuk akun ini. Coba lagi dalam {minutes} menit."
        )
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active or not user.check_password(password):
        db.session.add(LoginFailure(email=email, remote_addr=remote_addr[:64], at=now))
        raise SignInRefused("Email atau kata sandi salah.")
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    session = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now,
                           user_agent=user_agent[:300])
    db.session.add(session)
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


def sign_out(session_id: str | None, now: datetime | None = None) -> None:
    if not session_id:
        return
    login = db.session.get(LoginSession, session_id)
    if login is not None and login.ended_at is None:
        login.ended_at = now or utcnow()
