"""Consolidated workbooks: a pemda (a summary sheet, then each OPD's Formulir, then the
data of all) and a province (a summary per pemda with its OPD rows below, then a sheet per
pemda with a block per OPD: sasaran, indicators, target, realisasi, capaian, kategori; then
the data of all). Averages are of indicator capaian (never sums of ratios), as live AVERAGE
formulas over the capaian cells of the OPD's own indicators: an OPD without indicators has
no range at all (its figures are written as values). Pure: data in, bytes out."""
from collections.abc import Callable

from xlsxwriter.utility import xl_range

from portal.capaian.rules import average_capaian, classify_capaian
from portal.capaian.values import DIHITUNG
from portal.exports import official, xlsx
from portal.exports.figures import Export, OpdFigures
from portal.exports.formulir import DataSheet, write_target
from portal.exports.official import formulir_form, write_r
from portal.numbers import TW

Progress = Callable[[int, int], None]


def _workbook(export: Export, title: str, first_label: str, fill, constant_memory: bool = True) -> bytes:
    """A consolidated workbook: the rules sheet, the "Ringkasan" sheet (title and header,
    printable on A4 landscape) and what `fill(book, formats, names, summary, labels)` writes
    in it and after it; `labels` are the kategori of the summary's count columns."""
    book, out, formats = xlsx.new_workbook(constant_memory)
    names = xlsx.SheetNames()
    rules = xlsx.rules_sheet(book, formats, names)
    labels = [b.label for b in export.scope_rules.kategori.bands]
    widths = {0: 4, 1: 30, 2: 9, 3: 8, 4: 6, 5: 12, 6: 11, **{7 + i: 7 for i in range(len(labels))},
              7 + len(labels): 18, 8 + len(labels): 16}
    summary = xlsx.Sheet(book, formats, names("Ringkasan"), widths,
                         official.page(export, export.scope.name, "", "Ringkasan capaian kinerja"), fixed=True)
    summary.ws.activate()
    full = official.titled(export, f"{title} — {export.label}", export.has_signed, export.has_draft)
    summary.title([(full, "title"), (export.scope.name, "subtitle")]
                  + xlsx.draft_lines(export, export.has_draft, export.has_signed), len(widths))
    summary.header([("No", 1), (first_label, 1), ("Jumlah indikator", 1), ("Disahkan", 1), ("Draf", 1),
                    ("Rata-rata capaian (%)", 1), ("Kategori rata-rata", 1), ("Jumlah indikator per kategori", labels),
                    ("Aturan rata-rata", 1), ("Status", 1)], freeze_col=2)
    fill(book, formats, names, summary, labels)
    summary.close()
    xlsx.fill_rules(rules, export, export.rulesets)
    return xlsx.finish(book, out)


class Tally:
    """What a summary line needs of many indicator rows, without keeping the rows."""

    def __init__(self, rows=()):
        self.count = self.signed = self.drafts = 0
        self.capaian: list = []
        self.kategori: dict[str, int] = {}
        for r in rows:
            self.count += 1
            self.signed += r.signed
            self.drafts += r.draft
            if r.shown:
                self.capaian.append(r.fig.capaian)
                if r.fig.kategori:
                    self.kategori[r.fig.kategori] = self.kategori.get(r.fig.kategori, 0) + 1

    def add(self, other: "Tally") -> None:
        self.count += other.count
        self.signed += other.signed
        self.drafts += other.drafts
        self.capaian.extend(other.capaian)
        for k, v in other.kategori.items():
            self.kategori[k] = self.kategori.get(k, 0) + v


def _summary_row(sheet: xlsx.Sheet, no, name: str, tally: Tally, ranges: list[tuple[str, str]], rules, labels,
                 bold: bool = False) -> None:
    """One summary line: counts, the mean capaian of the indicators in `ranges` (capaian
    ref, kategori ref) and the count per kategori, all live over the detail sheets."""
    text, number = ("text_bold", "number_bold") if bold else ("text", "number")
    avg = average_capaian(tally.capaian, rules)
    if no is None:
        sheet.text(0, "")
    else:
        sheet.number(0, no, "int")
    sheet.text(1, name, text)
    sheet.number(2, tally.count, "int")
    sheet.number(3, tally.signed, "int")
    drafts = tally.drafts
    sheet.number(4, drafts, "int")
    refs = ",".join(cap for cap, _ in ranges)
    if not ranges:  # no indicator: nothing to average or count, and no formula pointing elsewhere
        sheet.text(5, "Tidak dapat dihitung", text)
        sheet.text(6, "")
        for i, _label in enumerate(labels):
            sheet.number(7 + i, 0, "int")
    else:
        if avg.rule == "rata_rata" or avg.state != DIHITUNG:
            cached = avg.value if avg.state == DIHITUNG else "Tidak dapat dihitung"
            sheet.formula(5, f'=IFERROR(AVERAGE({refs}),"Tidak dapat dihitung")', cached, number)
        else:
            sheet.number(5, avg.value, number)
        xlsx.write_kategori(sheet, 6, sheet.cell(5), classify_capaian(avg, rules.kategori), rules.kategori)
        for i, label in enumerate(labels):
            count = tally.kategori.get(label, 0)
            terms = "+".join(f"COUNTIF({kat},{xlsx.literal(label)})" for _, kat in ranges)
            sheet.formula(7 + i, f"={terms}", count, "int")
    sheet.text(7 + len(labels), avg.rule_label + (f"; {avg.note}" if avg.note else ""))
    if not tally.count:
        sheet.text(8 + len(labels), "Belum ada indikator")
    elif drafts:
        sheet.text(8 + len(labels), f"{xlsx.DRAFT_MARK}: {drafts} indikator", "draft_text")
    elif tally.count and tally.signed == tally.count:
        sheet.text(8 + len(labels), "Semua disahkan")
    else:
        sheet.text(8 + len(labels), f"{tally.count - tally.signed} indikator belum disahkan")
    sheet.next()


def _ranges(sheet_name: str, span: tuple[int, int] | None, cap_col: int, kat_col: int) -> list[tuple[str, str]]:
    """The capaian and kategori cells of one OPD's indicators; none when it has none (an
    empty range must not become a neighbour's cells)."""
    if span is None:
        return []
    first, last = span
    q = xlsx.quote_sheet(sheet_name)
    return [(f"{q}!{xl_range(first, cap_col, last, cap_col)}", f"{q}!{xl_range(first, kat_col, last, kat_col)}")]


def pemda(export: Export, docs, progress: Progress | None = None) -> bytes:
    """The summary, then each OPD's Formulir (the official form), then the data of every
    OPD on one sheet ("Data pengukuran")."""
    def fill(book, formats, names, summary, labels) -> None:
        everything, all_ranges, done = Tally(), [], []
        for i, (opd, doc) in enumerate(docs(export.opds), 1):
            form = formulir_form(book, formats, names, doc, opd.name)
            done.append(opd)
            ranges = _ranges(form.sheet.name, form.span, official.CAPAIAN, official.KATEGORI)
            tally = Tally(opd.rows)
            _summary_row(summary, i, opd.name, tally, ranges, opd.rules, labels)
            everything.add(tally)
            all_ranges.extend(ranges)
            if progress:
                progress(i, export.opd_count)
        if export.opd_count:
            _summary_row(summary, None, f"Seluruh perangkat daerah {export.scope.name}", everything, all_ranges,
                         export.scope_rules, labels, bold=True)
        else:
            summary.merged(1, 7, "Belum ada perangkat daerah di pemerintah daerah ini.", "text")
            summary.next()
        data = DataSheet(book, formats, names, export, with_opd=True)  # the last sheet
        for opd in done:
            data.add(opd)
        data.close()

    return _workbook(export, "Ringkasan capaian kinerja perangkat daerah", "Perangkat Daerah", fill,
                     constant_memory=False)


# The columns of a pemda's sheet in the province workbook.
P_NO, P_INDIKATOR, P_SATUAN, P_TARGET, P_REALISASI, P_CAPAIAN, P_KATEGORI, P_STATUS = range(8)
P_WIDTHS = {P_NO: 4, P_INDIKATOR: 40, P_SATUAN: 9, P_TARGET: 10, P_REALISASI: 10, P_CAPAIAN: 9, P_KATEGORI: 11,
            P_STATUS: 22}


def _opd_block(sheet: xlsx.Sheet, export: Export, opd: OpdFigures) -> tuple[int, int] | None:
    """An OPD on its pemda's sheet: its name, then per sasaran its indicators with target,
    realisasi, capaian and kategori. Returns the rows of its indicators (None: none)."""
    n = export.triwulan
    sheet.merged(P_NO, P_STATUS, opd.name, "group")
    sheet.next()
    rows: list[int] = []
    for kode, nama, group_rows in _by_sasaran(opd):
        title = f"{kode} {nama}".strip()
        sheet.merged(P_NO, P_STATUS, f"Sasaran: {title}", "text_bold", sheet.lines_for(title, P_NO, P_STATUS))
        sheet.next()
        if not group_rows:
            sheet.text(P_NO, "")
            sheet.merged(P_INDIKATOR, P_STATUS, "Belum ada indikator untuk sasaran ini.", "text")
            sheet.next()
        for row in group_rows:
            rows.append(sheet.row)
            sheet.number(P_NO, row.no, "int")
            sheet.text(P_INDIKATOR, row.ind.nama + (" (IKU)" if row.ind.is_iku else ""))
            sheet.text(P_SATUAN, row.ind.satuan)
            write_target(sheet, P_TARGET, row, row.ind.target_sd(n))
            write_r(sheet, P_REALISASI, row)
            fig = row.fig
            xlsx.write_capaian(sheet, P_CAPAIAN, fig and fig.capaian, sheet.cell(P_REALISASI), sheet.cell(P_TARGET))
            if fig is None:
                sheet.text(P_KATEGORI, "")
            else:
                xlsx.write_kategori(sheet, P_KATEGORI, sheet.cell(P_CAPAIAN), fig.kategori, row.rules.kategori)
            sheet.text(P_STATUS, row.status, "draft_text" if row.draft else "text")
            sheet.next()
    if not opd.rows and not opd.sasaran:
        sheet.text(P_NO, "")
        sheet.merged(P_INDIKATOR, P_STATUS, "Belum ada indikator kinerja tahun ini.", "text")
        sheet.next()
    return (min(rows), max(rows)) if rows else None


def _by_sasaran(opd: OpdFigures):
    groups: dict[str, tuple[str, list]] = {kode: (nama, []) for kode, nama in opd.sasaran}
    for row in opd.rows:
        groups.setdefault(row.sasaran_kode, (row.sasaran, []))[1].append(row)
    return [(kode, nama, rows) for kode, (nama, rows) in groups.items()]


def province(export: Export, progress: Progress | None = None) -> bytes:
    """The summary per pemda (every pemda, with OPDs or not) and its OPD rows, then a sheet
    per pemda with its OPDs' blocks, then every indicator on one sheet ("Data pengukuran")."""
    def fill(book, formats, names, summary, labels) -> None:
        done, total_ranges, everything = 0, [], Tally()
        n = export.triwulan
        data = DataSheet(book, formats, names, export, with_opd=True)
        opds = iter(export.opds)
        pending = next(opds, None)
        for pemda_no, (pemda_id, pemda_name) in enumerate(export.pemdas, 1):
            group: list[OpdFigures] = []
            while pending is not None and pending.pemda_id == pemda_id:
                group.append(pending)
                pending = next(opds, None)
            sheet = xlsx.Sheet(book, formats, names(pemda_name), dict(P_WIDTHS),
                               official.page(export, pemda_name, "", "Capaian kinerja perangkat daerah"), fixed=True)
            has_draft = any(o.has_draft for o in group)
            has_signed = any(r.signed for o in group for r in o.rows)
            title = f"Capaian kinerja perangkat daerah — {export.label} (s.d. TW {TW[n - 1]})"
            sheet.title([(official.titled(export, title, has_signed, has_draft), "title"), (pemda_name, "subtitle")]
                        + xlsx.draft_lines(export, has_draft, has_signed), len(P_WIDTHS))
            sheet.header([("No", 1), ("Sasaran / Indikator Kinerja", 1), ("Satuan", 1),
                          (f"Target s.d. TW {TW[n - 1]}", 1), (f"Realisasi s.d. TW {TW[n - 1]}", 1),
                          ("Capaian (%)", 1), ("Kategori", 1), ("Status", 1)])
            spans = []
            for opd in group:
                spans.append((opd, _opd_block(sheet, export, opd)))
                data.add(opd)
                done += 1
                if progress:
                    progress(done, export.opd_count)
            if not group:
                sheet.merged(P_NO, P_STATUS, "Belum ada perangkat daerah di pemerintah daerah ini.", "text")
                sheet.next()
            sheet.close()
            pemda_tally = Tally()
            tallies = [Tally(o.rows) for o in group]
            for t in tallies:
                pemda_tally.add(t)
            everything.add(pemda_tally)
            pemda_ranges = [r for _, span in spans for r in _ranges(sheet.name, span, P_CAPAIAN, P_KATEGORI)]
            total_ranges.extend(pemda_ranges)
            _summary_row(summary, pemda_no, pemda_name, pemda_tally, pemda_ranges, export.scope_rules, labels,
                         bold=True)
            for (opd, span), tally in zip(spans, tallies, strict=True):
                _summary_row(summary, None, f"    {opd.name}", tally, _ranges(sheet.name, span, P_CAPAIAN,
                                                                                 P_KATEGORI), opd.rules, labels)
            del group, spans
        if export.pemdas:
            summary.next()
            # AVERAGE takes at most 255 arguments; the whole province is one line of them.
            _summary_row(summary, None, f"Seluruh {export.scope.name}", everything, total_ranges[:250],
                         export.scope_rules, labels, bold=True)
        data.close()

    return _workbook(export, "Ringkasan capaian kinerja per pemerintah daerah",
                     "Pemerintah daerah / Perangkat daerah", fill)
