"""One-time links to set a password (an invitation or a reset). Only the SHA-256 of
the token is stored: a copy of the database opens no account."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.columns import utcnow
from portal.extensions import db


class Invitation(db.Model):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10), default="undangan")  # undangan | reset
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class JoinInvitation(db.Model):
    """An invitation to join a tenant in one or more lanes, addressed to an e-mail.

    Adding a person never touches an account: it makes this row, whether or not the
    address has an account anywhere (the adder gets the same answer either way). The
    person accepts through the link sent to that address: a new account is made then
    (with the password they choose), or an existing one accepts while signed in. What
    the adder typed (nama, NIP, jabatan) is the tenant's own data until then; an existing
    account keeps its own."""

    __tablename__ = "join_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    email: Mapped[str] = mapped_column(String(200), index=True)
    nama: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str] = mapped_column(String(30), default="")
    jabatan: Mapped[str] = mapped_column(String(200), default="")
    # [[lane_id, unit_id or null], ...]
    grants: Mapped[list] = mapped_column(JSON, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Set once: accepted (by which account), or ended (cancelled by an admin, declined).
    accepted_at: Mapped[datetime | None] = mapped_column()
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None] = mapped_column()

    tenant: Mapped["Tenant"] = relationship()  # noqa: F821
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def open(self) -> bool:
        return self.accepted_at is None and self.ended_at is None
