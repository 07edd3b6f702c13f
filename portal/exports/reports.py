"""Evaluasi hasil Renja (Permendagri 86/2017 form E.81, on A3 landscape at 7 pt or more)
and the sheet helpers LKjIP Bab III (lkjip.py) shares. Pure: data in, bytes out."""
from decimal import Decimal

from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

from portal.capaian.rules import average_capaian, classify_capaian, compute_capaian, compute_serapan
from portal.capaian.values import BELUM_DIISI, DIHITUNG
from portal.exports import xlsx
from portal.exports.figures import Export, OpdFigures, Row
from portal.exports.formulir import rollup_formula, state_text, write_target, write_value
from portal.exports.official import average_cell, page, titled
from portal.numbers import TW


def one_opd(export: Export) -> OpdFigures:
    opds = list(export.opds)
    if len(opds) != 1:
        raise ValueError("dokumen ini dibuat per perangkat daerah")
    return opds[0]


def start_sheet(export: Export, opd: OpdFigures, names, book, formats, name: str, title: str, cols: int,
                widths: dict | None = None, paper: int = xlsx.A4, min_pt: float = 8.0,
                portrait: bool = False) -> xlsx.Sheet:
    """A form sheet of the OPD: fixed column widths (text wraps), the page header, the title
    and what the sheet holds (signed, drafts, or nothing signed)."""
    signed = any(r.signed for r in opd.rows)
    sheet = xlsx.Sheet(book, formats, names(name), widths, page(export, opd.name, opd.pemda, name, portrait, paper,
                                                                 min_pt), fixed=widths is not None)
    sheet.title([(titled(export, title, signed, opd.has_draft), "title"),
                 (f"{opd.name} · {opd.pemda} · {export.label}", "subtitle")]
                + xlsx.draft_lines(export, opd.has_draft, signed), cols)
    return sheet


def status_cell(sheet: xlsx.Sheet, col: int, row: Row) -> None:
    sheet.text(col, row.status, "draft_text" if row.draft else "text")


def serapan_cell(sheet: xlsx.Sheet, col: int, result, spent_ref: str, pagu_ref: str) -> None:
    if result.state == DIHITUNG:
        sheet.formula(col, f"={spent_ref}/{pagu_ref}*100", result.value)
    else:
        sheet.text(col, result.display())


# -- Evaluasi hasil Renja (E.81) -----------------------------------------------------------

E81_GROUPS = [("1. No", 1), ("2. Sasaran", 1), ("3. Kode, Program / Kegiatan", 1),
              ("4. Indikator kinerja program (outcome) / kegiatan (output)", 1), ("Satuan", 1),
              ("5. Target Renstra akhir periode", ["K", "Rp (juta)"]),
              ("6. Realisasi Renstra s.d. Renja tahun lalu", ["K", "Rp (juta)"]),
              ("7. Target Renja tahun ini", ["K", "Rp (juta)"]),
              ("8. Realisasi TW I", ["K", "Rp (juta)"]), ("9. Realisasi TW II", ["K", "Rp (juta)"]),
              ("10. Realisasi TW III", ["K", "Rp (juta)"]), ("11. Realisasi TW IV", ["K", "Rp (juta)"]),
              ("12. Realisasi Renja (8+9+10+11; K menurut sifat)", ["K", "Rp (juta)"]),
              ("13. Tingkat capaian Renja (12/7×100) %", ["K", "Rp (juta)"]),
              ("14. Realisasi Renstra s.d. tahun ini (6+12)", ["K", "Rp (juta)"]),
              ("15. Tingkat capaian Renstra (14/5×100) %", ["K", "Rp (juta)"]),
              ("16. Unit penanggung jawab / keterangan", 1), ("Status", 1)]
K5, K6, K7, K8, K12, K13, K14, K15 = 5, 7, 9, 11, 19, 21, 23, 25


def evaluasi_renja(export: Export) -> bytes:
    book, out, formats = xlsx.new_workbook()
    names = xlsx.SheetNames()
    rules = xlsx.rules_sheet(book, formats, names)
    opd = one_opd(export)
    n = export.triwulan
    widths = {0: 4, 1: 16, 2: 20, 3: 22, 4: 8, **{c: 9 for c in range(K5, K15 + 2)}, 27: 14, 28: 12}
    sheet = start_sheet(export, opd, names, book, formats, "E.81",
                        f"Tabel E.81 — Evaluasi terhadap hasil Renja Perangkat Daerah tahun {export.tahun} "
                        f"(s.d. TW {TW[n - 1]})", 29, widths, xlsx.A3, 7.0)
    sheet.header(E81_GROUPS, freeze_col=4)
    # At 7 pt the 29 columns take two A3 pages across: No, sasaran, program and indicator
    # repeat on the second.
    sheet.ws.repeat_columns(0, 4)
    first = sheet.row
    for row in opd.rows:
        _e81_indicator(sheet, row, n)
    last = sheet.row - 1
    sasaran = dict(opd.sasaran)
    for p in opd.programs:
        _e81_program(sheet, p, n, sasaran)
    _footer(sheet, "Rata-rata capaian kinerja (%)")
    progres = average_capaian([r.fig.progres for r in opd.rows if r.fig and r.fig.progres is not None], opd.rules)
    if opd.rows:  # the indicator rows only: never a program's serapan below them
        average_cell(sheet, K13, xl_range(first, K13, last, K13), progres)
    else:
        sheet.text(K13, "Tidak dapat dihitung", "text_bold")
    sheet.next()
    _footer(sheet, "Predikat kinerja")
    above = xl_rowcol_to_cell(sheet.row - 1, K13)
    xlsx.write_kategori(sheet, K13, above, classify_capaian(progres, opd.rules.kategori), opd.rules.kategori)
    sheet.next()
    for label, attr in (("Faktor pendorong", "faktor_pendorong"), ("Faktor penghambat", "faktor_penghambat"),
                        ("Tindak lanjut triwulan berikutnya dan Renja berikutnya", "tindak_lanjut")):
        _footer(sheet, label)
        text = "; ".join(f"{r.ind.kode}: {getattr(r, attr)}" for r in opd.rows if getattr(r, attr))
        sheet.merged(3, 28, text, "text", sheet.lines_for(text, 3, 28))
        sheet.next()
    sheet.close()
    xlsx.fill_rules(rules, export, export.rulesets)
    return xlsx.finish(book, out)


def _footer(sheet: xlsx.Sheet, label: str) -> None:
    sheet.text(2, label, "text_bold")


def _e81_indicator(sheet: xlsx.Sheet, row: Row, n: int) -> None:
    ind = row.ind
    sheet.number(0, row.no, "int")
    sheet.text(1, f"{row.sasaran_kode} {row.sasaran}".strip())
    sheet.text(2, "")
    sheet.text(3, f"{ind.kode} {ind.nama}")
    sheet.text(4, ind.satuan)
    sheet.number(K5, ind.target_renstra)
    write_target(sheet, K7, row, ind.target_pk)
    for q in range(4):
        write_value(sheet, K8 + 2 * q, row.realisasi[q] if q < n else BELUM_DIISI)
    fig = row.fig
    if fig is None:
        sheet.text(K12, "")
    elif row.rollup is None:
        sheet.text(K12, fig.realisasi_sd)
    else:
        cells = [sheet.cell(K8 + 2 * q) for q in range(n)]
        value = row.rollup.value if row.rollup.state == DIHITUNG else state_text(row.rollup.as_value())
        # Column 12: a sum for kumulatif indicators; the others follow their sifat (last filled
        # quarter, mean of the filled ones); Rp always sums.
        sheet.formula(K12, rollup_formula(row, cells, contiguous=False), value)
    xlsx.write_capaian(sheet, K13, fig and fig.progres, sheet.cell(K12), sheet.cell(K7))
    if row.rollup is not None and row.rollup.state == DIHITUNG:
        if ind.sifat == "kumulatif":
            sheet.formula(K14, f"=N({sheet.cell(K6)})+{sheet.cell(K12)}", row.rollup.value)
        else:
            sheet.formula(K14, f"={sheet.cell(K12)}", row.rollup.value)
        target = ind.target_renstra if ind.target_renstra is not None else BELUM_DIISI
        result = compute_capaian(row.rollup.value, target, ind.polaritas, row.rules) \
            if ind.jenis_target != "predikat" else None
        xlsx.write_capaian(sheet, K15, result, sheet.cell(K14), sheet.cell(K5))
    sheet.text(27, row.unit)
    sheet.text(28, row.status, "draft_text" if row.draft else "text")
    sheet.next()


def _e81_program(sheet: xlsx.Sheet, p, n: int, sasaran: dict[str, str]) -> None:
    if p.sasaran_kode:  # column 2: the sasaran the program serves
        sheet.text(1, f"{p.sasaran_kode} {sasaran.get(p.sasaran_kode, '')}".strip())
    sheet.text(2, f"{p.kode} {p.nama}".strip(), "text_bold" if p.level == "program" else "text")
    sheet.number(K7 + 1, p.pagu, "rupiah_juta")
    for q in range(4):
        sheet.number(K8 + 2 * q + 1, p.realisasi[q] if q < n else None, "rupiah_juta")
    spent = sum((v for v in p.realisasi[:n] if v is not None), Decimal(0))
    cells = ",".join(sheet.cell(K8 + 2 * q + 1) for q in range(n))
    sheet.formula(K12 + 1, f"=SUM({cells})", spent, "rupiah_juta")
    serapan_cell(sheet, K13 + 1, compute_serapan(spent, p.pagu if p.pagu is not None else BELUM_DIISI),
                 sheet.cell(K12 + 1), sheet.cell(K7 + 1))
    sheet.formula(K14 + 1, f"=N({sheet.cell(K6 + 1)})+{sheet.cell(K12 + 1)}", spent, "rupiah_juta")
    sheet.text(28, "Program" if p.level == "program" else "Kegiatan")
    sheet.next()
