"""Editing a draft SOP version in place: header, lists, lanes and steps.

Plain functions taking the row, the acting user and clean values (read and checked by
`sop/forms.py`); here only the checks that need the version itself (its lanes, its earlier
steps). Every save carries the revision the browser loaded; a different revision in the
database means someone else saved in between, and the save is refused with who and what.
"""
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal import clock, problems
from portal.auth import pangkat
from portal.columns import utcnow
from portal.extensions import db
from portal.sop.document import HEADER_FIELDS, HEADER_LISTS, Symbol
from portal.sop.models import SopLane, SopStep, SopVersion
from portal.tenancy.lanes import KIND_LEVEL, LaneKind, Level

OPD_LANE_KINDS = [k.value for k in LaneKind if KIND_LEVEL[k] == Level.OPD]
PUBLISHED = "Versi ini sudah diterbitkan dan tidak dapat diubah. Buat revisi untuk mengubahnya."


class FieldErrors(problems.Invalid):
    """Input refused field by field: {field: message in Bahasa Indonesia}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class StaleWrite(problems.Conflict):
    """Someone else saved this row since the browser loaded it (409, answered with the
    form again: who, when and what the row holds now)."""

    def __init__(self, who: str, when: str, current: dict):
        super().__init__(f"Sudah diubah oleh {who} pada {when}.")
        self.who, self.when = who, when
        self.current = current  # field -> the value now in the database (display text)


@dataclass
class Header:
    nama: str
    nomor: str
    tanggal_pembuatan: date | None
    tanggal_revisi: date | None
    tanggal_efektif: date | None
    tanggal_pengesahan: date | None
    disahkan_nama: str
    disahkan_nip: str
    disahkan_jabatan: str
    disahkan_pangkat: str
    lists: dict[str, list[str]]


@dataclass
class StepValues:
    kegiatan: str
    kelengkapan: str
    output: str
    keterangan: str
    lane_keys: list[str]  # as chosen; checked against the version's lanes here
    symbol: str
    meaning: str
    waktu_unit: str
    waktu_amount: Decimal | None
    repeat: str | None
    return_to: str  # the id of the step a "Tidak" goes back to, as chosen; "" for none
    output_wajib: bool = False


def require_draft(version: SopVersion) -> None:
    if version.is_published:
        raise problems.Conflict(PUBLISHED)


def _check_revision(row, expected: int, describe) -> None:
    if row.revision != expected:
        who = row.updated_by.name if row.updated_by else "orang lain"
        when = clock.waktu(row.updated_at) if row.updated_at else "baru saja"
        raise StaleWrite(who, when, describe(row))


def _touch(row, user) -> None:
    row.revision = (row.revision or 0) + 1
    row.updated_at = utcnow()
    row.updated_by_id = user.id if user else None


# ---------------------------------------------------------------- header and lists

def describe_header(version: SopVersion) -> dict:
    return {"Nama SOP": version.nama, "Nomor": version.nomor,
            "Disahkan oleh": version.disahkan_nama, **{label: f"{len((version.lists or {}).get(key, []))} butir"
                                                      for key, label in HEADER_LISTS}}


def checked_pangkat(value: str, stored: str) -> str:
    """The pangkat/golongan to keep: one of the official list (written "Pangkat (gol)");
    an old free-text value naming neither may stay as it was, never be typed anew; a
    pangkat that is not of its golongan is refused."""
    if value == stored and pangkat.is_legacy(value):
        return value
    kept, problem = pangkat.read(value)
    if problem:
        raise FieldErrors({"disahkan_pangkat": problem})
    return kept


def update_header(version: SopVersion, user, expected_revision: int, header: Header) -> None:
    require_draft(version)
    header.disahkan_pangkat = checked_pangkat(header.disahkan_pangkat, version.disahkan_pangkat)
    _check_revision(version, expected_revision, describe_header)
    for key in HEADER_FIELDS:
        setattr(version, key, getattr(header, key))
    version.lists = {key: list(header.lists.get(key, [])) for key, _ in HEADER_LISTS}
    _touch(version, user)


# ---------------------------------------------------------------- lanes

def describe_lane(lane: SopLane) -> dict:
    return {"Nama pelaksana": lane.name, "Jenis peran": lane.kind}


def _new_lane_key(version: SopVersion, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "pelaksana"
    taken = {lane.key for lane in version.lanes}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def add_lane(version: SopVersion, user, name: str, kind: str) -> SopLane:
    require_draft(version)
    lane = SopLane(tenant_id=version.tenant_id, position=len(version.lanes) + 1,
                   key=_new_lane_key(version, name), name=name, kind=kind)
    version.lanes.append(lane)
    _touch(lane, user)
    return lane


def update_lane(lane: SopLane, user, expected_revision: int, name: str, kind: str) -> None:
    require_draft(lane.version)
    _check_revision(lane, expected_revision, describe_lane)
    lane.name, lane.kind = name, kind
    _touch(lane, user)


def delete_lane(lane: SopLane) -> None:
    """Remove a lane; steps it did keep their other lanes (a step left with none is
    reported when publishing)."""
    version = lane.version
    require_draft(version)
    for step in version.steps:
        if lane.key in (step.lane_keys or []):
            step.lane_keys = [k for k in step.lane_keys if k != lane.key]
    version.lanes.remove(lane)
    db.session.delete(lane)
    _renumber(version.lanes)


def move(row: SopLane | SopStep, direction: int) -> None:
    """Swap a lane or step with its neighbour (-1 up, +1 down)."""
    require_draft(row.version)
    rows = row.version.lanes if isinstance(row, SopLane) else row.version.steps
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


def _step_fields(version: SopVersion, values: StepValues, step: SopStep | None) -> dict:
    """The step's columns from clean values, after the checks against this version: the
    lanes must be its own, a "Tidak" must go back to an earlier step."""
    errors: dict[str, str] = {}
    known = [lane.key for lane in version.lanes]
    if any(key not in known for key in values.lane_keys):
        errors["lanes"] = "Pelaksana yang dipilih tidak ada di SOP ini."
    return_to_id = None
    if values.symbol == Symbol.KEPUTUSAN and values.return_to:
        candidates = {str(s.id): s for s in version.steps if step is None or s.position < step.position}
        if values.return_to not in candidates:
            errors["return_to"] = "Langkah kembali harus langkah sebelumnya."
        else:
            return_to_id = candidates[values.return_to].id
    if errors:
        raise FieldErrors(errors)
    return {
        "kegiatan": values.kegiatan, "kelengkapan": values.kelengkapan, "output": values.output,
        "output_wajib": bool(values.output_wajib and values.output),
        "keterangan": values.keterangan,
        "lane_keys": [key for key in known if key in values.lane_keys],  # in the document's order
        "symbol": values.symbol, "meaning": values.meaning, "waktu_unit": values.waktu_unit,
        "waktu_amount": values.waktu_amount, "repeat": values.repeat, "return_to_id": return_to_id,
    }


def add_step(version: SopVersion, user, values: StepValues) -> SopStep:
    require_draft(version)
    fields = _step_fields(version, values, None)
    step = SopStep(tenant_id=version.tenant_id, position=len(version.steps) + 1, **fields)
    version.steps.append(step)
    _touch(step, user)
    return step


def update_step(step: SopStep, user, expected_revision: int, values: StepValues) -> None:
    require_draft(step.version)
    fields = _step_fields(step.version, values, step)
    _check_revision(step, expected_revision, describe_step)
    for key, value in fields.items():
        setattr(step, key, value)
    _touch(step, user)


def delete_step(step: SopStep) -> None:
    version = step.version
    require_draft(version)
    for other in version.steps:
        if other.return_to_id == step.id:
            other.return_to_id = None
    version.steps.remove(step)
    db.session.delete(step)
    _renumber(version.steps)
