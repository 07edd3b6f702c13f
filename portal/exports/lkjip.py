"""LKjIP Bab III — Akuntabilitas Kinerja: A.1 capaian this year, A.2 across the years the
portal has, A.3 against the Renstra end target, A.5 faktor and solusi, A.6 efisiensi (the
method named on the sheet) and B realisasi anggaran. Pure: data in, bytes out."""
from decimal import Decimal

from xlsxwriter.utility import xl_range

from portal.capaian.rules import classify_capaian, compute_capaian, compute_serapan
from portal.capaian.values import BELUM_DIISI, DIHITUNG
from portal.exports import xlsx
from portal.exports.figures import Export, Row
from portal.exports.formulir import write_target
from portal.exports.official import average_cell, r_value, write_r
from portal.exports.reports import one_opd, serapan_cell, start_sheet, status_cell

EFISIENSI_METHOD = ("Metode efisiensi: selisih = rata-rata capaian kinerja (%) − serapan anggaran (%); "
                    "selisih > 5: Efisien; −5 s.d. 5: Sebanding; < −5: Kurang efisien.")


def lkjip_bab3(export: Export, history: dict[int, dict[str, Row]] | None = None) -> bytes:
    """A.1, A.2 (years the portal has), A.3, A.5, A.6 and B. `history` maps an earlier
    year to that year's rows by indicator code (annual figures)."""
    history = history or {}
    book, out, formats = xlsx.new_workbook()
    names = xlsx.SheetNames()
    rules = xlsx.rules_sheet(book, formats, names)
    opd = one_opd(export)
    cap_range = _a1(export, opd, names, book, formats)
    _a2(export, opd, names, book, formats, history)
    _a3(export, opd, names, book, formats)
    _a5(export, opd, names, book, formats)
    _a6_b(export, opd, names, book, formats, cap_range)
    xlsx.fill_rules(rules, export, export.rulesets)
    return xlsx.finish(book, out)


def _a1(export, opd, names, book, formats) -> str | None:
    sheet = start_sheet(export, opd, names, book, formats, "A.1 Capaian",
                        f"Bab III A.1 — Capaian kinerja tahun {export.tahun}", 10,
                        {0: 4, 1: 18, 2: 26, 3: 8, 4: 9, 5: 9, 6: 8, 7: 10, 8: 24, 9: 14})
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
        write_r(sheet, 5, row)
        fig = row.fig
        xlsx.write_capaian(sheet, 6, fig and fig.capaian, sheet.cell(5), sheet.cell(4))
        xlsx.write_kategori(sheet, 7, sheet.cell(6), fig and fig.kategori, row.rules.kategori)
        sheet.text(8, xlsx.formula_rule_note(fig and fig.capaian))
        status_cell(sheet, 9, row)
        sheet.next()
    last = sheet.row - 1
    avg = opd.average()
    sheet.text(2, f"Rata-rata capaian ({avg.rule_label})", "text_bold")
    if not opd.rows:  # no range at all: never the average's own cell
        sheet.text(6, "Tidak dapat dihitung", "text_bold")
        sheet.next()
        sheet.close()
        return None
    cap_range = f"{xlsx.quote_sheet(sheet.name)}!{xl_range(first, 6, last, 6)}"
    average_cell(sheet, 6, xl_range(first, 6, last, 6), avg)
    xlsx.write_kategori(sheet, 7, sheet.cell(6), classify_capaian(avg, opd.rules.kategori), opd.rules.kategori)
    sheet.next()
    sheet.close()
    return cap_range


def _a2(export, opd, names, book, formats, history) -> None:
    years = sorted(history) + [export.tahun]
    sheet = start_sheet(export, opd, names, book, formats, "A.2 Antar tahun",
                        "Bab III A.2 — Realisasi kinerja antar tahun", 5 + len(years),
                        {0: 4, 1: 34, 2: 10, **{3 + i: 12 for i in range(len(years))}, 3 + len(years): 10,
                         4 + len(years): 16})
    sheet.header([("No", 1), ("Indikator Kinerja", 1), ("Satuan", 1), ("Realisasi", [str(y) for y in years]),
                  ("Tren", 1), ("Status", 1)], freeze_col=2)
    for row in opd.rows:
        sheet.number(0, row.no, "int")
        sheet.text(1, row.ind.nama)
        sheet.text(2, row.ind.satuan)
        values = []
        for i, year in enumerate(years):
            source = row if year == export.tahun else history[year].get(row.ind.kode)
            value = r_value(source) if source is not None else None
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
        status_cell(sheet, 4 + len(years), row)
        sheet.next()
    sheet.close()


def _a3(export, opd, names, book, formats) -> None:
    sheet = start_sheet(export, opd, names, book, formats, "A.3 Renstra",
                        "Bab III A.3 — Realisasi terhadap target akhir Renstra", 8,
                        {0: 4, 1: 32, 2: 10, 3: 12, 4: 12, 5: 12, 6: 30, 7: 16})
    sheet.header([("No", 1), ("Indikator Kinerja", 1), ("Satuan", 1), ("Target akhir Renstra", 1),
                  (f"Realisasi tahun {export.tahun}", 1), ("% terhadap target Renstra", 1), ("Rumus", 1),
                  ("Status", 1)], freeze_col=2)
    for row in opd.rows:
        ind = row.ind
        sheet.number(0, row.no, "int")
        sheet.text(1, ind.nama)
        sheet.text(2, ind.satuan)
        sheet.number(3, ind.target_renstra)
        write_r(sheet, 4, row)
        result = None
        if row.rollup is not None and ind.jenis_target != "predikat":
            target = ind.target_renstra if ind.target_renstra is not None else BELUM_DIISI
            result = compute_capaian(row.rollup.as_value(), target, ind.polaritas, row.rules)
        xlsx.write_capaian(sheet, 5, result, sheet.cell(4), sheet.cell(3))
        sheet.text(6, xlsx.formula_rule_note(result))
        status_cell(sheet, 7, row)
        sheet.next()
    sheet.close()


def _a5(export, opd, names, book, formats) -> None:
    sheet = start_sheet(export, opd, names, book, formats, "A.5 Analisis",
                        "Bab III A.5 — Analisis faktor dan alternatif solusi", 6,
                        {0: 4, 1: 28, 2: 30, 3: 30, 4: 30, 5: 14})
    sheet.header([("No", 1), ("Indikator Kinerja", 1), ("Faktor pendukung", 1), ("Faktor penghambat", 1),
                  ("Upaya / alternatif solusi", 1), ("Status", 1)], freeze_col=2)
    for row in opd.rows:
        sheet.number(0, row.no, "int")
        sheet.text(1, row.ind.nama)
        sheet.text(2, row.faktor_pendorong)
        sheet.text(3, row.faktor_penghambat)
        sheet.text(4, row.tindak_lanjut)
        status_cell(sheet, 5, row)
        sheet.next()
    sheet.close()


def _a6_b(export, opd, names, book, formats, cap_range: str | None) -> None:
    n = export.triwulan
    avg = opd.average()
    a6 = start_sheet(export, opd, names, book, formats, "A.6 Efisiensi",
                     "Bab III A.6 — Efisiensi penggunaan sumber daya", 7,
                     {0: 34, 1: 17, 2: 17, 3: 10, 4: 12, 5: 12, 6: 14})
    a6.merged(0, 6, EFISIENSI_METHOD, "plain", a6.lines_for(EFISIENSI_METHOD, 0, 6))
    a6.next(2)
    a6.header([("Program", 1), ("Anggaran (Rp)", 1), ("Realisasi (Rp)", 1), ("Serapan (%)", 1),
               ("Rata-rata capaian kinerja (%)", 1), ("Selisih capaian − serapan", 1), ("Efisiensi", 1)],
              freeze_col=1)
    b = start_sheet(export, opd, names, book, formats, "B Anggaran", "Bab III B — Realisasi anggaran", 7,
                    {0: 4, 1: 40, 2: 10, 3: 17, 4: 17, 5: 8, 6: 17})
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
        serapan_cell(b, 5, serapan, b.cell(4), b.cell(3))
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
        serapan_cell(a6, 3, serapan, a6.cell(2), a6.cell(1))
        if cap_range is None:
            a6.text(4, "Tidak dapat dihitung")
        else:
            average_cell(a6, 4, cap_range, avg)
        if serapan.state == DIHITUNG and avg.state == DIHITUNG and cap_range is not None:
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
        serapan_cell(b, 5, compute_serapan(spent, pagu), b.cell(4), b.cell(3))
        b.formula(6, f"={b.cell(3)}-{b.cell(4)}", pagu - spent, "rupiah_bold")
        b.next()
    a6.close()
    b.close()


