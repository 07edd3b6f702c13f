"""People: users, their memberships (a lane in a tenant, for a unit where the lane
kind needs one), their sign-in sessions and failed sign-ins."""
from datetime import datetime

from flask import current_app
from sqlalchemy import ForeignKey, ForeignKeyConstraint, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.columns import utcnow
from portal.extensions import db


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str] = mapped_column(String(30), default="")
    jabatan: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    # Platform administrators stand above every tenant (no tenant holds them).
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How the person is reached besides e-mail (shown on Organisasi, in reminders).
    telepon: Mapped[str] = mapped_column(String(30), default="", server_default="")
    whatsapp: Mapped[str] = mapped_column(String(30), default="", server_default="")
    # No reminders that are not mandatory (before a due time, the weekly digest).
    reminders_opt_out: Mapped[bool] = mapped_column(default=False, server_default=false())

    memberships: Mapped[list["Membership"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # Set by the user loader: the sign-in session this request belongs to.
    current_session_id = None  # type: str | None

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # Flask-Login protocol. The id kept in the cookie is the sign-in session, not the
    # user: ending that session (logout) makes a copied cookie worthless.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.current_session_id


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (
        # The lane and the unit must belong to the membership's own tenant.
        ForeignKeyConstraint(["tenant_id", "lane_id"], ["lane.tenant_id", "lane.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "unit_id"], ["unit.tenant_id", "unit.id"], ondelete="CASCADE"),
        UniqueConstraint("user_id", "lane_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    lane_id: Mapped[int] = mapped_column(index=True)
    unit_id: Mapped[int | None] = mapped_column()

    user: Mapped[User] = relationship(back_populates="memberships")
    # Tenant, Lane and Unit by registry name, not by import: auth sits below tenancy.
    tenant: Mapped["Tenant"] = relationship()  # noqa: F821
    lane: Mapped["Lane"] = relationship(foreign_keys=[lane_id], primaryjoin="Membership.lane_id == Lane.id",  # noqa: F821
                                      overlaps="tenant")
    unit: Mapped["Unit | None"] = relationship(foreign_keys=[unit_id], primaryjoin="Membership.unit_id == Unit.id",  # noqa: F821
                                             overlaps="tenant,lane")


class LoginSession(db.Model):
    """One signed-in browser. Logout ends it; the cookie alone proves nothing after."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    # Why it ended when not by logout: "browser" (its cookie came from another browser
    # or network: a stolen cookie) or "idle"; shown to the owner at the next sign-in.
    ended_reason: Mapped[str] = mapped_column(String(20), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """A failed sign-in, counted by the login throttle."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
