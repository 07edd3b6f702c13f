"""The official forms as sheets of their own, printable on A4 at 9 pt: the Formulir
Pengukuran Kinerja and the Perjanjian Kinerja (statement page and lampiran) of
PermenPANRB 53/2014, laid out per sasaran strategis with the programs that serve it
beside its indicators, totals and the signature block. The full data stays on the
"Data pengukuran" sheet (formulir.py). Pure: data in, bytes out."""
from decimal import Decimal

from xlsxwriter.utility import xl_rowcol_to_cell

from portal.capaian.values import DIHITUNG
from portal.exports import xlsx
from portal.exports.documents import (
    DOTS,
    PK_OPENING,
    PK_PROMISE,
    PK_SUPERVISION,
    Document,
    Person,
    status_line,
)
from portal.exports.figures import Export, OpdFigures, Row
from portal.exports.formulir import anggaran_sheet, data_sheet, state_text, write_target
from portal.numbers import TW

# The Formulir's columns.
NO, SASARAN, INDIKATOR, SATUAN, TARGET, REALISASI, CAPAIAN, KATEGORI, PROGRAM, PAGU, RP, SERAPAN = range(12)
FORMULIR_WIDTHS = {NO: 4, SASARAN: 16, INDIKATOR: 22, SATUAN: 9, TARGET: 9, REALISASI: 9, CAPAIAN: 8,
                   KATEGORI: 12, PROGRAM: 21, PAGU: 15, RP: 15, SERAPAN: 8}


def page(export: Export, opd_name: str, pemda: str, title: str, portrait: bool = False,
         paper: int = xlsx.A4, min_pt: float = 8.0) -> xlsx.Page:
    """The page set-up of a form: the instansi, the form and the period in the page header."""
    instansi = f"{opd_name} · {pemda}" if pemda else opd_name
    return xlsx.Page(paper, not portrait, min_pt, (instansi, title, f"Tahun {export.tahun} · {export.label}"))


def r_value(row: Row):
    """Realisasi s.d. TW n as a value: a number, a predikat, a state label or blank."""
    if row.fig is None:
        return None
    if row.rollup is None:
        return row.fig.realisasi_sd
    return row.rollup.value if row.rollup.state == DIHITUNG else state_text(row.rollup.as_value())


def write_r(sheet: xlsx.Sheet, col: int, row: Row) -> None:
    value = r_value(row)
    if isinstance(value, Decimal):
        sheet.number(col, value)
    else:
        sheet.text(col, value or "")


def heading(sheet: xlsx.Sheet, title: str, doc_lines: list[str], status: tuple[str, bool], last_col: int) -> None:
    """The form's title block: the form's name, instansi, tahun and periode, and what it holds."""
    sheet.merged(0, last_col, title, "form_title")
    sheet.next()
    for line in doc_lines:
        sheet.merged(0, last_col, line, "plain")
        sheet.next()
    text, warning = status
    sheet.merged(0, last_col, text, "draft" if warning else "subtitle", sheet.lines_for(text, 0, last_col))
    sheet.next(2)


def titled(export: Export, title: str, signed: bool, drafts: bool) -> str:
    """A title that says so when nothing in it is signed."""
    return title if signed or drafts else f"{title} (belum ada angka yang disahkan)"


def signature(sheet: xlsx.Sheet, first_col: int, last_col: int, lines: list[tuple[str, str]], person: Person,
              with_nip: bool = True) -> None:
    """A signature block: place and date, jabatan, room to sign, nama, NIP. Written row by
    row from the current row; the caller's row is left after it."""
    for text, fmt in lines:
        sheet.merged(first_col, last_col, text, fmt, sheet.lines_for(text, first_col, last_col))
        sheet.next()
    sheet.merged(first_col, last_col, person.jabatan, "plain_center", sheet.lines_for(person.jabatan, first_col,
                                                                                        last_col))
    sheet.next()
    sheet.height(4)  # room for the signature and the stamp
    sheet.next()
    sheet.merged(first_col, last_col, person.nama or DOTS, "signature_name")
    sheet.next()
    if person.pangkat:
        sheet.merged(first_col, last_col, person.pangkat, "plain_center")
        sheet.next()
    if with_nip:
        sheet.merged(first_col, last_col, f"NIP. {person.nip or DOTS}", "plain_center")
        sheet.next()


# -- Formulir Pengukuran Kinerja ------------------------------------------------------------

class FormRanges:
    """Where a form's capaian and kategori cells are (for summary formulas): None when
    the form has no indicator."""

    def __init__(self, sheet: xlsx.Sheet, rows: list[int]):
        self.sheet = sheet
        self.rows = rows

    @property
    def span(self) -> tuple[int, int] | None:
        return (min(self.rows), max(self.rows)) if self.rows else None


def formulir_form(book, formats, names: xlsx.SheetNames, doc: Document, sheet_name: str) -> FormRanges:
    """The Formulir Pengukuran Kinerja of one OPD: per sasaran its indicators (target,
    realisasi, capaian, kategori) and beside them its programs (anggaran, realisasi,
    serapan), the totals, then place, date and the Kepala's signature block."""
    export, opd, n = doc.export, doc.opd, doc.triwulan
    tw = doc.tw
    sheet = xlsx.Sheet(book, formats, names(sheet_name), dict(FORMULIR_WIDTHS),
                       page(export, opd.name, opd.pemda, "Formulir Pengukuran Kinerja"), fixed=True)
    heading(sheet, titled(export, "FORMULIR PENGUKURAN KINERJA", doc.signed, opd.has_draft),
            [f"Instansi: {opd.name}, {opd.pemda}", f"Tahun: {export.tahun}    Periode: {export.label} (s.d. {tw})"],
            status_line(export, opd), SERAPAN)
    sheet.header([("No", 1), ("Sasaran Strategis", 1), ("Indikator Kinerja", 1), ("Satuan", 1),
                  (f"Target s.d. {tw}", 1), (f"Realisasi s.d. {tw}", 1), ("Capaian (%)", 1), ("Kategori", 1),
                  ("Program / Kegiatan", 1), ("Anggaran (Rp)", 1), (f"Realisasi s.d. {tw} (Rp)", 1),
                  ("Serapan (%)", 1)])
    indicator_rows: list[int] = []
    program_cells: list[tuple[str, str]] = []
    number = 0
    for group in doc.groups:
        first = sheet.row
        lines = 0
        for i in range(group.height):
            row = group.rows[i] if i < len(group.rows) else None
            line = group.programs[i] if i < len(group.programs) else None
            if row is not None:
                number += 1
                indicator_rows.append(sheet.row)
                _formulir_indicator(sheet, row, n, number)
            else:
                sheet.text(NO, "")
                sheet.text(INDIKATOR, "Belum ada indikator untuk sasaran ini." if i == 0 and group.kode else "")
                for col in range(SATUAN, KATEGORI + 1):
                    sheet.text(col, "")
            if line is not None:
                p = line.program
                name = f"{p.kode} {p.nama}".strip()
                sheet.text(PROGRAM, name if line.is_program else f"    {name}",
                           "text_bold" if line.is_program else "text")
                sheet.number(PAGU, p.pagu, "rupiah")
                sheet.number(RP, line.spent, "rupiah")
                _serapan(sheet, line.serapan)
                if line.is_program:
                    program_cells.append((sheet.cell(PAGU), sheet.cell(RP)))
            else:
                for col in (PROGRAM, PAGU, RP, SERAPAN):
                    sheet.text(col, "")
            here = max(sheet.lines.values(), default=1)
            lines += here
            if i == group.height - 1:
                need = sheet.lines_for(group.title, SASARAN, SASARAN)
                if need > lines:  # the merged sasaran cell does not grow its rows: the last one does
                    sheet.height(here + need - lines)
            sheet.next()
        _sasaran_cell(sheet, first, SASARAN, group.title, formats)
    if not doc.groups:
        sheet.merged(NO, SERAPAN, "Belum ada sasaran dan indikator kinerja tahun ini.", "text")
        sheet.next()
    _formulir_totals(sheet, doc, indicator_rows, program_cells)
    sheet.next()
    when = f"{doc.tempat}, {doc.tanggal or DOTS + ' ' + str(export.tahun)}"
    signature(sheet, PROGRAM, SERAPAN, [(when, "plain_center")], doc.kepala)
    sheet.close()
    return FormRanges(sheet, indicator_rows)


def _formulir_indicator(sheet: xlsx.Sheet, row: Row, n: int, number: int) -> None:
    sheet.number(NO, number, "int")
    sheet.text(INDIKATOR, row.ind.nama + (" (IKU)" if row.ind.is_iku else "")
               + ("" if row.signed else f"\n[{row.status}]"), "draft_text" if row.draft else "text")
    sheet.text(SATUAN, row.ind.satuan)
    write_target(sheet, TARGET, row, row.ind.target_sd(n))
    write_r(sheet, REALISASI, row)
    fig = row.fig
    xlsx.write_capaian(sheet, CAPAIAN, fig and fig.capaian, sheet.cell(REALISASI), sheet.cell(TARGET))
    if fig is None:
        sheet.text(KATEGORI, "")
    else:
        xlsx.write_kategori(sheet, KATEGORI, sheet.cell(CAPAIAN), fig.kategori, row.rules.kategori)
        sheet.lines[KATEGORI] = sheet.lines_for(fig.kategori or "", KATEGORI, KATEGORI)


def _serapan(sheet: xlsx.Sheet, result) -> None:
    if result.state == DIHITUNG:
        sheet.formula(SERAPAN, f"={sheet.cell(RP)}/{sheet.cell(PAGU)}*100", result.value)
    else:
        sheet.text(SERAPAN, result.display())


def _formulir_totals(sheet: xlsx.Sheet, doc: Document, indicator_rows: list[int], program_cells) -> None:
    """Rata-rata capaian (live over the indicators' capaian cells) and the program totals."""
    avg = doc.average
    sheet.merged(NO, SATUAN, f"Rata-rata capaian ({avg.rule_label})", "text_bold",
                 sheet.lines_for(f"Rata-rata capaian ({avg.rule_label})", NO, SATUAN))
    for col in (TARGET, REALISASI):
        sheet.text(col, "")
    if indicator_rows:
        ref = f"{xl_rowcol_to_cell(min(indicator_rows), CAPAIAN)}:{xl_rowcol_to_cell(max(indicator_rows), CAPAIAN)}"
        average_cell(sheet, CAPAIAN, ref, avg)
        xlsx.write_kategori(sheet, KATEGORI, sheet.cell(CAPAIAN), doc.average_kategori, doc.opd.rules.kategori)
    else:
        sheet.text(CAPAIAN, "Tidak dapat dihitung", "text_bold")
        sheet.text(KATEGORI, "")
    sheet.text(PROGRAM, "Jumlah (tingkat program)", "text_bold")
    programs = [p for p in doc.program_lines if p.is_program]
    pagu = sum((p.program.pagu or Decimal(0) for p in programs), Decimal(0))
    spent = sum((p.spent for p in programs), Decimal(0))
    if program_cells:
        # At most 255 arguments per SUM: a few dozen programs per OPD at most.
        sheet.formula(PAGU, "=SUM(" + ",".join(c for c, _ in program_cells[:250]) + ")", pagu, "rupiah_bold")
        sheet.formula(RP, "=SUM(" + ",".join(c for _, c in program_cells[:250]) + ")", spent, "rupiah_bold")
        if pagu:
            sheet.formula(SERAPAN, f"={sheet.cell(RP)}/{sheet.cell(PAGU)}*100", spent / pagu * 100, "number_bold")
        else:
            sheet.text(SERAPAN, "")
    else:
        for col in (PAGU, RP, SERAPAN):
            sheet.text(col, "")
    sheet.next()


def average_cell(sheet: xlsx.Sheet, col: int, ref: str, result) -> None:
    """The mean of capaian cells (text cells are skipped, as the engine skips figures
    that cannot be computed); with a cap the value is written with its rule."""
    if result.rule == "rata_rata" or result.state != DIHITUNG:
        cached = result.value if result.state == DIHITUNG else "Tidak dapat dihitung"
        sheet.formula(col, f'=IFERROR(AVERAGE({ref}),"Tidak dapat dihitung")', cached, "number_bold")
    else:
        sheet.number(col, result.value, "number_bold")


def formulir_workbook(export: Export, docs) -> bytes:
    """The Formulir of one OPD: the form, then its data ("Data pengukuran"), then the rules."""
    book, out, formats = xlsx.new_workbook(constant_memory=False)
    names = xlsx.SheetNames()
    rules = xlsx.rules_sheet(book, formats, names)
    for opd, doc in docs(export.opds):
        form = formulir_form(book, formats, names, doc, "Formulir")
        form.sheet.ws.activate()
        data_sheet(book, formats, names, export, [opd], "Data pengukuran")
        anggaran_sheet(book, formats, names, export, opd)
    xlsx.fill_rules(rules, export, export.rulesets)
    return xlsx.finish(book, out)


# -- Perjanjian Kinerja ----------------------------------------------------------------------

PK_NO, PK_SASARAN, PK_INDIKATOR, PK_TARGET, PK_SATUAN, PK_PROGRAM, PK_ANGGARAN = range(7)
PK_WIDTHS = {PK_NO: 4, PK_SASARAN: 24, PK_INDIKATOR: 30, PK_TARGET: 10, PK_SATUAN: 10, PK_PROGRAM: 30,
             PK_ANGGARAN: 17}
STATEMENT_WIDTHS = {0: 3, 1: 12, 2: 34, 3: 3, 4: 12, 5: 34}


def pk_statement(book, formats, names: xlsx.SheetNames, doc: Document) -> xlsx.Sheet:
    """The statement page: Pihak Pertama (the Kepala) and Pihak Kedua (the head of the
    region), what each promises, place and date, and both signature blocks."""
    export, opd = doc.export, doc.opd
    sheet = xlsx.Sheet(book, formats, names("Perjanjian Kinerja"), dict(STATEMENT_WIDTHS),
                       page(export, opd.name, opd.pemda, "Perjanjian Kinerja", portrait=True), fixed=True)
    for text in (f"PERJANJIAN KINERJA TAHUN {export.tahun}", opd.name.upper(), opd.pemda.upper()):
        sheet.merged(0, 5, text, "form_title", sheet.lines_for(text, 0, 5))
        sheet.next()
    sheet.next()

    def paragraph(text: str) -> None:
        sheet.merged(0, 5, text, "plain", sheet.lines_for(text, 0, 5))
        sheet.next(2)

    def fields(items: list[tuple[str, str]]) -> None:
        for label, value in items:
            sheet.merged(1, 1, label, "plain")
            sheet.merged(2, 5, f": {value or DOTS}", "plain", sheet.lines_for(value, 2, 5))
            sheet.next()

    paragraph(PK_OPENING)
    fields([("Nama", doc.kepala.nama), ("NIP", doc.kepala.nip), ("Jabatan", doc.kepala.jabatan)])
    sheet.merged(1, 5, "selanjutnya disebut pihak pertama", "plain")
    sheet.next(2)
    fields([("Nama", doc.atasan.nama), ("Jabatan", doc.atasan.jabatan)])
    sheet.merged(1, 5, "selaku atasan pihak pertama, selanjutnya disebut pihak kedua", "plain")
    sheet.next(2)
    paragraph(PK_PROMISE)
    paragraph(PK_SUPERVISION)
    sheet.merged(3, 5, f"{doc.tempat}, {DOTS} {export.tahun}", "plain_center")
    sheet.next()
    _two_signatures(sheet, doc, (0, 2), (3, 5))
    sheet.close()
    return sheet


def _two_signatures(sheet: xlsx.Sheet, doc: Document, left: tuple[int, int], right: tuple[int, int]) -> None:
    """Pihak Kedua on the left, Pihak Pertama on the right, side by side."""
    for l_text, r_text, fmt in (("PIHAK KEDUA,", "PIHAK PERTAMA,", "plain_center_bold"),
                                (doc.atasan.jabatan, doc.kepala.jabatan, "plain_center")):
        lines = max(sheet.lines_for(l_text, *left), sheet.lines_for(r_text, *right))
        sheet.merged(left[0], left[1], l_text, fmt, lines)
        sheet.merged(right[0], right[1], r_text, fmt, lines)
        sheet.next()
    sheet.height(4)
    sheet.next()
    sheet.merged(left[0], left[1], doc.atasan.nama or DOTS, "signature_name")
    sheet.merged(right[0], right[1], doc.kepala.nama or DOTS, "signature_name")
    sheet.next()
    if doc.atasan.nip:
        sheet.merged(left[0], left[1], f"NIP. {doc.atasan.nip}", "plain_center")
    sheet.merged(right[0], right[1], f"NIP. {doc.kepala.nip or DOTS}", "plain_center")
    sheet.next()


def pk_lampiran(book, formats, names: xlsx.SheetNames, doc: Document) -> xlsx.Sheet:
    """The lampiran: per sasaran its indicators with the PK target and satuan, and beside
    them its programs with their anggaran; the total anggaran; both signatures."""
    export, opd = doc.export, doc.opd
    sheet = xlsx.Sheet(book, formats, names("Lampiran PK"), dict(PK_WIDTHS),
                       page(export, opd.name, opd.pemda, "Lampiran Perjanjian Kinerja"), fixed=True)
    heading(sheet, f"LAMPIRAN PERJANJIAN KINERJA TAHUN {export.tahun}", [f"{opd.name}, {opd.pemda}"],
            ("Target kinerja tahunan (PK) dan anggaran program.", False), PK_ANGGARAN)
    sheet.header([("No", 1), ("Sasaran Strategis", 1), ("Indikator Kinerja", 1), ("Target", 1), ("Satuan", 1),
                  ("Program / Kegiatan", 1), ("Anggaran (Rp)", 1)])
    number, program_cells = 0, []
    for group in doc.groups:
        first = sheet.row
        lines = 0
        for i in range(group.height):
            row = group.rows[i] if i < len(group.rows) else None
            line = group.programs[i] if i < len(group.programs) else None
            if row is not None:
                number += 1
                sheet.number(PK_NO, number, "int")
                sheet.text(PK_INDIKATOR, row.ind.nama + (" (IKU)" if row.ind.is_iku else ""))
                write_target(sheet, PK_TARGET, row, row.ind.target_pk)
                sheet.text(PK_SATUAN, row.ind.satuan)
            else:
                sheet.text(PK_NO, "")
                sheet.text(PK_INDIKATOR, "Belum ada indikator untuk sasaran ini." if i == 0 and group.kode else "")
                sheet.text(PK_TARGET, "")
                sheet.text(PK_SATUAN, "")
            if line is not None:
                p = line.program
                name = f"{p.kode} {p.nama}".strip()
                sheet.text(PK_PROGRAM, name if line.is_program else f"    {name}",
                           "text_bold" if line.is_program else "text")
                sheet.number(PK_ANGGARAN, p.pagu, "rupiah")
                if line.is_program:
                    program_cells.append(sheet.cell(PK_ANGGARAN))
            else:
                sheet.text(PK_PROGRAM, "")
                sheet.text(PK_ANGGARAN, "")
            here = max(sheet.lines.values(), default=1)
            lines += here
            if i == group.height - 1:
                need = sheet.lines_for(group.title, PK_SASARAN, PK_SASARAN)
                if need > lines:
                    sheet.height(here + need - lines)
            sheet.next()
        _sasaran_cell(sheet, first, PK_SASARAN, group.title, formats)
    if not doc.groups:
        sheet.merged(PK_NO, PK_ANGGARAN, "Belum ada sasaran dan indikator kinerja tahun ini.", "text")
        sheet.next()
    sheet.merged(PK_NO, PK_PROGRAM, "Jumlah anggaran (tingkat program)", "text_bold")
    total = sum((p.program.pagu or Decimal(0) for p in doc.program_lines if p.is_program), Decimal(0))
    if program_cells:
        sheet.formula(PK_ANGGARAN, "=SUM(" + ",".join(program_cells[:250]) + ")", total, "rupiah_bold")
    else:
        sheet.text(PK_ANGGARAN, "")
    sheet.next(2)
    sheet.merged(PK_PROGRAM, PK_ANGGARAN, f"{doc.tempat}, {DOTS} {export.tahun}", "plain_center")
    sheet.next()
    _two_signatures(sheet, doc, (PK_SASARAN, PK_INDIKATOR), (PK_PROGRAM, PK_ANGGARAN))
    sheet.close()
    return sheet


def rencana_aksi(book, formats, names: xlsx.SheetNames, export: Export, opd: OpdFigures) -> xlsx.Sheet:
    """The quarterly targets (Rencana Aksi) many regions attach to the PK."""
    sheet = xlsx.Sheet(book, formats, names("Rencana aksi"),
                       {0: 4, 1: 24, 2: 30, 3: 10, 4: 10, 5: 9, 6: 9, 7: 9, 8: 9, 9: 16},
                       page(export, opd.name, opd.pemda, "Rencana Aksi"), fixed=True)
    heading(sheet, f"RENCANA AKSI PERJANJIAN KINERJA TAHUN {export.tahun}", [f"{opd.name}, {opd.pemda}"],
            ("Target s.d. triwulan menurut Rencana Aksi.", False), 9)
    sheet.header([("No", 1), ("Sasaran Strategis", 1), ("Indikator Kinerja", 1), ("Target", 1), ("Satuan", 1),
                  ("Target s.d.", [f"TW {r}" for r in TW]), ("Keterangan", 1)])
    for row in opd.rows:
        ind = row.ind
        sheet.number(0, row.no, "int")
        sheet.text(1, f"{row.sasaran_kode} {row.sasaran}".strip())
        sheet.text(2, ind.nama)
        write_target(sheet, 3, row, ind.target_pk)
        sheet.text(4, ind.satuan)
        for q in range(4):
            write_target(sheet, 5 + q, row, ind.target_sd(q + 1))
        sheet.text(9, "Target PK ditetapkan" if ind.rules_frozen_at else "Target PK belum ditetapkan")
        sheet.next()
    sheet.close()
    return sheet


def pk_workbook(export: Export, docs) -> bytes:
    book, out, formats = xlsx.new_workbook(constant_memory=False)
    names = xlsx.SheetNames()
    rules = xlsx.rules_sheet(book, formats, names)
    for opd, doc in docs(export.opds):
        pk_statement(book, formats, names, doc).ws.activate()
        pk_lampiran(book, formats, names, doc)
        rencana_aksi(book, formats, names, export, opd)
    xlsx.fill_rules(rules, export, export.rulesets)
    return xlsx.finish(book, out)


def _sasaran_cell(sheet, first: int, column: int, title: str, formats) -> None:
    """The sasaran's title in one cell merged down its group's rows (written plain when the
    group has one row: xlsxwriter refuses a one-cell merge)."""
    last = sheet.row - 1
    if last > first:
        sheet.ws.merge_range(first, column, last, column, title, formats["text"])
    else:
        sheet.ws.write_string(first, column, title, formats["text"])
