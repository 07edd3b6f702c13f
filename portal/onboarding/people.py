"""People of a tenant: invited one by one or from a sheet (nama, NIP, jabatan, email,
lane, unit), each with one or more lanes. An invitation is accepted by the person it is
addressed to (portal/onboarding/joining.py); until then no account is made or changed.

A sheet is all or nothing: every bad row is named and nothing is saved until none is.
"""
import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from openpyxl import load_workbook
from sqlalchemy import select

from portal import rls, safe_files
from portal.audit import services as audit
from portal.auth import invitations
from portal.auth.invitation_models import JoinInvitation
from portal.auth.models import Membership, User
from portal.columns import utcnow
from portal.extensions import db
from portal.onboarding.nip import nip_problem, normalise_nip
from portal.problems import Invalid, NotFound, Refused
from portal.tenancy.lanes import KIND_LABELS, PRIVILEGED_KINDS, UNIT_KINDS, Capability, LaneKind
from portal.tenancy.models import Lane, Tenant, Unit
from portal.tenancy.services import administers_from_above, capabilities

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COLUMNS = {"nama": "nama", "nip": "nip", "jabatan": "jabatan", "email": "email", "lane": "lane",
           "peran": "lane", "unit": "unit", "unit kerja": "unit"}


class SheetRefused(Invalid):
    """A sheet with bad rows: every problem, row by row."""

    def __init__(self, problems: list[str]):
        super().__init__("Tidak ada yang disimpan: " + " ".join(problems))
        self.problems = problems


EMAIL_MAX = 200  # user_account.email


@dataclass
class PersonInput:
    nama: str
    email: str
    nip: str = ""
    jabatan: str = ""
    lanes: list[str] = field(default_factory=list)   # lane names or keys
    unit: str = ""                                    # unit name or key
    line: int = 0


@dataclass
class Invited:
    invitation: JoinInvitation
    token: str   # the link's token: shown to the adder only where no mail can carry it


def _lane(tenant: Tenant, text: str) -> Lane | None:
    text = text.strip().lower()
    return next((lane for lane in tenant.lanes if text in (lane.name.lower(), lane.key.lower())), None)


def _unit(tenant: Tenant, text: str) -> Unit | None:
    text = text.strip().lower()
    return next((u for u in tenant.units if u.is_active and text in (u.name.lower(), u.key.lower())), None)


def _row_problems(tenant: Tenant, row: PersonInput, actor,
                  members: list[tuple[User, list[Membership]]]) -> tuple[list[str], list[tuple[Lane, Unit | None]]]:
    """What is wrong with one row by itself and against this tenant. Only the tenant's
    own people are looked at: nothing about an account elsewhere is read or told (an
    address or NIP used in another pemda is the invited person's business)."""
    problems, grants = [], []
    if not row.nama.strip():
        problems.append("nama wajib diisi")
    email = row.email.strip().lower()
    if not EMAIL.match(email):
        problems.append(f"email {row.email!r} tidak valid")
    elif len(email) > EMAIL_MAX:
        problems.append(f"email lebih dari {EMAIL_MAX} karakter")
    nip = ""
    if row.nip.strip():
        problem = nip_problem(row.nip)
        if problem:
            problems.append(problem)
        else:
            nip = normalise_nip(row.nip)
            other = next((user for user, _ in members if user.nip == nip and user.email != email), None)
            if other is not None:  # a member of this tenant: listed on its people page already
                problems.append(f"NIP {nip} sudah dipakai oleh {other.name} ({other.email}) di {tenant.name}")
    if not row.lanes:
        problems.append("peran (lane) wajib diisi")
    unit = None
    if row.unit.strip():
        unit = _unit(tenant, row.unit)
        if unit is None:
            problems.append(f"unit {row.unit!r} tidak ada di {tenant.name}")
    unit_lanes = []
    for text in row.lanes:
        lane = _lane(tenant, text)
        if lane is None:
            problems.append(f"peran {text!r} tidak ada di {tenant.name}")
            continue
        if lane.kind in PRIVILEGED_KINDS and not administers_from_above(actor, tenant):
            problems.append(f"peran {lane.name!r} ({KIND_LABELS[LaneKind(lane.kind)]}) hanya dapat diberikan oleh "
                            "admin pemda atau koordinator provinsi")
            continue
        needs_unit = LaneKind(lane.kind) in UNIT_KINDS
        if needs_unit:
            unit_lanes.append(lane)
            if not row.unit.strip():
                problems.append(f"peran {lane.name!r} dipegang untuk sebuah unit; isi kolom unit")
        grants.append((lane, unit if needs_unit else None))
    if unit is not None and grants and not unit_lanes:
        # Kept, the unit would narrow what a Sekretaris or Perencana reviews to that unit
        # (cycles/policy.py reads a membership's unit); dropped, the adder never knows.
        names = ", ".join(lane.name for lane, _ in grants)
        problems.append(f"peran {names} tidak dipegang untuk sebuah unit; kosongkan kolom unit "
                        f"({unit.name}) atau pilih peran Kabid/staf untuk unit itu")
    if actor is not None and email == actor.email:
        # An administrator may not hand themselves a lane (a Kepala's signature, say).
        problems.append("Anda tidak dapat memberi peran kepada diri sendiri; minta admin lain")
    held = next((memberships for user, memberships in members if user.email == email), [])
    for lane, grant_unit in grants:
        if any(m.lane_id == lane.id and m.unit_id == (grant_unit.id if grant_unit else None) for m in held):
            problems.append(f"{email} sudah memegang peran {lane.name}")
    if email and db.session.scalar(select(JoinInvitation.id).where(
            JoinInvitation.tenant_id == tenant.id, JoinInvitation.email == email,
            JoinInvitation.accepted_at.is_(None), JoinInvitation.ended_at.is_(None),
            JoinInvitation.expires_at > utcnow()).limit(1)):
        problems.append(f"{email} sudah diundang ke {tenant.name} dan belum menjawab; kirim ulang undangannya "
                        "dari daftar undangan")
    return problems, grants


def _sheet_problems(rows: list[PersonInput], grants_of: list) -> dict[int, list[str]]:
    """The sheet against itself, every bad row named: one NIP for two addresses, one
    address with two names, the same address and lane twice."""
    out: dict[int, list[str]] = {}
    first_nip: dict[str, tuple[PersonInput, str]] = {}
    first_name: dict[str, PersonInput] = {}
    seen_grants: dict[tuple, PersonInput] = {}
    for index, row in enumerate(rows):
        email, name = row.email.strip().lower(), " ".join(row.nama.split())
        nip = normalise_nip(row.nip) if row.nip.strip() and not nip_problem(row.nip) else ""
        where = f"baris {row.line}" if row.line else "baris lain"
        if nip:
            earlier = first_nip.setdefault(nip, (row, email))
            if earlier[1] != email:
                other = f"baris {earlier[0].line}" if earlier[0].line else "baris lain"
                out.setdefault(index, []).append(f"NIP {nip} juga tercantum di {other} dengan email lain "
                                                 f"({earlier[1]}); satu NIP adalah satu orang")
                out.setdefault(rows.index(earlier[0]), []).append(
                    f"NIP {nip} juga tercantum di {where} dengan email lain ({email})")
        if email:
            earlier_row = first_name.setdefault(email, row)
            if " ".join(earlier_row.nama.split()).lower() != name.lower():
                other = f"baris {earlier_row.line}" if earlier_row.line else "baris lain"
                out.setdefault(index, []).append(f"{email} tercantum juga di {other} dengan nama lain "
                                                 f"({earlier_row.nama.strip()!r} dan {row.nama.strip()!r})")
                out.setdefault(rows.index(earlier_row), []).append(
                    f"{email} tercantum juga di {where} dengan nama lain ({row.nama.strip()!r})")
        for lane, unit in grants_of[index]:
            key = (email, lane.id, unit.id if unit else None)
            if key in seen_grants:
                out.setdefault(index, []).append(f"{email} sebagai {lane.name} tercantum dua kali")
            seen_grants.setdefault(key, row)
    return out


def invite_people(tenant: Tenant, actor, rows: list[PersonInput], now=None) -> list[Invited]:
    """An invitation per address (its rows' lanes together), or none: raises
    SheetRefused naming each bad row. No account is read, made or changed: the answer is
    the same whether an address has an account (anywhere) or not."""
    if not rows:
        raise SheetRefused(["Tidak ada baris berisi data."])
    now = now or utcnow()
    members = people_of(tenant)
    checked = [_row_problems(tenant, row, actor, members) for row in rows]
    within = _sheet_problems(rows, [grants for _, grants in checked])
    problems = []
    for index, (row, (row_problems, _)) in enumerate(zip(rows, checked, strict=True)):
        where = f"Baris {row.line}: " if row.line else ""
        problems.extend(f"{where}{p}." for p in row_problems + within.get(index, []))
    if problems:
        raise SheetRefused(problems)
    grouped: dict[str, tuple[PersonInput, list]] = {}
    for row, (_, grants) in zip(rows, checked, strict=True):
        grouped.setdefault(row.email.strip().lower(), (row, []))[1].extend(grants)
    hours = current_app.config["INVITATION_HOURS"]
    out = []
    for email, (row, grants) in grouped.items():
        token = secrets.token_urlsafe(32)
        invitation = JoinInvitation(
            tenant_id=tenant.id, email=email, nama=" ".join(row.nama.split())[:200], nip=normalise_nip(row.nip),
            jabatan=row.jabatan.strip()[:200], grants=[[lane.id, unit.id if unit else None] for lane, unit in grants],
            token_hash=invitations.token_hash(token), created_at=now, expires_at=now + timedelta(hours=hours),
            created_by_id=actor.id if actor else None)
        db.session.add(invitation)
        db.session.flush()
        audit.record(tenant, actor, "undangan.buat", "join_invitation", invitation.id,
                     new=f"{invitation.nama} sebagai {grants_text(grants)}")  # subject: the invitation; no address
        out.append(Invited(invitation, token))
    return out


def invite_person(tenant: Tenant, actor, nama: str, email: str, nip: str = "", jabatan: str = "",
                  lanes: list[str] | None = None, unit: str = "") -> Invited:
    return invite_people(tenant, actor, [PersonInput(nama, email, nip, jabatan, list(lanes or []), unit)])[0]


def grants_text(grants) -> str:
    return ", ".join(lane.name + (f" ({unit.name})" if unit else "") for lane, unit in grants)


def read_sheet(data: bytes, filename: str) -> list[PersonInput]:
    """Rows of an XLSX or CSV sheet whose first row names the columns."""
    if filename.lower().endswith(".xlsx"):
        problem = safe_files.xlsx_problem(data)
        if problem:
            raise SheetRefused([problem])
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file, not our bug
            raise SheetRefused(["Berkas bukan XLSX yang dapat dibaca."]) from None
        sheet = book.worksheets[0]
        raw = [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        first = next((line for line in text.splitlines() if line.strip()), "")
        try:
            dialect = csv.Sniffer().sniff(first or ",", delimiters=",;\t")
        except csv.Error:
            raise SheetRefused(["Berkas bukan XLSX atau CSV yang dapat dibaca: baris pertama harus berisi nama "
                                "kolom yang dipisah koma, titik koma atau tab."]) from None
        try:
            raw = safe_files.csv_rows(text, dialect)
        except Invalid as error:
            raise SheetRefused([error.message]) from None
    if not raw:
        raise SheetRefused(["Berkas kosong."])
    header = [COLUMNS.get(h.strip().lower()) for h in raw[0]]
    missing = [c for c in ("nama", "email", "lane") if c not in header]
    if missing:
        named = ", ".join("peran" if c == "lane" else c for c in missing)
        raise SheetRefused([f"Baris 1: kolom {named} tidak ada (kolom: nama, NIP, jabatan, email, peran, unit)."])
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        cells = {header[i]: v for i, v in enumerate(values) if i < len(header) and header[i]}
        if not any(cells.values()):
            continue
        lanes = [part.strip() for part in re.split(r"[;\n]", cells.get("lane", "")) if part.strip()]
        rows.append(PersonInput(cells.get("nama", ""), cells.get("email", ""), cells.get("nip", ""),
                                cells.get("jabatan", ""), lanes, cells.get("unit", ""), line=number))
    return rows


def people_of(tenant: Tenant) -> list[tuple[User, list[Membership]]]:
    """The tenant's members (platform admins are never listed or counted by a tenant)."""
    rows = db.session.scalars(select(Membership).join(User, User.id == Membership.user_id).where(
        Membership.tenant_id == tenant.id, User.is_platform_admin.is_(False)).order_by(Membership.id))
    out: dict[int, tuple[User, list]] = {}
    for m in rows:
        out.setdefault(m.user_id, (m.user, []))[1].append(m)
    return sorted(out.values(), key=lambda pair: pair[0].name.lower())


def pending_invitations(tenant: Tenant) -> list[JoinInvitation]:
    """Open invitations to this tenant (what the adders typed), newest first."""
    return list(db.session.scalars(select(JoinInvitation).where(
        JoinInvitation.tenant_id == tenant.id, JoinInvitation.accepted_at.is_(None),
        JoinInvitation.ended_at.is_(None)).order_by(JoinInvitation.id.desc())))


def invitation_of(tenant: Tenant, invitation_id) -> JoinInvitation:
    invitation = db.session.scalar(select(JoinInvitation).where(JoinInvitation.id == invitation_id,
                                                                JoinInvitation.tenant_id == tenant.id))
    if invitation is None or not invitation.open:
        raise NotFound("Undangan ini tidak ada atau sudah dijawab.")
    return invitation


def renew_invitation(invitation: JoinInvitation, actor, now=None) -> str:
    """A new link for an open invitation (the old one stops working), valid afresh."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    invitation.token_hash = invitations.token_hash(token)
    invitation.expires_at = now + timedelta(hours=current_app.config["INVITATION_HOURS"])
    audit.record(invitation.tenant, actor, "undangan.kirim", "join_invitation", invitation.id,
                 new=invitation.nama)
    return token


def cancel_invitation(invitation: JoinInvitation, actor, now=None) -> None:
    invitation.ended_at = now or utcnow()
    audit.record(invitation.tenant, actor, "undangan.batal", "join_invitation", invitation.id,
                 old=invitation.nama)


def member(tenant: Tenant, user_id) -> User:
    """A person holding a lane in this tenant (404 otherwise; platform admins are no
    tenant's members)."""
    user = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        User.id == user_id, Membership.tenant_id == tenant.id, User.is_platform_admin.is_(False)).limit(1))
    if user is None:
        raise NotFound("Orang ini tidak terdaftar di instansi ini.")
    return user


def account_refusal(actor, user: User) -> str | None:
    """Why the actor may not hand out a password link for, or (de)activate, this account;
    None when they may. An account is one person's across every tenant they belong to,
    so the actor must administer each of those tenants, and from above where the person
    signs or administers there (a Perencana does not reset his Kepala's password)."""
    if actor is None:
        return None
    if user.id == actor.id:
        return "Akun Anda sendiri diatur lewat Ubah kata sandi."
    if user.is_platform_admin and not actor.is_platform_admin:
        return "Akun admin platform hanya dikelola oleh admin platform."
    # Every tenant of the account, also those outside this request's row-level security
    # scope (another pemda): a decision on the whole account must see all of it.
    with rls.across_tenants():
        rows = db.session.execute(select(Membership.tenant_id, Lane.kind).join(Lane, Lane.id == Membership.lane_id)
                                  .where(Membership.user_id == user.id)).all()
        for tenant_id, kind in rows:
            tenant = db.session.get(Tenant, tenant_id)
            if Capability.MANAGE_TENANT not in capabilities(actor, tenant):
                # Not naming that tenant: it may be another pemda's (nothing outside the
                # actor's scope is disclosed).
                return (f"{user.name} juga memegang peran di instansi lain yang tidak Anda kelola; "
                        "minta admin di atas instansi itu.")
            if kind in PRIVILEGED_KINDS and not administers_from_above(actor, tenant):
                return (f"{user.name} adalah {KIND_LABELS[LaneKind(kind)]} di {tenant.name}: akunnya hanya diatur "
                        "oleh admin pemda atau koordinator provinsi.")
    return None


def manageable_member(tenant: Tenant, actor, user_id) -> User:
    """A person of this tenant whose account the actor may administer (Refused otherwise)."""
    user = member(tenant, user_id)
    refusal = account_refusal(actor, user)
    if refusal:
        raise Refused(refusal)
    return user
