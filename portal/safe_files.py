"""Guards for uploaded files, applied BEFORE a parser sees them.

An XLSX is a zip of XML parts: a small upload can inflate to gigabytes, declare a DTD
with entities, or address cell XFD1048576 so that a read-only openpyxl pads millions of
empty cells. YAML can nest deeply enough to exhaust the recursion of the composer, or
multiply itself through aliases. Each check here reads the file as a stream with hard
limits and answers with a message in Bahasa Indonesia, or None when the file may be
parsed. The limits bound memory and, through the inflated size, the parse time
(8 MiB of sheet XML parse in about 3 s with openpyxl on one core).
"""
import io
import re
import zipfile

import yaml

# XLSX
MAX_XLSX_PARTS = 200
MAX_XLSX_INFLATED = 8 * 1024 * 1024   # all parts together, after decompression
MAX_XLSX_ROWS = 10_000                # highest row number addressed in a sheet
MAX_XLSX_COLUMNS = 200                # highest column addressed (GR)
CHUNK = 64 * 1024

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
