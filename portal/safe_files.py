"""Guards for uploaded files, applied BEFORE a parser sees them.

An XLSX is a zip of XML parts: a small upload can inflate to gigabytes, declare a DTD
with entities, or address cell XFD1048576 so that a read-only openpyxl pads millions of
empty cells. YAML can nest deeply enough to exhaust the recursion of the composer, or
multiply itself through aliases. Each check here reads the file as a stream with hard
limits and answers with a message in Bahasa Indonesia, or None when the file may be
parsed. The limits bound memory and, through the inflated size, the parse time
(8 MiB of sheet XML parse in about 3 s with openpyxl on one core).

Stored files (bukti dukung, cycle step outputs) are recognised by their content (magic
bytes; for XLSX and DOCX the zip must hold xl/workbook.xml or word/document.xml), never
by their name or the browser's type: check() and clean_filename() below.
"""
import csv
import io
import os
import re
import unicodedata
import zipfile

import yaml

from portal import problems

# XLSX
MAX_XLSX_PARTS = 200
MAX_XLSX_INFLATED = 8 * 1024 * 1024   # all parts together, after decompression
MAX_XLSX_ROWS = 10_000                # highest row number addressed in a sheet
MAX_XLSX_COLUMNS = 200                # highest column addressed (GR)
CHUNK = 64 * 1024

# CSV and pasted tables: no cell of any table the portal reads is near this long. The csv
# module's own limit (131,072, an exception without row or column) is lifted so that the
# refusal can name the cell; the upload size (UPLOAD_MAX_BYTES) bounds what is read.
MAX_CELL_CHARS = 131_072
csv.field_size_limit(64 * 1024 * 1024)

# YAML
MAX_YAML_CHARS = 512 * 1024
MAX_YAML_DEPTH = 20
MAX_YAML_NODES = 50_000

BAD_XLSX = "Berkas bukan XLSX yang dapat dibaca. Unduh templat, isi, lalu unggah lagi."

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(\d+)\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.decode():
        number = number * 26 + ord(char) - 64
    return number


def _sheet_problem(text: bytes) -> str | None:
    for match in _DIMENSION.finditer(text):
        col, row = match.group(3) or match.group(1), match.group(4) or match.group(2)
        if _column_number(col) > MAX_XLSX_COLUMNS or int(row) > MAX_XLSX_ROWS:
            return (f"Lembar kerja terlalu luas (sampai sel {col.decode()}{row.decode()}); maksimal "
                    f"{MAX_XLSX_ROWS} baris dan {MAX_XLSX_COLUMNS} kolom. Hapus isi di luar tabel.")
    for match in _ROW_NUMBER.finditer(text):
        if int(match.group(1)) > MAX_XLSX_ROWS:
            return f"Lembar kerja berisi lebih dari {MAX_XLSX_ROWS} baris. Bagi berkasnya menjadi beberapa."
    for match in _CELL_REF.finditer(text):
        if _column_number(match.group(1)) > MAX_XLSX_COLUMNS or int(match.group(2)) > MAX_XLSX_ROWS:
            return (f"Lembar kerja berisi sel {match.group(1).decode()}{match.group(2).decode()} di luar batas "
                    f"({MAX_XLSX_ROWS} baris, {MAX_XLSX_COLUMNS} kolom). Hapus isi di luar tabel.")
    return None


def xlsx_problem(data: bytes) -> str | None:
    """Why this XLSX may not be handed to openpyxl, or None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return BAD_XLSX
    if len(infos) > MAX_XLSX_PARTS:
        return f"Berkas XLSX berisi terlalu banyak bagian ({len(infos)}; maksimal {MAX_XLSX_PARTS})."
    too_big = (f"Isi berkas XLSX terlalu besar setelah dibuka (maksimal {MAX_XLSX_INFLATED // (1024 * 1024)} MB "
               "data lembar kerja). Hapus baris, gambar atau lembar yang tidak perlu.")
    if sum(info.file_size for info in infos) > MAX_XLSX_INFLATED:
        return too_big
    inflated = 0
    try:
        for info in infos:
            if info.is_dir():
                continue
            is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
            is_sheet = info.filename.startswith("xl/worksheets/") and is_xml
            tail = b""
            sheet_text = bytearray()
            with archive.open(info) as part:
                while chunk := part.read(CHUNK):
                    inflated += len(chunk)
                    if inflated > MAX_XLSX_INFLATED:
                        return too_big
                    if is_xml:
                        window = tail + chunk
                        if not tail and window[:2] in (b"\xff\xfe", b"\xfe\xff"):
                            return BAD_XLSX  # UTF-16 XML would hide the markup from this scan
                        if _DTD.search(window):
                            return "Berkas XLSX memuat deklarasi DTD/entitas XML dan tidak dapat diterima."
                        tail = window[-16:]
                    if is_sheet:
                        sheet_text += chunk
            if is_sheet and (problem := _sheet_problem(bytes(sheet_text))):
                return problem
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return BAD_XLSX  # bad CRC, unsupported compression, encrypted part
    return None


def yaml_problem(text: str) -> str | None:
    """Why this YAML may not be composed, or None. Reads events only (the parser is not
    recursive; the composer is), so depth and size are known before any object is built."""
    if len(text) > MAX_YAML_CHARS:
        return f"Berkas terlalu besar (maksimal {MAX_YAML_CHARS // 1024} KB)."
    depth = nodes = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return "Anchor dan alias YAML (& dan *) tidak didukung; tulis nilainya langsung."
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return f"Struktur YAML terlalu dalam (lebih dari {MAX_YAML_DEPTH} tingkat)."
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_YAML_NODES:
                    return f"Berkas YAML berisi terlalu banyak nilai (maksimal {MAX_YAML_NODES})."
    except yaml.YAMLError:
        return None  # a syntax error: the loader reports it with its line
    return None


# -- stored files: recognised by content -------------------------------------------------

KINDS = {
    "pdf": ("application/pdf", ".pdf", "PDF"),
    "jpeg": ("image/jpeg", ".jpg", "JPEG"),
    "png": ("image/png", ".png", "PNG"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "XLSX"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "DOCX"),
}
EXTENSIONS = {".jpeg": "jpeg", ".jpg": "jpeg", ".pdf": "pdf", ".png": "png", ".xlsx": "xlsx", ".docx": "docx"}
ALLOWED_TEXT = "PDF, JPEG, PNG, XLSX atau DOCX"


class UploadRefused(problems.Invalid, ValueError):
    """An upload refused, with the reason for the user (422)."""


def sniff(data: bytes) -> str | None:
    """The kind of file the bytes are, or None when it is none of the accepted kinds."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())  # the central directory only; nothing is inflated
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
    return None


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def clean_filename(name: str, kind: str) -> str:
    """A display/download name: no path, no control characters, the extension of its kind."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem, ext = os.path.splitext(name)
    if EXTENSIONS.get(ext.lower()) != kind:
        stem = name  # keep what the user called it, add the real extension
        ext = KINDS[kind][1]
    stem = stem[:200] or "bukti-dukung"
    return stem + ext


def check(data: bytes, max_bytes: int) -> str:
    """The kind of an acceptable upload, else UploadRefused with the reason."""
    if not data:
        raise UploadRefused("Berkas kosong. Pilih berkas bukti dukung.")
    if len(data) > max_bytes:
        raise UploadRefused(f"Berkas terlalu besar ({size_text(len(data))}). Ukuran maksimal {size_text(max_bytes)}.")
    kind = sniff(data)
    if kind is None:
        raise UploadRefused(f"Jenis berkas tidak dikenali dari isinya. Unggah {ALLOWED_TEXT}.")
    return kind


def csv_rows(text: str, dialect="excel", **options) -> list[list[str]]:
    """The rows of a CSV or tab-separated text (pasted from Word/Excel), cells stripped;
    a cell longer than MAX_CELL_CHARS is refused naming its row and column."""
    rows = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text or ""), dialect, **options), start=1):
            for column, cell in enumerate(row, start=1):
                if len(cell) > MAX_CELL_CHARS:
                    length, limit = f"{len(cell):,}".replace(",", "."), f"{MAX_CELL_CHARS:,}".replace(",", ".")
                    raise problems.Invalid(
                        f"Baris {number}, kolom {column}: isian terlalu panjang ({length} karakter; paling banyak "
                        f"{limit}). Periksa tanda kutip di tabel itu: sel yang tidak ditutup menelan baris berikutnya.")
            rows.append([cell.strip() for cell in row])
    except csv.Error as error:
        raise problems.Invalid(f"Baris {len(rows) + 1}: tabel tidak dapat dibaca ({error}).") from None
    return rows
