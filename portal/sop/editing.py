"""Editing a draft SOP version in place: header, lists, lanes and steps.

Plain functions taking the row, the acting user and the submitted values. Every save
carries the revision the browser loaded; a different revision in the database means
someone else saved in between, and the save is refused with who and what.
"""
import re
from datetime import date
from decimal import Decimal

from portal import problems
from portal.capaian.values import AngkaTidakValid, parse_angka
from portal.columns import utcnow
from portal.extensions import db
from portal.sop.document import HEADER_LISTS, Meaning, Repeat, Symbol, TimeUnit
from portal.sop.models import SopLane, SopStep, SopVersion
from portal.tenancy.lanes import KIND_LEVEL, LaneKind, Level

OPD_LANE_KINDS = [k.value for k in LaneKind if KIND_LEVEL[k] == Level.OPD]


class NotEditable(problems.Conflict):
    """The version is published: nothing in it changes any more."""


class Invalid(problems.Invalid):
    """Field errors: {field: message in Bahasa Indonesia}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Conflict(problems.Conflict):
    """Someone else saved this row since the browser loaded it (the stale write of
    `portal.problems.Conflict`, with who, when and what the row holds now)."""

    def __init__(self, who: str, when: str, current: dict):
        super().__init__(f"Sudah diubah oleh {who} pada {when}.")
        self.who, self.when = who, when
        self.current = current  # field -> the value now in the database (display text)


def _require_draft(version: SopVersion) -> None:
    if version.is_published:
        raise NotEditable("Versi ini sudah diterbitkan dan tidak dapat diubah. Buat revisi untuk mengubahnya.")


def _check_revision(row, expected, describe) -> None:
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        expected = -1
    if row.revision != expected:
        who = row.updated_by.name if row.updated_by else "orang lain"
        when = row.updated_at.strftime("%d-%m-%Y %H.%M UTC") if row.updated_at else "baru saja"
        raise Conflict(who, when, describe(row))


def _touch(row, user) -> None:
    row.revision = (row.revision or 0) + 1
    row.updated_at = utcnow()
    row.updated_by_id = user.id if user else None


def _text(values: dict, key: str, limit: int, errors: dict, required: bool = False, label: str = "") -> str:
    value = (values.get(key) or "").strip()
    if required and not value:
        errors[key] = f"{label or key} wajib diisi."
    if len(value) > limit:
        errors[key] = f"{label or key} terlalu panjang (maksimal {limit} karakter)."
    return value[:limit]


def _date(values: dict, key: str, errors: dict, label: str) -> date | None:
    raw = (values.get(key) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = f"{label} bukan tanggal yang valid (TTTT-BB-HH)."
        return None


# ---------------------------------------------------------------- header and lists

def describe_header(version: SopVersion) -> dict:
    return {"Nama SOP": version.nama, "Nomor": version.nomor,
            "Disahkan oleh": version.disahkan_nama, **{label: f"{len((version.lists or {}).get(key, []))} butir"
                                                      for key, label in HEADER_LISTS}}


def update_header(version: SopVersion, user, expected_revision, values: dict) -> None:
    _require_draft(version)
    errors: dict[str, str] = {}
    fields = {
        "nama": _text(values, "nama", 300, errors, required=True, label="Nama SOP"),
        "nomor": _text(values, "nomor", 120, errors, label="Nomor SOP"),
        "tanggal_pembuatan": _date(values, "tanggal_pembuatan", errors, "Tanggal pembuatan"),
        "tanggal_revisi": _date(values, "tanggal_revisi", errors, "Tanggal revisi"),
        "tanggal_efektif": _date(values, "tanggal_efektif", errors, "Tanggal efektif"),
        "tanggal_pengesahan": _date(values, "tanggal_pengesahan", errors, "Tanggal pengesahan"),
        "disahkan_nama": _text(values, "disahkan_nama", 200, errors, label="Nama pengesah"),
        "disahkan_nip": _text(values, "disahkan_nip", 30, errors, label="NIP"),
        "disahkan_jabatan": _text(values, "disahkan_jabatan", 200, errors, label="Jabatan"),
        "disahkan_pangkat": _text(values, "disahkan_pangkat", 120, errors, label="Pangkat/golongan"),
    }
    if fields["disahkan_nip"] and not re.fullmatch(r"[0-9 ]+", fields["disahkan_nip"]):
        errors["disahkan_nip"] = "NIP hanya berisi angka."
    lists = {}
    for key, label in HEADER_LISTS:
        items = [line.strip() for line in (values.get(key) or "").splitlines() if line.strip()]
        if any(len(item) > 1000 for item in items):
            errors[key] = f"{label}: satu butir maksimal 1000 karakter."
        lists[key] = items
    if errors:
        raise Invalid(errors)
    _check_revision(version, expected_revision, describe_header)
    for key, value in fields.items():
        setattr(version, key, value)
    version.lists = lists
    _touch(version, user)


# ---------------------------------------------------------------- lanes

def describe_lane(lane: SopLane) -> dict:
    return {"Nama pelaksana": lane.name, "Jenis peran": lane.kind}


def _lane_values(values: dict) -> tuple[str, str]:
    errors: dict[str, str] = {}
    name = _text(values, "name", 200, errors, required=True, label="Nama pelaksana")
    kind = (values.get("kind") or "").strip()
    if kind not in OPD_LANE_KINDS:
        errors["kind"] = "Pilih jenis peran pelaksana."
    if errors:
        raise Invalid(errors)
    return name, kind


def _new_lane_key(version: SopVersion, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "pelaksana"
    taken = {lane.key for lane in version.lanes}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def add_lane(version: SopVersion, user, values: dict) -> SopLane:
    _require_draft(version)
    name, kind = _lane_values(values)
    lane = SopLane(tenant_id=version.tenant_id, position=len(version.lanes) + 1,
                   key=_new_lane_key(version, name), name=name, kind=kind)
    version.lanes.append(lane)
    _touch(lane, user)
    return lane


def update_lane(lane: SopLane, user, expected_revision, values: dict) -> None:
    _require_draft(lane.version)
    name, kind = _lane_values(values)
    _check_revision(lane, expected_revision, describe_lane)
    lane.name, lane.kind = name, kind
    _touch(lane, user)


def delete_lane(lane: SopLane) -> None:
    """Remove a lane; steps it did keep their other lanes (a step left with none is
    reported when publishing)."""
    version = lane.version
    _require_draft(version)
    for step in version.steps:
        if lane.key in (step.lane_keys or []):
            step.lane_keys = [k for k in step.lane_keys if k != lane.key]
    version.lanes.remove(lane)
    db.session.delete(lane)
    _renumber(version.lanes)


def move(rows: list, row, direction: int) -> None:
    """Swap a lane or step with its neighbour (-1 up, +1 down)."""
    _require_draft(row.version)
    index = rows.index(row)
    other = index + direction
    if 0 <= other < len(rows):
        rows[index].position, rows[other].position = rows[other].position, rows[index].position
        rows.sort(key=lambda r: r.position)


def _renumber(rows: list) -> None:
    for position, row in enumerate(sorted(rows, key=lambda r: r.position), start=1):
        row.position = position


# ---------------------------------------------------------------- steps

def describe_step(step: SopStep) -> dict:
    return {
        "Kegiatan": step.kegiatan,
        "Pelaksana": ", ".join(step.lane_keys or []),
        "Simbol": step.symbol,
        "Waktu": f"{step.waktu_amount or ''} {step.waktu_unit}".strip(),
        "Output": step.output,
    }


def _step_values(version: SopVersion, values: dict, step: SopStep | None) -> dict:
    errors: dict[str, str] = {}
    out = {
        "kegiatan": _text(values, "kegiatan", 2000, errors, required=True, label="Kegiatan"),
        "kelengkapan": _text(values, "kelengkapan", 1000, errors, label="Kelengkapan"),
        "output": _text(values, "output", 1000, errors, label="Output"),
        "keterangan": _text(values, "keterangan", 1000, errors, label="Keterangan"),
    }
    lane_keys = values.getlist("lanes") if hasattr(values, "getlist") else list(values.get("lanes") or [])
    known = [lane.key for lane in version.lanes]
    if any(key not in known for key in lane_keys):
        errors["lanes"] = "Pelaksana yang dipilih tidak ada di SOP ini."
    out["lane_keys"] = [key for key in known if key in lane_keys]  # document order
    for key, enum, label in (("symbol", Symbol, "Simbol"), ("meaning", Meaning, "Makna sistem"),
                             ("waktu_unit", TimeUnit, "Satuan waktu")):
        value = values.get(key) or ""
        if value not in {e.value for e in enum}:
            errors[key] = f"Pilih {label.lower()}."
        out[key] = value
    repeat = values.get("repeat") or ""
    if repeat and repeat not in {r.value for r in Repeat}:
        errors["repeat"] = "Pilih pengulangan."
    out["repeat"] = repeat or None
    amount_text = (values.get("waktu_amount") or "").strip()
    out["waktu_amount"] = None
    if amount_text:
        try:
            amount = parse_angka(amount_text)
        except AngkaTidakValid:
            errors["waktu_amount"] = "Waktu harus berupa angka, misalnya 30 atau 1,5."
        else:
            if not isinstance(amount, Decimal) or amount <= 0:
                errors["waktu_amount"] = "Waktu harus lebih dari 0."
            elif amount >= Decimal("100000000"):
                errors["waktu_amount"] = "Waktu terlalu besar."
            else:
                out["waktu_amount"] = amount
    return_to = (values.get("return_to") or "").strip()
    out["return_to_id"] = None
    if out.get("symbol") == Symbol.KEPUTUSAN and return_to:
        candidates = {str(s.id): s for s in version.steps if step is None or s.position < step.position}
        if return_to not in candidates:
            errors["return_to"] = "Langkah kembali harus langkah sebelumnya."
        else:
            out["return_to_id"] = candidates[return_to].id
    if errors:
        raise Invalid(errors)
    return out


def add_step(version: SopVersion, user, values: dict) -> SopStep:
    _require_draft(version)
    fields = _step_values(version, values, None)
    step = SopStep(tenant_id=version.tenant_id, position=len(version.steps) + 1, **fields)
    version.steps.append(step)
    _touch(step, user)
    return step


def update_step(step: SopStep, user, expected_revision, values: dict) -> None:
    _require_draft(step.version)
    fields = _step_values(step.version, values, step)
    _check_revision(step, expected_revision, describe_step)
    for key, value in fields.items():
        setattr(step, key, value)
    _touch(step, user)


def delete_step(step: SopStep) -> None:
    version = step.version
    _require_draft(version)
    for other in version.steps:
        if other.return_to_id == step.id:
            other.return_to_id = None
    version.steps.remove(step)
    db.session.delete(step)
    _renumber(version.steps)
