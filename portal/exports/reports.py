"""The OPD's documents for the LKjIP: Perjanjian Kinerja lampiran, LKjIP Bab III and the
Evaluasi hasil Renja (Permendagri 86/2017 form E.81). Pure: data in, bytes out."""
from decimal import Decimal

from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

from portal.exports import xlsx
from portal.exports.figures import ROMAN, Export, OpdFigures, Row
from portal.exports.formulir import rollup_formula, state_text, write_target, write_value
from portal.indicators.capaian import (
    BELUM_DIISI,
    DIHITUNG,
    average_capaian,
    classify_capaian,
    compute_capaian,
    compute_serapan,
)

EFISIENSI_METHOD = ("Metode efisiensi: selisih = rata-rata capaian kinerja (%) − serapan anggaran (%); "
                    "selisih > 5: Efisien; −5 s.d. 5: Sebanding; < −5: Kurang efisien.")


def _one(export: Export) -> OpdFigures:
    opds = list(export.opds)
    if len(opds) != 1:
        raise ValueError("dokumen ini dibuat per perangkat daerah")
    return opds[0]


def _start(export: Export, opd: OpdFigures, names, book, formats, name: str, title: str, cols: int) -> xlsx.Sheet:
    sheet = xlsx.Sheet(book, formats, names(name))
    sheet.title([(title, "title"), (f"{opd.name} · {opd.pemda} · {export.label}", "subtitle")]
                + xlsx.draft_lines(export, opd.has_draft), cols)
    return sheet


def _status(sheet: xlsx.Sheet, col: int, row: Row) -> None:
    sheet.text(col, row.status, "draft_text" if row.draft else "text")


def _r_value(row: Row):
    """Realisasi s.d. TW n as a value: a number, a predikat, a state label or blank."""
    if row.fig is None:
        return None
    if row.rollup is None:
        return row.fig.realisasi_sd
    return row.rollup.value if row.rollup.state == DIHITUNG else state_text(row.rollup.as_value())


def _write_r(sheet: xlsx.Sheet, col: int, row: Row) -> None:
    value = _r_value(row)
    if isinstance(value, Decimal):
        sheet.number(col, value)
    else:
        sheet.text(col, value or "")


# -- Perjanjian Kinerja --------------------------------------------------------------------

def perjanjian_kinerja(export: Export) -> bytes:
    book, out, formats = xlsx.new_workbook()
    names = xlsx.SheetNames()
    rules = xlsx.rules_sheet(book, formats, names)
    opd = _one(export)
    sheet = _start(export, opd, names, book, formats, "Lampiran PK",
                   f"Lampiran Perjanjian Kinerja Tahun {export.tahun}", 10)
    sheet.header([("No", 1), ("Sasaran Strategis", 1), ("Indikator Kinerja", 1), ("Target", 1), ("Satuan", 1),
                  ("Rencana aksi: target s.d.", [f"TW {r}" for r in ROMAN]), ("Keterangan", 1)], freeze_col=3)
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
    sheet.next()
    sheet.text(0, "No", "head")
    sheet.text(1, "Program / Kegiatan / Sub kegiatan", "head")
    sheet.text(2, "Tingkat", "head")
    sheet.text(3, "Anggaran (Rp)", "head")
    sheet.text(4, "Keterangan", "head")
    sheet.next()
    first = sheet.row
    for i, p in enumerate(opd.programs, 1):
        sheet.number(0, i, "int")
        sheet.text(1, f"{p.kode} {p.nama}".strip(), "text_bold" if p.level == "program" else "text")
        sheet.text(2, "Program" if p.level == "program" else "Kegiatan")
        sheet.number(3, p.pagu, "rupiah")
        sheet.text(4, "")
        sheet.next()
    if opd.programs:
        total = sum((p.pagu or Decimal(0) for p in opd.programs if p.level == "program"), Decimal(0))
        sheet.text(1, "Jumlah anggaran (tingkat program)", "text_bold")
        last = sheet.row - 1
        sheet.formula(3, f'=SUMIF({xl_range(first, 2, last, 2)},"Program",{xl_range(first, 3, last, 3)})',
                      total, "rupiah_bold")
        sheet.next()
    sheet.close()
    xlsx.fill_rules(rules, export, export.rulesets)
    return xlsx.finish(book, out)


# -- LKjIP Bab III -------------------------------------------------------------------------

def lkjip_bab3(export: Export, history: dict[int, dict[str, Row]] | None = None) -> bytes:
    """A.1, A.2 (years the portal has), A.3, A.5, A.6 and B. `history` maps an earlier
    year to that year's rows by indicator code (annual figures)."""
    history = history or {}
    book, out, formats = xlsx.new_workbook()
    names = xlsx.SheetNames()
    rules = xlsx.rules_sheet(book, formats, names)
    opd = _one(export)
    cap_range = _a1(export, opd, names, book, formats)
    _a2(export, opd, names, book, formats, history)
    _a3(export, opd, names, book, formats)
    _a5(export, opd, names, book, formats)
    _a6_b(export, opd, names, book, formats, cap_range)
    xlsx.fill_rules(rules, export, export.rulesets)
    return xlsx.finish(book, out)


def _a1(export, opd, names, book, formats) -> str:
    sheet = _start(export, opd, names, book, formats, "A.1 Capaian",
                   f"Bab III A.1 — Capaian kinerja tahun {export.tahun}", 11)
    sheet.header([("No", 1), ("Sasaran Strategis", 1), ("Indikator Kinerja", 1), ("Satuan", 1), ("Target", 1),
                  ("Realisasi", 1), ("Capaian (%)", 1), ("Kategori", 1), ("Rumus capaian", 1), ("Status", 1)],
                 freeze_col=3)
    first = sheet.row
    for row in opd.rows:
        sheet.number(0, row.no, "int")
        sheet.text(1, f"{row.sasaran_kode} {row.sasaran}".strip())
        sheet.text(2, row.ind.nama)
        sheet.text(3, row.ind.satuan)
        write_target(sheet, 4, row, row.ind.target_sd(export.triwulan))
        _write_r(sheet, 5, row)
        fig = row.fig
        xlsx.write_capaian(sheet, 6, fig and fig.capaian, sheet.cell(5), sheet.cell(4))
        xlsx.write_kategori(sheet, 7, sheet.cell(6), fig and fig.kategori, row.rules.kategori)
        sheet.text(8, xlsx.formula_rule_note(fig and fig.capaian))
        _status(sheet, 9, row)
        sheet.next()
    last = max(first, sheet.row - 1)
    avg = opd.average()
    sheet.text(2, f"Rata-rata capaian ({avg.rule_label})", "text_bold")
    cap_range = f"{xlsx.quote_sheet(sheet.name)}!{xl_range(first, 6, last, 6)}"
    _average_cell(sheet, 6, xl_range(first, 6, last, 6), avg)
    xlsx.write_kategori(sheet, 7, sheet.cell(6), classify_capaian(avg, opd.rules.kategori), opd.rules.kategori)
    sheet.next()
    sheet.close()
    return cap_range


def _average_cell(sheet: xlsx.Sheet, col: int, ref: str, result) -> None:
    """The mean of capaian cells (text cells are skipped, as the engine skips figures
    that cannot be computed); with a cap the value is written with its rule."""
    if result.rule == "rata_rata" or result.state != DIHITUNG:
        cached = result.value if result.state == DIHITUNG else "Tidak dapat dihitung"
        sheet.formula(col, f'=IFERROR(AVERAGE({ref}),"Tidak dapat dihitung")', cached, "number_bold")
    else:
        sheet.number(col, result.value, "number_bold")


def _a2(export, opd, names, book, formats, history) -> None:
    years = sorted(history) + [export.tahun]
    sheet = _start(export, opd, names, book, formats, "A.2 Antar tahun",
                   "Bab III A.2 — Realisasi kinerja antar tahun", 4 + len(years))
    sheet.header([("No", 1), ("Indikator Kinerja", 1), ("Satuan", 1), ("Realisasi", [str(y) for y in years]),
                  ("Tren", 1), ("Status", 1)], freeze_col=2)
    for row in opd.rows:
        sheet.number(0, row.no, "int")
        sheet.text(1, row.ind.nama)
        sheet.text(2, row.ind.satuan)
        values = []
        for i, year in enumerate(years):
            source = row if year == export.tahun else history[year].get(row.ind.kode)
            value = _r_value(source) if source is not None else None
            if value is None and source is None:
                sheet.text(3 + i, "Tidak ada data")
            elif isinstance(value, Decimal):
                sheet.number(3 + i, value)
            else:
                sheet.text(3 + i, value or "")
            values.append(value)
        a, b = sheet.cell(3 + len(years) - 2), sheet.cell(3 + len(years) - 1)
        prev, now = (values[-2] if len(values) > 1 else None), values[-1]
        if isinstance(prev, Decimal) and isinstance(now, Decimal):
            trend = "Naik" if now > prev else ("Turun" if now < prev else "Tetap")
        else:
            trend = ""
        if len(years) > 1:
            sheet.formula(3 + len(years), f'=IF(AND(ISNUMBER({a}),ISNUMBER({b})),IF({b}>{a},"Naik",'
                                          f'IF({b}<{a},"Turun","Tetap")),"")', trend, "text")
        else:
            sheet.text(3 + len(years), "Belum ada data tahun sebelumnya di portal")
        _status(sheet, 4 + len(years), row)
        sheet.next()
    sheet.close()


def _a3(export, opd, names, book, formats) -> None:
    sheet = _start(export, opd, names, book, formats, "A.3 Renstra",
                   "Bab III A.3 — Realisasi terhadap target akhir Renstra", 7)
    sheet.header([("No", 1), ("Indikator Kinerja", 1), ("Satuan", 1), ("Target akhir Renstra", 1),
                  (f"Realisasi tahun {export.tahun}", 1), ("% terhadap target Renstra", 1), ("Rumus", 1),
                  ("Status", 1)], freeze_col=2)
    for row in opd.rows:
        ind = row.ind
        sheet.number(0, row.no, "int")
        sheet.text(1, ind.nama)
        sheet.text(2, ind.satuan)
        sheet.number(3, ind.target_renstra)
        _write_r(sheet, 4, row)
        result = None
        if row.rollup is not None and ind.jenis_target != "predikat":
            target = ind.target_renstra if ind.target_renstra is not None else BELUM_DIISI
            result = compute_capaian(row.rollup.as_value(), target, ind.polaritas, row.rules)
        xlsx.write_capaian(sheet, 5, result, sheet.cell(4), sheet.cell(3))
        sheet.text(6, xlsx.formula_rule_note(result))
        _status(sheet, 7, row)
        sheet.next()
    sheet.close()


def _a5(export, opd, names, book, formats) -> None:
    sheet = _start(export, opd, names, book, formats, "A.5 Analisis",
                   "Bab III A.5 — Analisis faktor dan alternatif solusi", 6)
    sheet.header([("No", 1), ("Indikator Kinerja", 1), ("Faktor pendukung", 1), ("Faktor penghambat", 1),
                  ("Upaya / alternatif solusi", 1), ("Status", 1)], freeze_col=2)
    for row in opd.rows:
        sheet.number(0, row.no, "int")
        sheet.text(1, row.ind.nama)
        sheet.text(2, row.faktor_pendorong)
        sheet.text(3, row.faktor_penghambat)
        sheet.text(4, row.tindak_lanjut)
        _status(sheet, 5, row)
        sheet.next()
    sheet.close()


def _a6_b(export, opd, names, book, formats, cap_range: str) -> None:
    n = export.triwulan
    avg = opd.average()
    a6 = _start(export, opd, names, book, formats, "A.6 Efisiensi", "Bab III A.6 — Efisiensi penggunaan sumber daya", 8)
    a6.text(0, EFISIENSI_METHOD, "subtitle")
    a6.next(2)
    a6.header([("Program", 1), ("Anggaran (Rp)", 1), ("Realisasi (Rp)", 1), ("Serapan (%)", 1),
               ("Rata-rata capaian kinerja (%)", 1), ("Selisih capaian − serapan", 1), ("Efisiensi", 1)],
              freeze_col=1)
    b = _start(export, opd, names, book, formats, "B Anggaran", "Bab III B — Realisasi anggaran", 7)
    b.header([("No", 1), ("Program / Kegiatan", 1), ("Tingkat", 1), ("Pagu (Rp)", 1), ("Realisasi (Rp)", 1),
              ("%", 1), ("Sisa (Rp)", 1)], freeze_col=2)
    first = b.row
    for i, p in enumerate(opd.programs, 1):
        spent = sum((v for v in p.realisasi[:n] if v is not None), Decimal(0))
        serapan = compute_serapan(spent, p.pagu if p.pagu is not None else BELUM_DIISI)
        b.number(0, i, "int")
        b.text(1, f"{p.kode} {p.nama}".strip(), "text_bold" if p.level == "program" else "text")
        b.text(2, "Program" if p.level == "program" else "Kegiatan")
        b.number(3, p.pagu, "rupiah")
        b.number(4, spent, "rupiah")
        xlsx_serapan(b, 5, serapan, b.cell(4), b.cell(3))
        if p.pagu is None:
            b.text(6, "")
        else:
            b.formula(6, f"={b.cell(3)}-{b.cell(4)}", p.pagu - spent, "rupiah")
        b.next()
        if p.level != "program":
            continue
        a6.text(0, f"{p.kode} {p.nama}".strip())
        a6.number(1, p.pagu, "rupiah")
        a6.number(2, spent, "rupiah")
        xlsx_serapan(a6, 3, serapan, a6.cell(2), a6.cell(1))
        _average_cell(a6, 4, cap_range, avg)
        if serapan.state == DIHITUNG and avg.state == DIHITUNG:
            diff = avg.value - serapan.value
            a6.formula(5, f"={a6.cell(4)}-{a6.cell(3)}", diff)
            verdict = "Efisien" if diff > 5 else ("Kurang efisien" if diff < -5 else "Sebanding")
            d = a6.cell(5)
            a6.formula(6, f'=IF({d}>5,"Efisien",IF({d}<-5,"Kurang efisien","Sebanding"))', verdict, "text")
        else:
            a6.text(5, "Tidak dapat dihitung")
            a6.text(6, "")
        a6.next()
    if opd.programs:
        last = b.row - 1
        levels = xl_range(first, 2, last, 2)
        b.text(1, "Jumlah (tingkat program)", "text_bold")
        programs = [p for p in opd.programs if p.level == "program"]
        pagu = sum((p.pagu or Decimal(0) for p in programs), Decimal(0))
        spent = sum((v or Decimal(0) for p in programs for v in p.realisasi[:n]), Decimal(0))
        b.formula(3, f'=SUMIF({levels},"Program",{xl_range(first, 3, last, 3)})', pagu, "rupiah_bold")
        b.formula(4, f'=SUMIF({levels},"Program",{xl_range(first, 4, last, 4)})', spent, "rupiah_bold")
        xlsx_serapan(b, 5, compute_serapan(spent, pagu), b.cell(4), b.cell(3))
        b.formula(6, f"={b.cell(3)}-{b.cell(4)}", pagu - spent, "rupiah_bold")
        b.next()
    a6.close()
    b.close()


def xlsx_serapan(sheet: xlsx.Sheet, col: int, result, spent_ref: str, pagu_ref: str) -> None:
    if result.state == DIHITUNG:
        sheet.formula(col, f"={spent_ref}/{pagu_ref}*100", result.value)
    else:
        sheet.text(col, result.display())


# -- Evaluasi hasil Renja (E.81) -----------------------------------------------------------

E81_GROUPS = [("1. No", 1), ("2. Sasaran", 1), ("3. Kode, Program / Kegiatan", 1),
              ("4. Indikator kinerja program (outcome) / kegiatan (output)", 1), ("Satuan", 1),
              ("5. Target Renstra akhir periode", ["K", "Rp"]),
              ("6. Realisasi Renstra s.d. Renja tahun lalu", ["K", "Rp"]),
              ("7. Target Renja tahun ini", ["K", "Rp"]),
              ("8. Realisasi TW I", ["K", "Rp"]), ("9. Realisasi TW II", ["K", "Rp"]),
              ("10. Realisasi TW III", ["K", "Rp"]), ("11. Realisasi TW IV", ["K", "Rp"]),
              ("12. Realisasi Renja (8+9+10+11; K menurut sifat)", ["K", "Rp"]),
              ("13. Tingkat capaian Renja (12/7×100) %", ["K", "Rp"]),
              ("14. Realisasi Renstra s.d. tahun ini (6+12)", ["K", "Rp"]),
              ("15. Tingkat capaian Renstra (14/5×100) %", ["K", "Rp"]),
              ("16. Unit penanggung jawab / keterangan", 1), ("Status", 1)]
K5, K6, K7, K8, K12, K13, K14, K15 = 5, 7, 9, 11, 19, 21, 23, 25


def evaluasi_renja(export: Export) -> bytes:
    book, out, formats = xlsx.new_workbook()
    names = xlsx.SheetNames()
    rules = xlsx.rules_sheet(book, formats, names)
    opd = _one(export)
    n = export.triwulan
    sheet = _start(export, opd, names, book, formats, "E.81",
                   f"Tabel E.81 — Evaluasi terhadap hasil Renja Perangkat Daerah tahun {export.tahun} "
                   f"(s.d. TW {ROMAN[n - 1]})", 29)
    sheet.header(E81_GROUPS, freeze_col=4)
    first = sheet.row
    for row in opd.rows:
        _e81_indicator(sheet, row, n)
    last = max(first, sheet.row - 1)
    for p in opd.programs:
        _e81_program(sheet, p, n)
    _footer(sheet, "Rata-rata capaian kinerja (%)")
    ref = xl_range(first, K13, last, K13)
    progres = average_capaian([r.fig.progres for r in opd.rows if r.fig and r.fig.progres is not None], opd.rules)
    _average_cell(sheet, K13, ref, progres)
    sheet.next()
    _footer(sheet, "Predikat kinerja")
    above = xl_rowcol_to_cell(sheet.row - 1, K13)
    xlsx.write_kategori(sheet, K13, above, classify_capaian(progres, opd.rules.kategori), opd.rules.kategori)
    sheet.next()
    for label, attr in (("Faktor pendorong", "faktor_pendorong"), ("Faktor penghambat", "faktor_penghambat"),
                        ("Tindak lanjut triwulan berikutnya dan Renja berikutnya", "tindak_lanjut")):
        _footer(sheet, label)
        sheet.text(3, "; ".join(f"{r.ind.kode}: {getattr(r, attr)}" for r in opd.rows if getattr(r, attr)))
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


def _e81_program(sheet: xlsx.Sheet, p, n: int) -> None:
    sheet.text(2, f"{p.kode} {p.nama}".strip(), "text_bold" if p.level == "program" else "text")
    sheet.number(K7 + 1, p.pagu, "rupiah")
    for q in range(4):
        sheet.number(K8 + 2 * q + 1, p.realisasi[q] if q < n else None, "rupiah")
    spent = sum((v for v in p.realisasi[:n] if v is not None), Decimal(0))
    cells = ",".join(sheet.cell(K8 + 2 * q + 1) for q in range(n))
    sheet.formula(K12 + 1, f"=SUM({cells})", spent, "rupiah")
    xlsx_serapan(sheet, K13 + 1, compute_serapan(spent, p.pagu if p.pagu is not None else BELUM_DIISI),
                 sheet.cell(K12 + 1), sheet.cell(K7 + 1))
    sheet.formula(K14 + 1, f"=N({sheet.cell(K6 + 1)})+{sheet.cell(K12 + 1)}", spent, "rupiah")
    sheet.text(28, "Program" if p.level == "program" else "Kegiatan")
    sheet.next()
