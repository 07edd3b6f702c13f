"""Reading an SOP's step table as copied from Word or Excel (tab-separated) or from an
XLSX sheet: No, Kegiatan, one column per Pelaksana, Kelengkapan, Waktu, Output,
Keterangan. Pure: text in, an SopDocument and its problems out.

What the table does not say is guessed and shown in the preview to be corrected there:
each lane's name (a header in capitals is offered in title case, "KA. DINAS" as "Kepala
Dinas") and kind (from its name), each step's lanes (an SOP AP draws its flowchart shapes
in the lane cells, and Word copies a drawn shape as nothing: a step without a mark becomes
a draft step listed as still needing its lanes, ticked in the preview or the editor), its
symbol (first Mulai, last Selesai, a question or a "Tidak → langkah n" a Keputusan) and
meaning (collect, review, sign). A row that holds only the flowchart's terminator ("Mulai",
"Selesai") is the flowchart's start or end, not a task: it marks the step beside it.
"""
import hashlib
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
# A row holding nothing but one of these is the flowchart's terminator, not a step.
TERMINATORS = {"mulai": Symbol.MULAI, "start": Symbol.MULAI, "awal": Symbol.MULAI,
               "selesai": Symbol.SELESAI, "end": Symbol.SELESAI, "finish": Symbol.SELESAI, "akhir": Symbol.SELESAI,
               "stop": Symbol.SELESAI}
# Header abbreviations written out when a capitalised lane name is offered in title case.
ABBREVIATIONS = {"ka": "Kepala", "kep": "Kepala", "sek": "Sekretaris", "sekr": "Sekretaris", "kasubag": "Kasubbag",
                 "kasubbag": "Kasubbag", "kabid": "Kabid", "kasi": "Kasi", "kasie": "Kasi", "subag": "Subbag",
                 "subbag": "Subbag", "bid": "Bidang", "fung": "Fungsional"}
ACRONYMS = {"jf", "jft", "jfu", "sakip", "opd", "upt", "uptd", "pd", "tu", "skpd", "sdm", "pns", "asn", "it", "ti",
            "bpkad", "bappeda", "ppk", "pptk", "lkjip", "pk"}
SMALL_WORDS = {"dan", "atau", "dari", "di", "ke", "pada", "untuk", "yang"}


@dataclass
class Fixes:
    """What the coordinator corrected in the preview: lane index -> kind / name; step
    number -> symbol / meaning / lane indexes ticked. `ticked` says the lane check boxes
    were shown for this very table (then they, not the table's marks, say who does what)."""

    kinds: dict[int, str] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    symbols: dict[int, str] = field(default_factory=dict)
    meanings: dict[int, str] = field(default_factory=dict)
    lanes: dict[int, list[int]] = field(default_factory=dict)
    wajib: set[int] = field(default_factory=set)  # steps whose Output must be uploaded
    ticked: bool = False


@dataclass
class Pasted:
    doc: SopDocument
    problems: list[str] = field(default_factory=list)    # stop the draft from being made
    warnings: list[str] = field(default_factory=list)    # to fix before publishing
    notes: list[str] = field(default_factory=list)       # what was read differently from the table
    unmarked: list[int] = field(default_factory=list)    # steps without a lane: tick them
    fingerprint: str = ""                                # of the table the preview's ticks belong to


def fingerprint(text: str) -> str:
    """Names the pasted table, so ticks made in a preview never land on another table."""
    rows = rows_from_text(text)
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def offered_name(name: str) -> str:
    """A lane name as the portal offers it: a header in capitals in title case, its
    abbreviation dots dropped ("KA. DINAS" -> "Kepala Dinas", "JF PERENCANA" -> "JF
    Perencana"); a name already in mixed case as written."""
    name = re.sub(r"\s+", " ", (name or "").strip().rstrip(":").strip())
    if not name or any(c.islower() for c in name):
        return name
    words = []
    for i, word in enumerate(re.split(r"(?<=\.)|\s+", name)):
        bare = word.strip().rstrip(".").strip()
        if not bare:
            continue
        low = bare.lower()
        if low in ABBREVIATIONS and (word.strip().endswith(".") or low in ("kasubag", "kasubbag", "kabid", "kasi")):
            words.append(ABBREVIATIONS[low])
        elif low in ACRONYMS:
            words.append(bare.upper())
        elif low in SMALL_WORDS and i:
            words.append(low)
        else:
            words.append("-".join(part[:1].upper() + part[1:].lower() for part in bare.split("-")))
    return " ".join(words)


def terminator_of(row: list[str]) -> str | None:
    """The symbol of a row that holds only the flowchart's terminator word (its number,
    if any, aside), else None."""
    cells = [c.strip().strip(".").lower() for c in row if c.strip()]
    if cells and cells[0].isdigit():
        cells = cells[1:]
    cells = [c for c in cells if len(c) > 1]  # a mark (X, √) beside it changes nothing
    words = set(cells)
    if len(words) == 1:
        return TERMINATORS.get(words.pop())
    return None


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
               symbols: dict[int, str] | None = None, meanings: dict[int, str] | None = None,
               fixes: Fixes | None = None) -> Pasted:
    """kinds / symbols / meanings (or all of `fixes`): corrections from the preview (lane
    index, step number)."""
    fixes = fixes or Fixes()
    kinds = {**fixes.kinds, **(kinds or {})}
    symbols, meanings = {**fixes.symbols, **(symbols or {})}, {**fixes.meanings, **(meanings or {})}
    doc = SopDocument(nama=(nama or "").strip())
    result = Pasted(doc, fingerprint=hashlib.sha256(repr(rows).encode()).hexdigest()[:16])
    header = _header(rows)
    if header is None:
        result.problems.append("Baris judul tabel tidak ditemukan: salin tabel beserta judul kolomnya "
                               "(No, Kegiatan, pelaksana …, Kelengkapan, Waktu, Output, Keterangan).")
        return result
    start, cols = header
    taken: set = set()
    for i, column in enumerate(cols["lanes"]):
        header_name = _cell(rows[start], column)
        name = (fixes.names.get(i) or "").strip()[:200] or offered_name(header_name)
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
    terminators: list[tuple[int, str, int]] = []  # (line, symbol, steps read before it)
    for number, row in enumerate(rows[start + 1:], start=start + 2):
        first = _cell(row, 0).rstrip(".")
        ends = terminator_of(row)
        if ends:
            terminators.append((number, ends, len(raw_steps)))
        elif first.isdigit():
            raw_steps.append((number, list(row)))
        elif any(row) and raw_steps:  # a cell that went on to the next line
            previous = raw_steps[-1][1]
            for c, text in enumerate(row):
                if text and c < len(previous):
                    previous[c] = f"{previous[c]} {text}".strip()
    if not raw_steps:
        result.problems.append("Tidak ada baris langkah (baris yang diawali nomor).")
    # The table's own numbers ("Tidak: kembali ke langkah 3") -> the steps' positions.
    position_of = {int(_cell(row, 0).rstrip(".")): p for p, (_, row) in enumerate(raw_steps, start=1)}
    forced = {}
    for line, symbol, before in terminators:
        if not raw_steps:
            continue
        if symbol == Symbol.MULAI and before == 0:
            forced[1] = symbol
            result.notes.append(f"Baris {line} ({SYMBOL_WORDS_LABEL[symbol]}) dibaca sebagai terminator bagan alir, "
                                "bukan langkah: langkah 1 menjadi awal alur.")
        elif symbol == Symbol.SELESAI and before == len(raw_steps):
            forced[len(raw_steps)] = symbol
            result.notes.append(f"Baris {line} ({SYMBOL_WORDS_LABEL[symbol]}) dibaca sebagai terminator bagan alir, "
                                f"bukan langkah: langkah {len(raw_steps)} menjadi akhir alur.")
        else:
            result.notes.append(f"Baris {line} ({SYMBOL_WORDS_LABEL[symbol]}) di tengah tabel diabaikan: "
                                "terminator hanya di awal atau akhir alur.")
    for position, (line, row) in enumerate(raw_steps, start=1):
        marks = {c: _cell(row, c) for c in lane_of_column if _cell(row, c)}
        if fixes.ticked:  # the preview's check boxes say who does the step
            chosen = set(fixes.lanes.get(position, []))
            lanes = [lane.key for i, lane in enumerate(doc.lanes) if i in chosen]
        else:
            lanes = [lane_of_column[c].key for c in marks]
        if not lanes:
            result.unmarked.append(position)
        amount, unit, problem = parse_waktu(_cell(row, cols["waktu"]))
        if problem:
            result.problems.append(f"Langkah {position} (baris {line}): {problem}.")
        kegiatan, keterangan = _cell(row, cols["kegiatan"]), _cell(row, cols["keterangan"])
        mark_text = " ".join(marks.values()).lower()
        back = RETURN.search(keterangan) or RETURN.search(kegiatan)
        symbol = forced.get(position) or next((s for word, s in SYMBOL_WORDS.items() if word in mark_text), None)
        if symbol is None:
            symbol = (Symbol.MULAI if position == 1 else Symbol.SELESAI if position == len(raw_steps)
                      else Symbol.KEPUTUSAN if back or kegiatan.endswith("?") else Symbol.PROSES)
        symbol = symbols.get(position) or symbol
        doc.steps.append(StepDoc(
            no=position, kegiatan=kegiatan, lanes=lanes, symbol=symbol,
            meaning=meanings.get(position) or _meaning(kegiatan, symbol),
            kelengkapan=_cell(row, cols["kelengkapan"]), waktu_amount=amount, waktu_unit=unit,
            output=_cell(row, cols["output"]), keterangan=keterangan,
            output_wajib=position in fixes.wajib and bool(_cell(row, cols["output"])),
            return_to=(position_of.get(int(back.group(1)), int(back.group(1)))
                       if back and symbol == Symbol.KEPUTUSAN else None)))
    if not doc.nama:
        result.problems.append("Isi nama SOP.")
    if not result.problems:
        unmarked = set(result.unmarked)
        # One line for the unmarked steps (above the table) instead of one a step.
        result.warnings = [w for w in publish_problems(doc)
                           if not (w.endswith(": belum ada pelaksana.") and int(w.split()[1].rstrip(":")) in unmarked)]
    return result


SYMBOL_WORDS_LABEL = {Symbol.MULAI: "Mulai", Symbol.SELESAI: "Selesai"}


def _meaning(kegiatan: str, symbol: str) -> str:
    text = kegiatan.lower()
    if symbol == Symbol.KEPUTUSAN:
        return Meaning.REVIEW.value
    if re.search(r"menandatangan|mengesahkan|penandatanganan|pengesahan", text):
        return Meaning.SIGN.value
    if re.search(r"realisasi|mengisi|menginput|menginput|mengumpulkan data|pengisian", text):
        return Meaning.COLLECT.value
    return Meaning.MANUAL.value


def corrections(form, text: str = "") -> Fixes:
    """The preview's corrections: kind_<lane index>, nama_pelaksana_<lane index>,
    symbol_<step no>, meaning_<step no>, pelaksana_<step no> (lane indexes ticked; read
    only when `centang` names this very table)."""
    def pick(prefix, allowed=None):
        out = {}
        for name, value in form.items():
            if name.startswith(prefix) and name[len(prefix):].isdigit() and (allowed is None or value in allowed):
                out[int(name[len(prefix):])] = value
        return out
    opd_kinds = {k.value for k, level in KIND_LEVEL.items() if level == Level.OPD}
    ticked = bool(text) and form.get("centang", "") == fingerprint(text)
    lanes, wajib = {}, set()
    if ticked:
        for name in form:
            if name.startswith("pelaksana_") and name[10:].isdigit():
                lanes[int(name[10:])] = [int(v) for v in form.getlist(name) if v.isdigit()]
            if name.startswith("wajib_") and name[6:].isdigit() and form.get(name) == "1":
                wajib.add(int(name[6:]))
    return Fixes(kinds=pick("kind_", opd_kinds), names=pick("nama_pelaksana_"),
                 symbols=pick("symbol_", {s.value for s in Symbol}),
                 meanings=pick("meaning_", {m.value for m in Meaning}),
                 lanes=lanes, wajib=wajib, ticked=ticked)
