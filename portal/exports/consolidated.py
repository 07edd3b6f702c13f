"""Consolidated workbooks: a pemda (a summary sheet, then a Formulir sheet per OPD) and a
province (a summary per pemda with its OPD rows below, then a sheet per pemda holding its
OPDs' indicator rows). Averages are of indicator capaian (never sums of ratios), as live
AVERAGE formulas over the capaian cells of the detail sheets. Pure: data in, bytes out."""
from collections.abc import Callable
from itertools import groupby

from xlsxwriter.utility import xl_range

from portal.capaian.rules import average_capaian, classify_capaian
from portal.capaian.values import DIHITUNG
from portal.exports import xlsx
from portal.exports.figures import Export, OpdFigures
from portal.exports.formulir import C_CAPAIAN, C_KATEGORI, formulir_sheet, headers, write_indicator_row

Progress = Callable[[int, int], None]


def _workbook(export: Export, title: str, first_label: str, fill) -> bytes:
    """A consolidated workbook: the rules sheet, the "Ringkasan" sheet (title and header)
    and what `fill(book, formats, names, summary, labels)` writes in it and after it;
    `labels` are the kategori of the summary's count columns."""
    book, out, formats = xlsx.new_workbook()
    names = xlsx.SheetNames()
    rules = xlsx.rules_sheet(book, formats, names)
    summary = xlsx.Sheet(book, formats, names("Ringkasan"))
    summary.title([(f"{title} — {export.label}", "title"), (export.scope.name, "subtitle")]
                  + xlsx.draft_lines(export, export.has_draft), 12)
    labels = [b.label for b in export.scope_rules.kategori.bands]
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
    if drafts:
        sheet.text(8 + len(labels), f"{xlsx.DRAFT_MARK}: {drafts} indikator", "draft_text")
    elif tally.count and tally.signed == tally.count:
        sheet.text(8 + len(labels), "Semua disahkan")
    else:
        sheet.text(8 + len(labels), f"{tally.count - tally.signed} indikator belum disahkan")
    sheet.next()


def _ranges(sheet_name: str, first: int, last: int, with_opd: bool) -> tuple[str, str]:
    o = 1 if with_opd else 0
    q = xlsx.quote_sheet(sheet_name)
    return (f"{q}!{xl_range(first, o + C_CAPAIAN, last, o + C_CAPAIAN)}",
            f"{q}!{xl_range(first, o + C_KATEGORI, last, o + C_KATEGORI)}")


def pemda(export: Export, progress: Progress | None = None) -> bytes:
    def fill(book, formats, names, summary, labels) -> None:
        everything, all_ranges = Tally(), []
        for i, opd in enumerate(export.opds, 1):
            sheet, first, last = formulir_sheet(book, formats, names, export, opd)
            ranges = [_ranges(sheet.name, first, last, False)]
            tally = Tally(opd.rows)
            _summary_row(summary, i, opd.name, tally, ranges, opd.rules, labels)
            everything.add(tally)
            all_ranges.extend(ranges)
            if progress:
                progress(i, export.opd_count)
        if all_ranges:
            _summary_row(summary, None, f"Seluruh perangkat daerah {export.scope.name}", everything, all_ranges,
                         export.scope_rules, labels, bold=True)

    return _workbook(export, "Ringkasan capaian kinerja perangkat daerah", "Perangkat Daerah", fill)


def province(export: Export, progress: Progress | None = None) -> bytes:
    def fill(book, formats, names, summary, labels) -> None:
        done, total_ranges, pemda_no, everything = 0, [], 0, Tally()
        n = export.triwulan
        for _, group in groupby(export.opds, key=lambda o: o.pemda_id):
            opds: list[OpdFigures] = list(group)
            pemda_no += 1
            pemda_name = opds[0].pemda
            sheet = xlsx.Sheet(book, formats, names(pemda_name))
            has_draft = any(o.has_draft for o in opds)
            sheet.title([(f"Pengukuran Kinerja — {export.label}", "title"), (pemda_name, "subtitle")]
                        + xlsx.draft_lines(export, has_draft), len(headers(n, True)) + 4)
            sheet.header(headers(n, True), freeze_col=5)
            spans = []
            for opd in opds:
                first = sheet.row
                for row in opd.rows:
                    write_indicator_row(sheet, row, n, opd.name)
                spans.append((opd, first, max(first, sheet.row - 1), bool(opd.rows)))
                done += 1
                if progress:
                    progress(done, export.opd_count)
            sheet.close()
            tallies = [Tally(o.rows) for o in opds]
            pemda_tally = Tally()
            for t in tallies:
                pemda_tally.add(t)
            everything.add(pemda_tally)
            pemda_ranges = [_ranges(sheet.name, f, last, True) for _, f, last, any_rows in spans if any_rows]
            total_ranges.extend(pemda_ranges)
            _summary_row(summary, pemda_no, pemda_name, pemda_tally, pemda_ranges or [_ranges(sheet.name, 0, 0, True)],
                         export.scope_rules, labels, bold=True)
            for (opd, first, last, _any), tally in zip(spans, tallies, strict=True):
                _summary_row(summary, None, f"    {opd.name}", tally, [_ranges(sheet.name, first, last, True)],
                             opd.rules, labels)
            del opds, spans
        if total_ranges:
            summary.next()
            # AVERAGE takes at most 255 arguments; a province has far fewer pemda.
            _summary_row(summary, None, f"Seluruh {export.scope.name}", everything, total_ranges[:250],
                         export.scope_rules, labels, bold=True)

    return _workbook(export, "Ringkasan capaian kinerja per pemerintah daerah",
                     "Pemerintah daerah / Perangkat daerah", fill)
