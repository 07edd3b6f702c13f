"""Read a filled template (openpyxl, read only) and apply it to an indicator set.

read_workbook() checks the whole file and returns every problem with its sheet, row
number and column; apply_plan() runs only on a clean file, in the caller's single
transaction. Rows are matched by code: an existing sasaran, indikator or program with
the same code is updated, a new code is added, nothing is deleted; a column the file
does not have leaves that field of an existing row as it is.

A formula cell is read by the value the spreadsheet stored with it (Excel and
LibreOffice store the result when they save); a formula without a stored result is
refused with its row and column, never read as empty.
"""
import io
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import zip_longest

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select

from portal import safe_files
from portal.extensions import db
from portal.indikator import definitions, services
from portal.indikator.models import Indikator, ProgramKegiatan, Sasaran
from portal.indikator.xlsx_cells import Formula, cell_value
from portal.indikator.xlsx_template import (
    INDIKATOR_COLUMNS,
    PROGRAM_COLUMNS,
    SHEET_INDIKATOR,
    SHEET_PROGRAM,
    Column,
)

MAX_ROWS = 2000
TRUE_WORDS = {"ya", "y", "true", "1", "benar", "iya"}
FALSE_WORDS = {"tidak", "t", "false", "0", "salah", "bukan", "no", "n"}


@dataclass
class Plan:
    sasaran: dict = field(default_factory=dict)      # kode -> nama
    indikator: list = field(default_factory=list)    # (row number, values with "kode_sasaran")
    programs: list = field(default_factory=list)     # (row number, values with "kode_induk")
    # The columns the file has, per sheet: fields of other columns stay as they are.
    columns: dict = field(default_factory=dict)      # sheet name -> {column key}


def _key(text) -> str:
    return " ".join(str(text or "").replace("*", "").split()).lower()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_number(value, places: int, negative: bool) -> tuple[Decimal | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, "bukan angka."
    if isinstance(value, (int, float)):
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        q = Decimal(1).scaleb(-places)
        if d.as_tuple().exponent < -places and abs(d - d.quantize(q, rounding=ROUND_HALF_UP)) < Decimal("1e-9"):
            d = d.quantize(q, rounding=ROUND_HALF_UP)  # binary noise of a computed cell (0,30000000000000004)
        return definitions.number(forms_text(d), places=places, negative=negative)
    if isinstance(value, str):
        return definitions.number(value, places=places, negative=negative)
    return None, "bukan angka."


def forms_text(d: Decimal) -> str:
    """A Decimal in the Indonesian notation parse_angka reads ("-1234,5")."""
    sign, digits = ("-" if d < 0 else ""), f"{abs(d):f}"
    return sign + digits.replace(".", ",")


def _choice(value, col: Column) -> tuple[str | None, str | None]:
    text = _key(value)
    if not text:
        return None, None
    for code, label in col.choices.items():
        if text in (code, _key(label), code.replace("_", " ")):
            return code, None
    return None, f"{_cell_text(value)!r} tidak dikenal; pilihan: {', '.join(col.choices.values())}."


def _bool(value) -> tuple[bool, str | None]:
    if value is None or value == "":
        return False, None
    if isinstance(value, bool):
        return value, None
    text = _key(value)
    if text in TRUE_WORDS:
        return True, None
    if text in FALSE_WORDS:
        return False, None
    return False, f"{_cell_text(value)!r} bukan Ya atau Tidak."


def _header_map(sheet_name: str, header_row, columns, errors: list[str]) -> dict[int, Column]:
    by_header = {_key(c.header): c for c in columns}
    mapping: dict[int, Column] = {}
    for i, value in enumerate(header_row or ()):
        if value is None or not str(value).strip():
            continue
        col = by_header.get(_key(value))
        if col is None:
            errors.append(f"Lembar {sheet_name}, baris 1: kolom {_cell_text(value)!r} tidak dikenal.")
        elif col in mapping.values():
            errors.append(f"Lembar {sheet_name}, baris 1: kolom {col.header!r} muncul dua kali.")
        else:
            mapping[i] = col
    for col in columns:
        if col.required and col not in mapping.values():
            errors.append(f"Lembar {sheet_name}, baris 1: kolom wajib {col.header!r} tidak ditemukan.")
    return mapping


def _rows(sheet, sheet_name, columns, errors, formulas=None, present=None):
    """(row number, {key: raw value}) of the non-empty rows below the header. `formulas`
    is the same sheet read without data_only (to tell formula cells); `present`
    collects the keys of the columns the file has."""
    rows = sheet.iter_rows(values_only=True)
    texts = formulas.iter_rows(values_only=True) if formulas is not None else iter(())
    mapping = _header_map(sheet_name, next(rows, None), columns, errors)
    next(texts, None)
    if present is not None:
        present.update(col.key for col in mapping.values())
    for number, (values, raw) in enumerate(zip_longest(rows, texts), start=2):
        if values is None:
            return
        if number > MAX_ROWS + 1:
            errors.append(f"Lembar {sheet_name}: lebih dari {MAX_ROWS} baris; bagi berkasnya menjadi beberapa.")
            return
        raw = raw or ()
        values = [cell_value(v, raw[i] if i < len(raw) else None) for i, v in enumerate(values)]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        yield number, {col.key: values[i] if i < len(values) else None for i, col in mapping.items()}


def _read_row(raw: dict, columns, units: dict, negative_key: str | None) -> tuple[dict, dict]:
    v, errors = {}, {}
    flag = raw.get(negative_key) if negative_key else None
    negative, message = _bool(None if isinstance(flag, Formula) else flag)
    for col in columns:
        value = raw.get(col.key)
        if isinstance(value, Formula):
            v[col.key], errors[col.key] = None, value.message
            continue
        if col.kind in ("number", "rupiah"):
            v[col.key], message = _cell_number(value, 4 if col.kind == "number" else 2,
                                               negative if col.kind == "number" else False)
        elif col.kind == "bool":
            v[col.key], message = _bool(value)
        elif col.kind == "choice":
            v[col.key], message = _choice(value, col)
        elif col.kind == "unit":
            text = _key(value)
            v["unit_id"] = units.get(text) if text else None
            missing = text and not v["unit_id"]
            message = f"unit {_cell_text(value)!r} tidak ada di perangkat daerah ini." if missing else None
        else:
            v[col.key], message = _cell_text(value)[:5000 if col.key == "definisi" else 500], None
        if message is None and col.required and v.get(col.key) in (None, ""):
            message = "wajib diisi."
        if message:
            errors[col.key] = message
    return v, errors


def open_workbook(data: bytes, data_only: bool):
    return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


def read_workbook(data: bytes, units) -> tuple[Plan, list[str]]:
    """Every row of the workbook as a Plan, or the list of what is wrong with it."""
    errors: list[str] = []
    plan = Plan()
    if problem := safe_files.xlsx_problem(data):  # zip bombs, DTDs, far-away cells: before openpyxl
        return plan, [problem]
    try:
        book = open_workbook(data, data_only=True)        # values, and formulas' stored results
        formulas = open_workbook(data, data_only=False)   # which cells are formulas
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        return plan, ["Berkas bukan XLSX yang dapat dibaca. Unduh templat, isi, lalu unggah lagi."]
    try:
        if SHEET_INDIKATOR not in book.sheetnames:
            return plan, [f"Lembar {SHEET_INDIKATOR!r} tidak ditemukan. Gunakan templat dari portal."]
        unit_keys = {}
        for u in units:
            unit_keys[_key(u.key)] = u.id
            unit_keys[_key(u.name)] = u.id
        _read_indikator(book[SHEET_INDIKATOR], formulas[SHEET_INDIKATOR], unit_keys, plan, errors)
        if SHEET_PROGRAM in book.sheetnames:
            _read_programs(book[SHEET_PROGRAM], formulas[SHEET_PROGRAM], plan, errors)
    finally:
        book.close()
        formulas.close()
    if not errors and not plan.indikator and not plan.programs:
        errors.append("Berkas tidak berisi satu baris pun.")
    return plan, errors


def _label(columns, key) -> str:
    if key == "unit_id":
        key = "unit"
    return next((c.header for c in columns if c.key == key), key)


def _read_indikator(sheet, formulas, units, plan: Plan, errors: list[str]) -> None:
    seen: dict[str, int] = {}
    sasaran_rows: dict[str, tuple[str, int]] = {}
    present = plan.columns.setdefault(SHEET_INDIKATOR, set())
    for number, raw in _rows(sheet, SHEET_INDIKATOR, INDIKATOR_COLUMNS, errors, formulas, present):
        v, problems = _read_row(raw, INDIKATOR_COLUMNS, units, "boleh_negatif")
        v["jenis_target"] = v.get("jenis_target") or "angka"
        if not problems:
            problems.update(definitions.target_problems(v))
        where = f"Lembar {SHEET_INDIKATOR}, baris {number}"
        for key, message in problems.items():
            errors.append(f"{where}: {_label(INDIKATOR_COLUMNS, key)}: {message}")
        kode, sasaran = v.get("kode"), v.get("kode_sasaran")
        if kode and kode in seen:
            errors.append(f"{where}: Kode Indikator {kode} sudah dipakai pada baris {seen[kode]}.")
        seen.setdefault(kode, number)
        if sasaran and v.get("nama_sasaran"):
            first = sasaran_rows.setdefault(sasaran, (v["nama_sasaran"], number))
            if first[0] != v["nama_sasaran"]:
                errors.append(f"{where}: Sasaran Strategis untuk kode {sasaran} berbeda dengan baris {first[1]}.")
            plan.sasaran.setdefault(sasaran, v["nama_sasaran"])
        plan.indikator.append((number, v))


def _read_programs(sheet, formulas, plan: Plan, errors: list[str]) -> None:
    seen: dict[str, int] = {}
    rows = list(_rows(sheet, SHEET_PROGRAM, PROGRAM_COLUMNS, errors, formulas, plan.columns.setdefault(SHEET_PROGRAM,
                                                                                                         set())))
    parents = {_cell_text(raw.get("kode")) for _, raw in rows if not _cell_text(raw.get("kode_induk"))}
    for number, raw in rows:
        v, problems = _read_row(raw, PROGRAM_COLUMNS, {}, None)
        where = f"Lembar {SHEET_PROGRAM}, baris {number}"
        if v.get("kode_induk") and v["kode_induk"] not in parents:
            problems.setdefault("kode_induk", f"program {v['kode_induk']} tidak ada pada lembar ini.")
        for key, message in problems.items():
            errors.append(f"{where}: {_label(PROGRAM_COLUMNS, key)}: {message}")
        if v.get("kode") in seen:
            errors.append(f"{where}: Kode {v['kode']} sudah dipakai pada baris {seen[v['kode']]}.")
        seen.setdefault(v.get("kode"), number)
        plan.programs.append((number, v))


def _field_column(name: str) -> str:
    return "unit" if name == "unit_id" else name


def _indikator_values(plan: Plan, v: dict, existing: Indikator | None, sasaran_id) -> dict:
    """The Indikator fields a row sets: a column the file lacks keeps the existing value."""
    present = plan.columns.get(SHEET_INDIKATOR, set())
    values = {}
    for name in services.INDIKATOR_FIELDS:
        if existing is not None and _field_column(name) not in present and name != "sasaran_id":
            values[name] = getattr(existing, name)
        else:
            values[name] = v.get(name)
    values["sasaran_id"] = sasaran_id
    values["definisi"] = values["definisi"] or ""
    values["sumber_data"] = values["sumber_data"] or ""
    values["target_predikat"] = values["target_predikat"] or None
    return values


def existing_problems(tenant, tset, plan: Plan, reason: str = "") -> list[str]:
    """What the file would break in the set as it is: a target kind changed after entry,
    or a frozen definition changed without a reason."""
    errors = []
    existing = {i.kode: i for i in db.session.scalars(select(Indikator).where(
        Indikator.tenant_id == tenant.id, Indikator.set_id == tset.id))}
    for number, v in plan.indikator:
        ind = existing.get(v["kode"])
        if ind is None:
            continue
        values = _indikator_values(plan, v, ind, ind.sasaran_id)
        if ind.jenis_target != values["jenis_target"] and services._has_values(ind):
            errors.append(f"Lembar {SHEET_INDIKATOR}, baris {number}: Jenis Target: tidak dapat diubah karena "
                          "realisasi indikator ini sudah diisi.")
        changes = services.definition_changes(ind, values)
        problem = definitions.reason_problem(ind, changes, reason)
        if problem:
            errors.append(f"Lembar {SHEET_INDIKATOR}, baris {number} ({ind.kode}): {problem} "
                          "Isi Alasan perubahan di halaman ini, lalu unggah lagi.")
    known = set(plan.sasaran) | set(db.session.scalars(select(Sasaran.kode).where(
        Sasaran.tenant_id == tenant.id, Sasaran.set_id == tset.id)))
    for number, v in plan.programs:
        if v.get("kode_sasaran") and v["kode_sasaran"] not in known:
            errors.append(f"Lembar {SHEET_PROGRAM}, baris {number}: Kode Sasaran: sasaran {v['kode_sasaran']} "
                          "tidak ada pada lembar Indikator maupun pada set tahun ini.")
        if v.get("kode_sasaran") and v.get("kode_induk"):
            errors.append(f"Lembar {SHEET_PROGRAM}, baris {number}: Kode Sasaran: kosongkan untuk kegiatan "
                          "(kegiatan mengikuti sasaran programnya).")
    return errors


def apply_plan(tenant, tset, plan: Plan, user=None, reason: str = "") -> dict:
    """Create or update every row of a clean plan; returns counts for the message.
    Indicator changes are audited as imports, with the reason given."""
    counts = {"sasaran": 0, "indikator": 0, "program": 0}
    sasaran = {s.kode: s for s in services.sasaran_of(tenant, tset)}
    for kode, nama in plan.sasaran.items():
        row, _ = services.save_sasaran(tset, sasaran.get(kode), {"kode": kode, "nama": nama})
        sasaran[kode] = row
        counts["sasaran"] += 1
    existing = {i.kode: i for i in db.session.scalars(select(Indikator).where(
        Indikator.tenant_id == tenant.id, Indikator.set_id == tset.id))}
    for number, v in plan.indikator:
        ind = existing.get(v["kode"])
        values = _indikator_values(plan, v, ind, sasaran[v["kode_sasaran"]].id)
        saved, errors = services.save_indikator(tenant, tset, ind, values, user, reason, action="indikator.impor")
        if saved is None:  # existing_problems() checked first; this is a guard, not a path
            raise ValueError(f"Lembar {SHEET_INDIKATOR}, baris {number}: {'; '.join(errors.values())}")
        counts["indikator"] += 1
    programs = {p.kode: p for p in db.session.scalars(select(ProgramKegiatan).where(
        ProgramKegiatan.tenant_id == tenant.id, ProgramKegiatan.set_id == tset.id))}
    for _, v in sorted(plan.programs, key=lambda item: bool(item[1].get("kode_induk"))):
        parent = programs.get(v.get("kode_induk")) if v.get("kode_induk") else None
        existing = programs.get(v["kode"])
        values = {name: v.get(name) for name in services.PROGRAM_FIELDS
                  if name not in ("parent_id", "level", "sasaran_id")}
        values.update(parent_id=parent.id if parent else None, level="kegiatan" if parent else "program")
        if "kode_sasaran" in plan.columns.get(SHEET_PROGRAM, set()):
            values["sasaran_id"] = sasaran[v["kode_sasaran"]].id if v.get("kode_sasaran") else None
        else:  # a file without the column keeps the link
            values["sasaran_id"] = existing.sasaran_id if existing is not None else None
        row, _ = services.save_program(tset, existing, values)
        programs[v["kode"]] = row
        counts["program"] += 1
    db.session.flush()
    return counts
