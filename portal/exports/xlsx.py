"""What every exported workbook shares: the xlsxwriter set-up, formats, print set-up,
a sheet writer that keeps text as text and numbers as numbers, capaian and kategori
formulas built from the rule the portal's engine applied, and the rules sheet.

A formula is written with its cached value (the portal's own figure), so a reader that
does not recalculate shows the same number as the screen. Where a formula cannot express
the rule (range and predikat targets, a cap), the value is written with the rule's name
beside it.
"""
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from portal.capaian.kategori import KategoriScale, format_angka
from portal.capaian.rules import RULE_LABELS, CapaianResult, RuleSet
from portal.capaian.settings import NEGATIVE_RULE_LABELS
from portal.capaian.values import DIHITUNG
from portal.exports.figures import DRAFT

NUMBER = "#,##0.00"   # shown 1.234,56 under an Indonesian locale
A4, A3 = 9, 8         # paper sizes (Excel's codes)
LINE_PT = 11          # the height of one line of 9 pt text in a row (Arial: 10,35 pt)
RUPIAH = "#,##0"
MAX_WIDTH = 48
DRAFT_MARK = DRAFT  # the one spelling, from figures


def new_workbook(constant_memory: bool = True) -> tuple[xlsxwriter.Workbook, io.BytesIO, dict]:
    """Constant memory (rows written once, in order) for the big consolidated workbooks;
    the one-OPD forms are small and merge cells across rows (sasaran), so they are not."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {
        "constant_memory": constant_memory, "in_memory": False,
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    base = {"font_name": "Arial", "font_size": 9, "valign": "top"}
    cell = {**base, "border": 1}
    formats = {
        "title": book.add_format({**base, "bold": True, "font_size": 12}),
        "subtitle": book.add_format({**base}),
        "draft": book.add_format({**base, "bold": True, "font_color": "#B00020"}),
        "head": book.add_format({**cell, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
                                 "bg_color": "#E8EEF4"}),
        "text": book.add_format({**cell, "text_wrap": True}),
        "text_bold": book.add_format({**cell, "text_wrap": True, "bold": True}),
        "draft_text": book.add_format({**cell, "text_wrap": True, "font_color": "#B00020", "bold": True}),
        # Wrapped: a formula whose result is text ("Tidak dapat dihitung") stays readable.
        "number": book.add_format({**cell, "num_format": NUMBER, "text_wrap": True}),
        "number_bold": book.add_format({**cell, "num_format": NUMBER, "bold": True, "text_wrap": True}),
        "rupiah": book.add_format({**cell, "num_format": RUPIAH}),
        "rupiah_bold": book.add_format({**cell, "num_format": RUPIAH, "bold": True}),
        # Rupiah shown in millions (the value stays in rupiah): the wide E.81 table.
        "rupiah_juta": book.add_format({**cell, "num_format": "#,##0.00,,"}),
        "int": book.add_format({**cell, "num_format": "0", "align": "center"}),
        "group": book.add_format({**cell, "bold": True, "text_wrap": True, "bg_color": "#F3F5F7"}),
        "plain": book.add_format({**base, "text_wrap": True}),
        "plain_bold": book.add_format({**base, "bold": True, "text_wrap": True}),
        "plain_center": book.add_format({**base, "align": "center", "text_wrap": True}),
        "plain_center_bold": book.add_format({**base, "align": "center", "bold": True, "text_wrap": True}),
        "signature_name": book.add_format({**base, "align": "center", "bold": True, "underline": True}),
        "form_title": book.add_format({**base, "bold": True, "font_size": 12, "align": "center",
                                       "text_wrap": True}),
    }
    book.set_properties({"title": "Portal Pengukuran Kinerja", "author": "Portal Pengukuran Kinerja"})
    return book, out, formats


class ClassicWorksheet(Worksheet):
    """Every formula the portal writes is built here from Excel 2007 functions (IF, SUM,
    AVERAGE, COUNT, COUNTIF, SUMIF, ISNUMBER, ROUND, MAX, IFERROR, N, AND), none of which
    needs the "_xlfn." prefix of newer functions; xlsxwriter's scan for those (29 regular
    expressions per formula) was the largest single cost of a province export."""

    def _prepare_formula(self, formula, expand_future_functions=False):
        return formula[1:] if formula.startswith("=") else formula


def finish(book, out: io.BytesIO) -> bytes:
    book.close()
    return out.getvalue()


_BAD = re.compile(r"[\[\]:*?/\\]")


class SheetNames:
    """Unique Excel sheet names (≤ 31 characters, none of []:*?/\\)."""

    def __init__(self):
        self.used: set[str] = set()

    def __call__(self, name: str) -> str:
        base = _BAD.sub(" ", name).strip().strip("'")[:31] or "Lembar"
        candidate, n = base, 2
        while candidate.lower() in self.used:
            suffix = f" ({n})"
            candidate, n = base[:31 - len(suffix)] + suffix, n + 1
        self.used.add(candidate.lower())
        return candidate


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def literal(text: str) -> str:
    """A text constant inside a formula."""
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class Page:
    """How a sheet prints: paper, orientation and the smallest printed text allowed. The
    print scale is chosen when the sheet is closed, from its column widths: the sheet is
    fitted to the paper's width only where that keeps the smallest text (9 pt in the
    cells) at or above `min_pt` printed; otherwise it prints at the scale that does, on
    as many pages across as it needs (the first columns repeated on each)."""

    paper: int = A4
    landscape: bool = True
    min_pt: float = 8.0
    header: tuple[str, str, str] = ("", "", "")  # left, centre, right (instansi; title; tahun, periode)


FORM = Page()
FORM_PORTRAIT = Page(landscape=False)
# Paper width in inches (portrait) and the side margins the sheets use.
PAPER_WIDTH = {A4: (8.27, 11.69), A3: (11.69, 16.54)}
SIDE_MARGIN = 0.25
CELL_PT = 9        # the smallest text in any cell
HEADER_PT = 9      # header and footer text (scaled with the sheet)


def column_px(width: float) -> float:
    """A column of `width` characters in pixels at 100 %: Excel lays out 7 px per character
    of its Calibri 11 default plus 5 px padding; LibreOffice (with Carlito, Calibri's metrics)
    measured 5,7 % wider, and the wider of the two is what must fit the paper."""
    return (width * 7 + 5) * 1.06 if width > 0 else 0


def printable_px(page: Page) -> float:
    portrait, landscape = PAPER_WIDTH[page.paper]
    return ((landscape if page.landscape else portrait) - 2 * SIDE_MARGIN) * 96


def print_scale(page: Page, total_px: float) -> tuple[int, bool]:
    """(scale in %, fitted): the scale at which the columns fill the paper's width, unless
    that would print text under `min_pt`; then the smallest legible scale."""
    smallest = math.ceil(page.min_pt / CELL_PT * 100)
    fitting = math.floor(printable_px(page) / max(total_px, 1) * 100)
    # An explicit scale, never "fit to width": LibreOffice does not apply a fit to one
    # page across with unlimited pages down, and the scale it would pick is not checked.
    return max(smallest, min(100, fitting)), False


def header_text(text: str) -> str:
    """Text for a page header section: "&" doubled, a leading digit kept apart from the
    font-size code before it, and short enough for Excel's 255 characters in all."""
    text = text[:75].replace("&", "&&")
    return " " + text if text[:1].isdigit() else text


class Sheet:
    """Writes cells row by row (constant memory where the workbook is), keeps widths that
    fit, sets up printing (A4, header rows repeated, "Halaman n dari m", instansi, tahun and
    periode in the page header) and never lets text become a formula or a link.

    `fixed`: the columns' widths are the form's (text wraps in them); only numbers widen
    a column, so that a figure never prints as ####."""

    def __init__(self, book, formats, name: str, widths: dict[int, float] | None = None,
                 page: Page = FORM, fixed: bool = False):
        self.ws = book.add_worksheet(name, worksheet_class=ClassicWorksheet)
        self.name = name
        self.f = formats
        self.row = 0
        self.widths: dict[int, float] = dict(widths or {})
        self.page = page
        self.fixed = fixed
        self.last_col = max(self.widths, default=0)
        self.lines: dict[int, int] = {}   # lines of wrapped text in the current row, by column
        self.explicit: set[int] = set()   # rows given their height already
        self.ws.set_paper(page.paper)
        if page.landscape:
            self.ws.set_landscape()
        else:
            self.ws.set_portrait()
        self.ws.set_margins(left=SIDE_MARGIN, right=SIDE_MARGIN, top=0.75, bottom=0.6)
        left, centre, right = (header_text(t) for t in page.header)
        size = f"&{HEADER_PT}"
        if any(page.header):
            self.ws.set_header(f"&L{size}{left}&C{size}{centre}&R{size}{right}", margin=0.3)
        self.ws.set_footer(f"&L{size}&A&R{size}Halaman &P dari &N", margin=0.3)

    def _fit(self, col: int, length: int, number: bool = False) -> None:
        self.last_col = max(self.last_col, col)
        if self.fixed and not number:
            return
        if length + 2 > self.widths.get(col, 6):
            self.widths[col] = min(MAX_WIDTH, length + 2)

    def text(self, col: int, value, fmt: str = "text", row: int | None = None) -> None:
        value = "" if value is None else str(value)
        if not value:  # an empty cell keeps its borders; no empty string is stored
            self.ws.write_blank(self.row if row is None else row, col, None, self.f[fmt])
            return
        self.ws.write_string(self.row if row is None else row, col, value, self.f[fmt])
        self._fit(col, max(map(len, value.splitlines())) if "\n" in value else len(value))
        if row is None and fmt != "head":
            self.lines[col] = self.lines_for(value, col, col, autofit=not self.fixed)

    def number(self, col: int, value, fmt: str = "number") -> None:
        if value is None:
            self.ws.write_blank(self.row, col, None, self.f[fmt])
            return
        number = float(value)
        self.ws.write_number(self.row, col, number, self.f[fmt])
        self._fit(col, _shown_length(number / 1e6 if fmt.endswith("juta") else number, fmt), number=True)

    def formula(self, col: int, formula: str, value, fmt: str = "number") -> None:
        if isinstance(value, Decimal | int | float):
            cached = float(value)
            length, number = _shown_length(cached / 1e6 if fmt.endswith("juta") else cached, fmt), True
        else:
            cached = "" if value is None else value
            length, number = len(cached), False
        self.ws.write_formula(self.row, col, formula, self.f[fmt], cached)
        self._fit(col, length, number)

    def cell(self, col: int) -> str:
        return xl_rowcol_to_cell(self.row, col)

    def title(self, lines: list[tuple[str, str]], width: int) -> None:
        for text, fmt in lines:
            self.ws.merge_range(self.row, 0, self.row, width - 1, text, self.f[fmt])
            self.row += 1
        self.row += 1

    def merged(self, first_col: int, last_col: int, text: str, fmt: str, lines: int = 1,
               last_row: int | None = None) -> None:
        """Text across columns (and rows): merged cells do not grow with their text, so the
        row is given the height of `lines` lines of 9 pt text."""
        last_row = self.row if last_row is None else last_row
        if first_col == last_col and last_row == self.row:
            self.ws.write_string(self.row, first_col, text, self.f[fmt])
        else:
            self.ws.merge_range(self.row, first_col, last_row, last_col, text, self.f[fmt])
        self.last_col = max(self.last_col, last_col)
        if lines > 1:
            self.height(lines)

    def height(self, lines: float, row: int | None = None) -> None:
        """Give a row the height of `lines` lines of 9 pt text (neither Excel nor
        LibreOffice grows a row to its wrapped text when opening a written file)."""
        row = self.row if row is None else row
        self.ws.set_row(row, LINE_PT * lines + 3)
        self.explicit.add(row)

    def lines_for(self, text: str, first_col: int, last_col: int, autofit: bool = False) -> int:
        """How many lines `text` needs across these columns, wrapped word by word (9 pt
        Arial: about one character per unit of column width, with room to spare; a column
        still being fitted to its text is taken at the width it will get)."""
        if autofit:
            longest = max(map(len, (text or "").split("\n")), default=0)
            width = max(self.widths.get(first_col, 6), min(MAX_WIDTH, longest + 2))
        else:
            width = sum(self.widths.get(c, 8.43) for c in range(first_col, last_col + 1))
        return wrapped_lines(text, max(1, int(width * 1.1) - 1))

    def header(self, groups: list, freeze_col: int = 0) -> None:
        """Column headers: a list of (label, span or [sub labels]); two rows when any group
        has sub-columns (merged as in the printed tables), then the repeated-print and
        frozen rows."""
        two = any(isinstance(g[1], list) for g in groups)
        top, col, spans = self.row, 0, []
        # Row by row (constant memory forgets a row once the next one is written): the top
        # labels first, then the sub-labels and the vertical merges.
        for label, sub in groups:
            width = len(sub) if isinstance(sub, list) else 1
            if width > 1:
                self.ws.merge_range(top, col, top, col + width - 1, label, self.f["head"])
            else:
                self.ws.write_string(top, col, label, self.f["head"])
            self._fit(col, min(len(label), 14))
            spans.append((col, label, sub))
            col += width
        if two:
            for col, label, sub in spans:
                if isinstance(sub, list):
                    for i, s in enumerate(sub):
                        self.ws.write_string(top + 1, col + i, s, self.f["head"])
                        self._fit(col + i, min(len(s), 14))
                else:
                    self.ws.merge_range(top, col, top + 1, col, label, self.f["head"])
        need = max([1] + [self.lines_for(label, col, col + (len(sub) if isinstance(sub, list) else 1) - 1)
                          for col, label, sub in spans])
        need += need > 1  # bold text is wider than the estimate
        if two:
            subs = [self.lines_for(s, col + i, col + i) for col, _, sub in spans if isinstance(sub, list)
                    for i, s in enumerate(sub)]
            self.ws.set_row(top, LINE_PT * need + 3)
            self.ws.set_row(top + 1, LINE_PT * max([1] + subs) + 3)
        else:
            self.ws.set_row(top, LINE_PT * need + 3)
        self.row = top + (2 if two else 1)
        self.ws.repeat_rows(top, self.row - 1)
        self.ws.freeze_panes(self.row, freeze_col)

    def next(self, by: int = 1) -> None:
        lines = max(self.lines.values(), default=1)
        if lines > 1 and self.row not in self.explicit:
            self.height(lines)
        self.lines = {}
        self.row += by

    def close(self) -> None:
        for col, width in self.widths.items():
            self.ws.set_column(col, col, width)
        total = sum(column_px(self.widths.get(c, 8.43)) for c in range(self.last_col + 1))
        scale, fitted = print_scale(self.page, total)
        if fitted:
            self.ws.fit_to_pages(1, 0)
        else:
            self.ws.set_print_scale(scale)


def wrapped_lines(text: str, per_line: int) -> int:
    """Lines of `text` wrapped at spaces into lines of `per_line` characters."""
    total = 0
    for part in (text or "").split("\n"):
        lines, used = 1, 0
        for word in part.split():
            need = len(word) + (1 if used else 0)
            if used and used + need > per_line:
                lines, used = lines + 1, len(word)
            else:
                used += need
            while used > per_line:  # a word longer than the line breaks inside
                lines, used = lines + 1, used - per_line
        total += lines
    return max(1, total)


def _shown_length(number: float, fmt: str = "number") -> int:
    """Characters of 1.234.567,89 as shown: thousands marks, and two decimals unless the
    format has none (rupiah, whole numbers)."""
    digits = len(str(int(abs(number))))
    decimals = 0 if fmt.startswith(("rupiah", "int")) and not fmt.endswith("juta") else 3
    return digits + (digits - 1) // 3 + decimals + (number < 0)


NOTHING_SIGNED = ("Belum ada angka yang disahkan untuk periode ini: lembar ini hanya memuat daftar indikator, "
                  "tanpa realisasi dan capaian.")


def draft_lines(export, sheet_has_draft: bool, sheet_has_signed: bool = True) -> list[tuple[str, str]]:
    """The line under a sheet's title saying what it holds: signed figures, drafts, or
    (nothing signed, drafts not asked for) no figure at all."""
    if sheet_has_draft:
        return [("DRAF — belum disahkan: lembar ini memuat angka yang belum disahkan (ditandai per baris).",
                 "draft")]
    if not sheet_has_signed:
        return [(NOTHING_SIGNED, "draft")]
    return [("Angka yang telah disahkan.", "subtitle")]


# -- capaian and kategori as formulas ------------------------------------------------------

_FORMULAS = {
    "positif": "={R}/{T}*100",
    "negatif": "=MAX(0,(2*{T}-{R})/{T}*100)",
    "negatif_inverse": "={T}/{R}*100",
    "negatif_t_nol": "=IF({R}=0,100,0)",
}


def write_capaian(sheet: Sheet, col: int, result: CapaianResult | None, r_ref: str, t_ref: str) -> None:
    """The capaian as a live formula of R and T where the rule is one, else its value;
    a figure that cannot be computed as its state's label (text)."""
    if result is None:
        sheet.text(col, "")
    elif result.state != DIHITUNG:
        sheet.text(col, result.display())
    elif result.rule in _FORMULAS:
        sheet.formula(col, _FORMULAS[result.rule].format(R=r_ref, T=t_ref), result.value)
    else:
        sheet.number(col, result.value)


def formula_rule_note(result: CapaianResult | None) -> str:
    """The rule beside a figure: its name, and whether the cell is a formula."""
    if result is None:
        return ""
    text = result.rule_label
    if result.state == DIHITUNG and result.rule not in _FORMULAS:
        text += " (nilai dari portal; rumus ini tidak dapat dinyatakan sebagai rumus sel)"
    return text + (f"; {result.note}" if result.note else "")


def kategori_formula(ref: str, scale: KategoriScale) -> str:
    *bounded, last = scale.bands
    expr = literal(last.label)
    for band in reversed(bounded):
        op = ">=" if band.inclusive else ">"
        expr = f"IF(ROUND({ref},2){op}{band.lower.normalize():f},{literal(band.label)},{expr})"
    return f'=IF(ISNUMBER({ref}),{expr},"")'


def write_kategori(sheet: Sheet, col: int, capaian_ref: str, kategori: str | None, scale: KategoriScale) -> None:
    sheet.formula(col, kategori_formula(capaian_ref, scale), kategori or "", "text")


def rules_sheet(book, formats, names: SheetNames) -> Sheet:
    """Created first (so it is the first tab), filled last (when the rules met are known)."""
    return Sheet(book, formats, names("Aturan capaian"))


def fill_rules(sheet: Sheet, export, rulesets: dict[RuleSet, int]) -> None:
    sheet.title([("Aturan capaian dan skala kategori yang berlaku", "title"),
                 (f"{export.scope.name} · {export.label}", "subtitle")], 4)
    sheet.header([("Aturan", 1), ("Rumus / keterangan", 1)])
    general = [("Indikator positif", RULE_LABELS["positif"]),
               ("Indikator negatif (bawaan)", RULE_LABELS["negatif"]),
               ("Indikator negatif (pilihan daerah)", RULE_LABELS["negatif_inverse"]),
               ("Indikator negatif, T = 0", RULE_LABELS["negatif_t_nol"]),
               ("Target rentang", RULE_LABELS["rentang"] + "; di luar rentang: rumus polaritas terhadap batas "
                                                            "yang dilewati (nilai dari portal)"),
               ("Target predikat", RULE_LABELS["predikat"] + " (nilai dari portal)"),
               ("Realisasi s.d. TW (kumulatif)", "Jumlah triwulan yang terisi"),
               ("Realisasi s.d. TW (nilai akhir)", "Triwulan terakhir yang terisi"),
               ("Realisasi s.d. TW (rata-rata)", "Rata-rata triwulan yang terisi"),
               ("Capaian TW", "Realisasi s.d. TW dibanding target s.d. TW"),
               ("Progres", "Realisasi s.d. TW dibanding target tahunan (PK)"),
               ("Rata-rata capaian", RULE_LABELS["rata_rata"] + "; tidak pernah menjumlahkan rasio"),
               ("Serapan anggaran", RULE_LABELS["serapan"]),
               ("Pembulatan", "Capaian ditampilkan 2 desimal (setengah ke atas); kategori menurut angka tampil"),
               ("Status", "Setiap baris menyebut statusnya; hanya angka yang disahkan dimuat, kecuali draf diminta "
                          "(ditandai \"DRAF — belum disahkan\")")]
    for label, text in general:
        sheet.text(0, label, "text_bold")
        sheet.text(1, text)
        sheet.next()
    sheet.next()
    for rules, count in rulesets.items() or [(RuleSet(), 0)]:
        sheet.text(0, f"Pengaturan dipakai ({count} indikator)", "text_bold")
        sheet.text(1, f"Indikator negatif: {NEGATIVE_RULE_LABELS[rules.negative_rule]}"
                      + ("" if rules.cap is None else f"; batas rata-rata {format_angka(rules.cap, None)}%"))
        sheet.next()
        sheet.text(0, f"Skala kategori: {rules.kategori.name}", "text_bold")
        sheet.text(1, "; ".join(_band_text(rules.kategori, i) for i in range(len(rules.kategori.bands))))
        sheet.next()
    sheet.close()


def _band_text(scale: KategoriScale, i: int) -> str:
    band = scale.bands[i]
    if band.lower is None:
        upper = scale.bands[i - 1]
        op = "<" if upper.inclusive else "≤"
        return f"{band.label}: {op} {format_angka(upper.lower, None)}"
    op = "≥" if band.inclusive else ">"
    return f"{band.label}: {op} {format_angka(band.lower, None)}"
