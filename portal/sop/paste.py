"""Reading an SOP's step table as copied from Word or Excel (tab-separated) or from an
XLSX sheet: No, Kegiatan, one column per Pelaksana, Kelengkapan, Waktu, Output,
Keterangan. Pure: text in, an SopDocument and its problems out.

What the table does not say is guessed and shown in the preview to be corrected there:
each lane's kind (from its name), each step's symbol (first Mulai, last Selesai, a
question or a "Tidak → langkah n" a Keputusan) and meaning (collect, review, sign).
"""
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook

from portal import safe_files
from portal.problems import Invalid
from portal.sop.document import LaneDoc, Meaning, SopDocument, StepDoc, Symbol, TimeUnit, publish_problems
from portal.tenancy.lanes import KIND_LEVEL, Level

KIND_GUESSES = [
    ("kepala", r"kepala (dinas|badan|kantor|pd|perangkat|opd|pelaksana)|kadis|kaban|kakan|\bkepala$"),
    ("sekretaris", r"sekretaris|sekdin|sekban"),
    ("perencana", r"perencana|subbag(ian)? (program|perencanaan)|kasubbag? (program|perencanaan)"),
    ("kabid", r"kabid|kepala bidang|kepala seksi|kasi\b|kasubbag|kepala sub|bidang|seksi"),
    ("tim_sakip", r"\btim\b|sakip|evaluator"),
    ("staf", r"staf|pelaksana|operator|pengelola|admin"),
]
UNITS = {"menit": TimeUnit.MENIT, "mnt": TimeUnit.MENIT, "jam": TimeUnit.JAM, "hari": TimeUnit.HARI,
         "hr": TimeUnit.HARI, "hari kerja": TimeUnit.HARI_KERJA, "hk": TimeUnit.HARI_KERJA}
RETURN = re.compile(r"tidak.{0,40}?(?:kembali\s+)?ke\s+(?:langkah\s+|no\.?\s*|nomor\s+)?(\d+)", re.I)
SYMBOL_WORDS = {"mulai": Symbol.MULAI, "selesai": Symbol.SELESAI, "keputusan": Symbol.KEPUTUSAN, "◇": Symbol.KEPUTUSAN}


@dataclass
class Pasted:
    doc: SopDocument
    problems: list[str] = field(default_factory=list)    # stop the draft from being made
    warnings: list[str] = field(default_factory=list)    # to fix before publishing


def guess_kind(name: str) -> str:
    text = name.lower()
    return next((kind for kind, pattern in KIND_GUESSES if re.search(pattern, text)), "")


def _slug(name: str, taken: set) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50] or "pelaksana"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def parse_waktu(text: str) -> tuple[Decimal | None, str, str | None]:
    """'15 menit', '1,5 jam', '3 hari kerja' -> (amount, unit, problem)."""
    text = (text or "").strip()
    if not text:
        return None, TimeUnit.MENIT.value, None
    match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*([^\d]*)", text)
    if not match:
        return None, TimeUnit.MENIT.value, f"waktu {text!r} tidak terbaca (contoh: 15 menit, 2 jam, 3 hari kerja)"
    try:
        amount = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        return None, TimeUnit.MENIT.value, f"waktu {text!r} bukan angka"
    unit_text = re.sub(r"\s+", " ", match.group(2).strip().lower().rstrip("."))
    unit = UNITS.get(unit_text)
    if unit is None:
        return amount, TimeUnit.MENIT.value, (f"satuan waktu {match.group(2).strip()!r} tidak dikenal "
                                              "(menit, jam, hari, hari kerja)")
    return amount, unit.value, None


def rows_from_text(text: str) -> list[list[str]]:
    """Tab-separated rows; Excel quotes cells that hold line breaks."""
    return safe_files.csv_rows(text, delimiter="\t")


def rows_from_xlsx(data: bytes) -> list[list[str]]:
    problem = safe_files.xlsx_problem(data)  # zip bombs, DTDs, far-away cells: before openpyxl
    if problem:
        raise Invalid(problem)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - an unreadable file is the user's, not a bug
        return []
    sheet = book.worksheets[0]
    return [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]


def _header(rows: list[list[str]]) -> tuple[int, dict] | None:
    """The row naming Kelengkapan, and the column of each part of the table."""
    for index, row in enumerate(rows):
        lowered = [c.lower() for c in row]
        if "kelengkapan" not in lowered:
            continue
        k = lowered.index("kelengkapan")
        kegiatan = lowered.index("kegiatan") if "kegiatan" in lowered[:k] else 1
        cols = {"kelengkapan": k, "kegiatan": kegiatan, "lanes": list(range(kegiatan + 1, k))}
        for name in ("waktu", "output", "keterangan"):
            cols[name] = lowered.index(name) if name in lowered else {"waktu": k + 1, "output": k + 2,
                                                                    "keterangan": k + 3}[name]
        return index, cols
    return None


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if 0 <= index < len(row) else ""


def parse_rows(rows: list[list[str]], nama: str, kinds: dict[int, str] | None = None,
               symbols: dict[int, str] | None = None, meanings: dict[int, str] | None = None) -> Pasted:
    """kinds / symbols / meanings: corrections from the preview (lane index, step number)."""
    kinds, symbols, meanings = kinds or {}, symbols or {}, meanings or {}
    doc = SopDocument(nama=(nama or "").strip())
    result = Pasted(doc)
    header = _header(rows)
    if header is None:
        result.problems.append("Baris judul tabel tidak ditemukan: salin tabel beserta judul kolomnya "
                               "(No, Kegiatan, pelaksana …, Kelengkapan, Waktu, Output, Keterangan).")
        return result
    start, cols = header
    taken: set = set()
    for i, column in enumerate(cols["lanes"]):
        name = _cell(rows[start], column)
        if not name:
            result.problems.append(f"Kolom pelaksana ke-{i + 1} tidak bernama.")
            continue
        kind = kinds.get(i) or guess_kind(name)
        if not kind:
            result.problems.append(f"Pelaksana {name!r}: jenis peran tidak dikenali; pilih jenisnya.")
        doc.lanes.append(LaneDoc(_slug(name, taken), name, kind))
    if not doc.lanes:
        result.problems.append("Tabel tidak memiliki kolom pelaksana di antara Kegiatan dan Kelengkapan.")
    lane_of_column = dict(zip(cols["lanes"], doc.lanes, strict=False))
    raw_steps: list[tuple[int, list[str]]] = []
    for number, row in enumerate(rows[start + 1:], start=start + 2):
        first = _cell(row, 0).rstrip(".")
        if first.isdigit():
            raw_steps.append((number, list(row)))
        elif any(row) and raw_steps:  # a cell that went on to the next line
            previous = raw_steps[-1][1]
            for c, text in enumerate(row):
                if text and c < len(previous):
                    previous[c] = f"{previous[c]} {text}".strip()
    if not raw_steps:
        result.problems.append("Tidak ada baris langkah (baris yang diawali nomor).")
    for position, (line, row) in enumerate(raw_steps, start=1):
        marks = {c: _cell(row, c) for c in lane_of_column if _cell(row, c)}
        lanes = [lane_of_column[c].key for c in marks]
        if not lanes:
            result.problems.append(f"Langkah {position} (baris {line}): tidak ada pelaksana yang ditandai.")
        amount, unit, problem = parse_waktu(_cell(row, cols["waktu"]))
        if problem:
            result.problems.append(f"Langkah {position} (baris {line}): {problem}.")
        kegiatan, keterangan = _cell(row, cols["kegiatan"]), _cell(row, cols["keterangan"])
        mark_text = " ".join(marks.values()).lower()
        back = RETURN.search(keterangan) or RETURN.search(kegiatan)
        symbol = next((s for word, s in SYMBOL_WORDS.items() if word in mark_text), None)
        if symbol is None:
            symbol = (Symbol.MULAI if position == 1 else Symbol.SELESAI if position == len(raw_steps)
                      else Symbol.KEPUTUSAN if back or kegiatan.endswith("?") else Symbol.PROSES)
        symbol = symbols.get(position) or symbol
        doc.steps.append(StepDoc(
            no=position, kegiatan=kegiatan, lanes=lanes, symbol=symbol,
            meaning=meanings.get(position) or _meaning(kegiatan, symbol),
            kelengkapan=_cell(row, cols["kelengkapan"]), waktu_amount=amount, waktu_unit=unit,
            output=_cell(row, cols["output"]), keterangan=keterangan,
            return_to=int(back.group(1)) if back and symbol == Symbol.KEPUTUSAN else None))
    if not doc.nama:
        result.problems.append("Isi nama SOP.")
    if not result.problems:
        result.warnings = publish_problems(doc)
    return result


def _meaning(kegiatan: str, symbol: str) -> str:
    text = kegiatan.lower()
    if symbol == Symbol.KEPUTUSAN:
        return Meaning.REVIEW.value
    if re.search(r"menandatangan|mengesahkan|penandatanganan|pengesahan", text):
        return Meaning.SIGN.value
    if re.search(r"realisasi|mengisi|menginput|menginput|mengumpulkan data|pengisian", text):
        return Meaning.COLLECT.value
    return Meaning.MANUAL.value


def corrections(form) -> tuple[dict, dict, dict]:
    """The preview's corrections: kind_<lane index>, symbol_<step no>, meaning_<step no>."""
    def pick(prefix, allowed):
        out = {}
        for name, value in form.items():
            if name.startswith(prefix) and name[len(prefix):].isdigit() and value in allowed:
                out[int(name[len(prefix):])] = value
        return out
    opd_kinds = {k.value for k, level in KIND_LEVEL.items() if level == Level.OPD}
    return (pick("kind_", opd_kinds), pick("symbol_", {s.value for s in Symbol}),
            pick("meaning_", {m.value for m in Meaning}))
