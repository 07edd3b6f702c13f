"""People of a tenant: added one by one or from a sheet (nama, NIP, jabatan, email,
lane, unit), each with one or more lanes; new people get an invitation link.

A sheet is all or nothing: every bad row is named and nothing is saved until none is.
"""
import csv
import io
import re
from dataclasses import dataclass, field

from openpyxl import load_workbook
from sqlalchemy import select

from portal import rls, safe_files
from portal.audit import services as audit
from portal.auth import invitations
from portal.auth.models import Membership, User
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
class Added:
    user: User
    token: str | None   # invitation token for a new account; None when the person already had one


def _lane(tenant: Tenant, text: str) -> Lane | None:
    text = text.strip().lower()
    return next((lane for lane in tenant.lanes if text in (lane.name.lower(), lane.key.lower())), None)


def _unit(tenant: Tenant, text: str) -> Unit | None:
    text = text.strip().lower()
    return next((u for u in tenant.units if u.is_active and text in (u.name.lower(), u.key.lower())), None)


def _problems(tenant: Tenant, row: PersonInput, seen_emails: dict,
              actor=None) -> tuple[list[str], list[tuple[Lane, Unit | None]]]:
    problems, grants = [], []
    if not row.nama.strip():
        problems.append("nama wajib diisi")
    email = row.email.strip().lower()
    if not EMAIL.match(email):
        problems.append(f"email {row.email!r} tidak valid")
    if row.nip.strip():
        problem = nip_problem(row.nip)
        if problem:
            problems.append(problem)
        else:
            other = db.session.scalar(select(User).where(User.nip == normalise_nip(row.nip), User.email != email))
            if other is not None:
                problems.append(f"NIP {normalise_nip(row.nip)} sudah dipakai oleh {other.name} ({other.email})")
    if not row.lanes:
        problems.append("peran (lane) wajib diisi")
    unit = None
    if row.unit.strip():
        unit = _unit(tenant, row.unit)
        if unit is None:
            problems.append(f"unit {row.unit!r} tidak ada di {tenant.name}")
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
        if needs_unit and unit is None and not row.unit.strip():
            problems.append(f"peran {lane.name!r} dipegang untuk sebuah unit; isi kolom unit")
        grants.append((lane, unit if needs_unit else None))
    if len(email) > EMAIL_MAX:
        problems.append(f"email lebih dari {EMAIL_MAX} karakter")
        email = ""
    existing = db.session.scalar(select(User).where(User.email == email)) if email else None
    if existing is not None and actor is not None and existing.id == actor.id:
        # An administrator may not hand themselves a lane (a Kepala's signature, say).
        problems.append("Anda tidak dapat memberi peran kepada diri sendiri; minta admin lain")
    for lane, grant_unit in grants:
        key = (email, lane.id, grant_unit.id if grant_unit else None)
        if key in seen_emails.setdefault("grants", set()):
            problems.append(f"{email} sebagai {lane.name} tercantum dua kali")
        seen_emails["grants"].add(key)
        if existing is not None and db.session.scalar(select(Membership.id).where(
                Membership.user_id == existing.id, Membership.lane_id == lane.id,
                Membership.unit_id.is_(None) if grant_unit is None else Membership.unit_id == grant_unit.id)):
            problems.append(f"{email} sudah memegang peran {lane.name}")
    return problems, grants


def _save(tenant: Tenant, actor, row: PersonInput, grants, users: dict) -> Added:
    email = row.email.strip().lower()
    user = users.get(email) or db.session.scalar(select(User).where(User.email == email))
    token = None
    if user is None:
        user = User(email=email, name=row.nama.strip()[:200], nip=normalise_nip(row.nip),
                    jabatan=row.jabatan.strip()[:200])
        db.session.add(user)
        db.session.flush()
        audit.record(tenant, actor, "pengguna.buat", "user", user.id, new=f"{user.name} <{email}>")
    users[email] = user
    for lane, unit in grants:
        membership = Membership(user_id=user.id, tenant_id=tenant.id, lane_id=lane.id,
                                unit_id=unit.id if unit else None)
        db.session.add(membership)
        db.session.flush()
        audit.record(tenant, actor, "keanggotaan.buat", "user", user.id,
                     new=f"{user.name} sebagai {lane.name}" + (f" ({unit.name})" if unit else ""))
    # A link that sets the password is handed only to someone who may administer every
    # tenant of the account: adding an existing person from elsewhere gives them the lane,
    # not their account.
    if not user.password_hash and account_refusal(actor, user) is None:
        token = invitations.issue(user, actor, "undangan")
    return Added(user, token)


def add_people(tenant: Tenant, actor, rows: list[PersonInput]) -> list[Added]:
    """Add every row, or none: raises SheetRefused naming each bad row."""
    if not rows:
        raise SheetRefused(["Tidak ada baris berisi data."])
    problems, plan, seen = [], [], {}
    for row in rows:
        row_problems, grants = _problems(tenant, row, seen, actor)
        where = f"Baris {row.line}: " if row.line else ""
        problems.extend(f"{where}{p}." for p in row_problems)
        plan.append((row, grants))
    if problems:
        raise SheetRefused(problems)
    users: dict = {}
    added: dict[str, Added] = {}
    for row, grants in plan:
        result = _save(tenant, actor, row, grants, users)
        if row.email.strip().lower() not in added or result.token:
            added[row.email.strip().lower()] = result
    return list(added.values())


def add_person(tenant: Tenant, actor, nama: str, email: str, nip: str = "", jabatan: str = "",
               lanes: list[str] | None = None, unit: str = "") -> Added:
    return add_people(tenant, actor, [PersonInput(nama, email, nip, jabatan, list(lanes or []), unit)])[0]


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
    rows = db.session.scalars(select(Membership).where(Membership.tenant_id == tenant.id).order_by(Membership.id))
    out: dict[int, tuple[User, list]] = {}
    for m in rows:
        out.setdefault(m.user_id, (m.user, []))[1].append(m)
    return sorted(out.values(), key=lambda pair: pair[0].name.lower())


def member(tenant: Tenant, user_id) -> User:
    """A person holding a lane in this tenant (404 otherwise)."""
    user = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        User.id == user_id, Membership.tenant_id == tenant.id).limit(1))
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
                return (f"{user.name} juga memegang peran di {tenant.name}, yang tidak Anda kelola; "
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
