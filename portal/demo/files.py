"""Small real files for the demo's bukti dukung and step outputs, made in code: a one-page
PDF with a few lines of text, and a PNG (a bar chart of a few values). Both open in any
viewer and pass the portal's content checks (portal/safe_files.py)."""
import struct
import zlib


def _pdf_text(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1").replace("\\", "\\\\").replace("(", "\\(") \
        .replace(")", "\\)")


def pdf(*lines: str) -> bytes:
    """An A4 page with the lines in Helvetica (a valid PDF 1.4 with its xref table)."""
    text = " ".join(f"({_pdf_text(line)}) Tj 0 -18 Td" for line in lines)
    stream = f"BT /F1 12 Tf 56 780 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bars(values: list[float], width: int = 160, height: int = 100) -> bytes:
    """A white image with one blue bar per value (scaled to the largest), as an RGB PNG."""
    top = max(values) or 1
    bar = max(1, width // (2 * len(values) + 1))
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            slot, inside = divmod(x, bar)
            index = (slot - 1) // 2
            is_bar = slot % 2 == 1 and 0 <= index < len(values) and height - y <= values[index] / top * (height - 8)
            row += b"\x1f\x5f\xa8" if is_bar else b"\xff\xff\xff"
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + _chunk(b"IEND", b""))
