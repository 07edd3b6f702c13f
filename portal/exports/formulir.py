"""The measurement data of an OPD for a period with every column (EXPORTS.md, "Data
pengukuran"): one row per indicator, realisasi per TW, roll-up, capaian, progres and
kategori as live formulas, faktor, bukti dukung, status and who signed. The printable
forms built on it are in official.py. Pure: data in, bytes out."""
from decimal import Decimal

from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

from portal.capaian.figures import angka
from portal.capaian.rules import compute_serapan
from portal.capaian.values import BELUM_DIISI, DIHITUNG, STATE_LABELS, TIDAK_BERLAKU
from portal.exports import xlsx
from portal.exports.figures import Export, OpdFigures, Row
from portal.numbers import TW

POLARITAS = {"positif": "Positif", "negatif": "Negatif"}
SIFAT = {"kumulatif": "Kumulatif", "nilai_akhir": "Nilai akhir", "rata_rata": "Rata-rata"}

# Column positions of the indicator table (without the OPD column).
C_TARGET_PK, C_TARGET_SD, C_TW1, C_SD, C_CAPAIAN, C_PROGRES, C_KATEGORI = 9, 10, 11, 15, 16, 17, 18


def headers(n: int, with_opd: bool) -> list:
    tw = f"TW {TW[n - 1]}"
    groups = [("No", 1), ("Sasaran Strategis", 1), ("Kode", 1), ("Indikator Kinerja (IKU/IKP)", 1),
              ("Definisi operasional / cara ukur", 1), ("Satuan", 1), ("Polaritas", 1), ("Sifat agregasi", 1),
              ("Baseline", 1), ("Target tahunan (PK)", 1), (f"Target s.d. {tw}", 1),
              ("Realisasi", [f"TW {r}" for r in TW]), (f"Realisasi s.d. {tw}", 1),
              (f"Capaian s.d. {tw} (%)", 1), ("Progres thd target tahunan (%)", 1), ("Kategori", 1),
              ("Rumus capaian", 1), ("Faktor pendorong", 1), ("Faktor penghambat", 1), ("Tindak lanjut", 1),
              ("Bukti dukung (berkas)", 1), ("Status", 1), ("Diisi, direviu, disahkan (oleh, tanggal)", 1),
              ("Unit penanggung jawab", 1)]
    return ([("Perangkat Daerah", 1)] if with_opd else []) + groups


def state_text(value) -> str:
    return STATE_LABELS.get(value, str(value))


def write_value(sheet: xlsx.Sheet, col: int, value) -> None:
    """A quarter's value: a number, a predikat (user text) or a state label."""
    if isinstance(value, Decimal):
        sheet.number(col, value)
    elif value is BELUM_DIISI:
        sheet.text(col, "")
    elif value is TIDAK_BERLAKU:
        sheet.text(col, state_text(value))
    else:
        sheet.text(col, value)


def write_target(sheet: xlsx.Sheet, col: int, row: Row, value) -> None:
    ind = row.ind
    if ind.jenis_target == "rentang":
        both = ind.target_bawah is not None and ind.target_atas is not None
        sheet.text(col, f"{angka(ind.target_bawah)}–{angka(ind.target_atas)}" if both else "")
    elif ind.jenis_target == "predikat":
        sheet.text(col, ind.target_predikat or "")
    else:
        sheet.number(col, value)


def rollup_formula(row: Row, cells: list[str], contiguous: bool = True) -> str:
    """Realisasi s.d. TW n by the indicator's sifat: sum, last filled, or mean of the
    filled quarters (blank and "Tidak berlaku" quarters are skipped, as the engine does)."""
    span = f"{cells[0]}:{cells[-1]}" if contiguous else ",".join(cells)
    empty = xlsx.literal(state_text(row.rollup.as_value()) if row.rollup.state != DIHITUNG else "Belum diisi")
    if row.ind.sifat == "kumulatif":
        return f"=IF(COUNT({span})=0,{empty},SUM({span}))"
    if row.ind.sifat == "rata_rata":
        return f"=IF(COUNT({span})=0,{empty},AVERAGE({span}))"
    expr = empty
    for cell in cells:
        expr = f"IF(ISNUMBER({cell}),{cell},{expr})"
    return "=" + expr


def write_indicator_row(sheet: xlsx.Sheet, row: Row, n: int, opd_name: str | None) -> None:
    o = 0 if opd_name is None else 1
    ind = row.ind
    if opd_name is not None:
        sheet.text(0, opd_name)
    sheet.number(o + 0, row.no, "int")
    sheet.text(o + 1, f"{row.sasaran_kode} {row.sasaran}".strip())
    sheet.text(o + 2, ind.kode)
    sheet.text(o + 3, ind.nama + (" (IKU)" if ind.is_iku else ""))
    sheet.text(o + 4, ind.definisi)
    sheet.text(o + 5, ind.satuan)
    sheet.text(o + 6, POLARITAS.get(ind.polaritas, ind.polaritas))
    sheet.text(o + 7, SIFAT.get(ind.sifat, ind.sifat))
    sheet.number(o + 8, ind.baseline)
    write_target(sheet, o + C_TARGET_PK, row, ind.target_pk)
    write_target(sheet, o + C_TARGET_SD, row, ind.target_sd(n))
    for q in range(4):
        write_value(sheet, o + C_TW1 + q, row.realisasi[q])
    r_ref, t_ref, pk_ref = sheet.cell(o + C_SD), sheet.cell(o + C_TARGET_SD), sheet.cell(o + C_TARGET_PK)
    fig = row.fig
    if fig is None:
        for col in range(C_SD, C_KATEGORI + 2):
            sheet.text(o + col, "")
    else:
        if row.rollup is None:
            sheet.text(o + C_SD, fig.realisasi_sd)
        else:
            cells = [sheet.cell(o + C_TW1 + q) for q in range(n)]
            value = row.rollup.value if row.rollup.state == DIHITUNG else state_text(row.rollup.as_value())
            sheet.formula(o + C_SD, rollup_formula(row, cells), value)
        xlsx.write_capaian(sheet, o + C_CAPAIAN, fig.capaian, r_ref, t_ref)
        xlsx.write_capaian(sheet, o + C_PROGRES, fig.progres, r_ref, pk_ref)
        xlsx.write_kategori(sheet, o + C_KATEGORI, sheet.cell(o + C_CAPAIAN), fig.kategori, row.rules.kategori)
        sheet.text(o + C_KATEGORI + 1, xlsx.formula_rule_note(fig.capaian))
    sheet.text(o + 20, row.faktor_pendorong)
    sheet.text(o + 21, row.faktor_penghambat)
    sheet.text(o + 22, row.tindak_lanjut)
    sheet.number(o + 23, row.bukti, "int")
    sheet.text(o + 24, row.status, "draft_text" if row.draft else "text")
    sheet.text(o + 25, row.verifier)
    sheet.text(o + 26, row.unit)
    sheet.next()


def anggaran_sheet(book, formats, names: xlsx.SheetNames, export: Export, opd: OpdFigures) -> None:
    """The program data with every column ("Data anggaran")."""
    page = xlsx.Page(xlsx.A4, True, 8.0, (f"{opd.name} · {opd.pemda}", "Data anggaran",
                                          f"Tahun {export.tahun} · {export.label}"))
    sheet = xlsx.Sheet(book, formats, names("Data anggaran"), page=page)
    sheet.title([(f"Program / Kegiatan dan realisasi anggaran — {export.label}", "title"),
                 (f"{opd.name} · {opd.pemda}", "subtitle")], 8)
    if not opd.programs:
        sheet.text(0, "Belum ada program/kegiatan tahun ini.", "plain")
        sheet.next()
    write_programs(sheet, opd, export.triwulan)
    sheet.close()


def write_programs(sheet: xlsx.Sheet, opd: OpdFigures, n: int) -> None:
    """Program / Kegiatan with pagu, realisasi Rp per TW, s.d. TW n, serapan and sisa."""
    if not opd.programs:
        return
    labels = ["Kode", "Program / Kegiatan", "Tingkat", "Pagu (Rp)"] + [f"Realisasi TW {r} (Rp)" for r in TW] + [
        f"Realisasi s.d. TW {TW[n - 1]} (Rp)", "Serapan (%)", "Sisa (Rp)", "Rumus"]
    for col, label in enumerate(labels):
        sheet.text(col, label, "head")
    sheet.next()
    first = sheet.row
    for p in opd.programs:
        sheet.text(0, p.kode)
        sheet.text(1, p.nama, "text_bold" if p.level == "program" else "text")
        sheet.text(2, "Program" if p.level == "program" else "Kegiatan")
        sheet.number(3, p.pagu, "rupiah")
        for q in range(4):
            sheet.number(4 + q, p.realisasi[q], "rupiah")
        filled = [v for v in p.realisasi[:n] if v is not None]
        spent = sum(filled, Decimal(0))
        sheet.formula(8, f"=SUM({sheet.cell(4)}:{sheet.cell(4 + n - 1)})", spent, "rupiah")
        serapan = compute_serapan(spent, p.pagu if p.pagu is not None else BELUM_DIISI)
        if serapan.state == DIHITUNG:
            sheet.formula(9, f"={sheet.cell(8)}/{sheet.cell(3)}*100", serapan.value)
        else:
            sheet.text(9, serapan.display())
        if p.pagu is None:
            sheet.text(10, "")
        else:
            sheet.formula(10, f"={sheet.cell(3)}-{sheet.cell(8)}", p.pagu - spent, "rupiah")
        sheet.text(11, xlsx.formula_rule_note(serapan))
        sheet.next()
    last = sheet.row - 1
    programs = [p for p in opd.programs if p.level == "program"]
    sheet.text(1, "Jumlah (tingkat program)", "text_bold")
    sheet.text(2, "")
    levels = xl_range(first, 2, last, 2)
    for col, attr in ((3, "pagu"), (8, "spent")):
        total = sum((_program_value(p, attr, n) for p in programs), Decimal(0))
        cells = xl_range(first, col, last, col)
        sheet.formula(col, f'=SUMIF({levels},"Program",{cells})', total, "rupiah_bold")
    sheet.next()


def _program_value(p, attr: str, n: int) -> Decimal:
    if attr == "pagu":
        return p.pagu or Decimal(0)
    return sum((v for v in p.realisasi[:n] if v is not None), Decimal(0))


class DataSheet:
    """The sheet with every column ("Data pengukuran"): one row per indicator, filterable
    (autofilter), header and first columns frozen; prints on A3 landscape at 8 pt or more,
    over as many pages across as it needs, the first columns repeated on each."""

    def __init__(self, book, formats, names: xlsx.SheetNames, export: Export, with_opd: bool,
                 name: str = "Data pengukuran", has_draft: bool | None = None, has_signed: bool | None = None):
        self.export, self.with_opd = export, with_opd
        has_draft = export.has_draft if has_draft is None else has_draft
        has_signed = export.has_signed if has_signed is None else has_signed
        page = xlsx.Page(xlsx.A3, True, 8.0, (export.scope.name, "Data pengukuran kinerja",
                                             f"Tahun {export.tahun} · {export.label}"))
        self.sheet = xlsx.Sheet(book, formats, names(name), page=page)
        groups = headers(export.triwulan, with_opd)
        self.cols = len(groups) + 3  # "Realisasi" spans four columns
        title = f"Data pengukuran kinerja — {export.label}"
        if not has_signed and not has_draft:
            title += " (belum ada angka yang disahkan)"
        self.sheet.title([(title, "title"), (export.scope.name, "subtitle")]
                         + xlsx.draft_lines(export, has_draft, has_signed), 8)
        self.head = self.sheet.row
        self.sheet.header(groups, freeze_col=(5 if with_opd else 4))

    def add(self, opd: OpdFigures) -> None:
        for row in opd.rows:
            write_indicator_row(self.sheet, row, self.export.triwulan, opd.name if self.with_opd else None)

    def close(self) -> None:
        last = max(self.sheet.row - 1, self.head + 1)
        self.sheet.ws.autofilter(self.head + 1, 0, last, self.cols - 1)
        self.sheet.ws.repeat_columns(0, 4 if self.with_opd else 3)
        self.sheet.close()


def data_sheet(book, formats, names: xlsx.SheetNames, export: Export, opds, name: str = "Data pengukuran",
               with_opd: bool = False) -> None:
    opds = list(opds)
    sheet = DataSheet(book, formats, names, export, with_opd, name, any(o.has_draft for o in opds),
                      any(r.signed for o in opds for r in o.rows))
    for opd in opds:
        sheet.add(opd)
    sheet.close()


def cell(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)
