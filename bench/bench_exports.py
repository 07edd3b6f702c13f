"""Speed and memory of the province export at province scale, against floors measured in
the same run.

Data: 38 pemda × 40 OPD × 30 indicators × 4 triwulan (45.600 indicators, 182.400
values, every OPD's Tahunan cycle signed, with its signing records as a sign-off writes
them), generated into a temporary SQLite file.
Each phase runs in a process of its own (so peak RSS is the phase's own):

1. export  — services.build(province, "provinsi", Tahunan): wall time, peak RSS, and the
             number of SQL statements, also for one pemda (40 OPD) and one OPD: it must
             not grow with the number of OPDs;
2. floor   — the very statements the export ran, replayed through a raw DB-API cursor
             (fetching every row), then raw xlsxwriter (constant memory) writing the same
             cells (recorded from an untimed export run) — export / floor, goal ≤ 1,25;
3. openpyxl — the same fetch, then openpyxl building the same workbook (the same cells
             with their styles and merged headers; its write-only mode cannot merge) —
             openpyxl / export, goal ≥ 3.

Run: .venv/bin/python bench/bench_exports.py   (BENCH_PEMDA / BENCH_OPD / BENCH_IND to
scale down). Prints the figures; it is not a test.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import sqlalchemy as sa  # noqa: E402

PEMDA = int(os.environ.get("BENCH_PEMDA", 38))
OPD = int(os.environ.get("BENCH_OPD", 40))
IND = int(os.environ.get("BENCH_IND", 30))
TAHUN = 2026


def make_app(path: str):
    from portal import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
                       "HUEY_FILE": path + ".huey"})


def generate(path: str) -> None:
    from portal.capaian.rules import RuleSet
    from portal.cycles.models import Cycle, CycleItem
    from portal.extensions import db
    from portal.indikator.models import IndicatorSet, Indikator, ProgramKegiatan, Realisasi, Sasaran
    from portal.signing.models import SignedFigure, SignedValue
    from portal.sop.models import Sop, SopVersion
    from portal.tenancy.models import Tenant

    app = make_app(path)
    with app.app_context():
        db.create_all()
        prov = Tenant(level="provinsi", slug="prov", name="Provinsi Bench")
        db.session.add(prov)
        db.session.flush()
        sop = Sop(tenant_id=prov.id, key="pk")
        db.session.add(sop)
        db.session.flush()
        version = SopVersion(tenant_id=prov.id, sop_id=sop.id, number=1, status="published", nama="SOP")
        db.session.add(version)
        db.session.flush()
        ids = {"tenant": prov.id + 1, "set": 1, "sasaran": 1, "ind": 1, "cycle": 1, "figure": 1}
        tenants, sets, sasaran, inds, reals, progs, cycles, items = [], [], [], [], [], [], [], []
        signed, signed_values = [], []
        rules, places = RuleSet(), Decimal("1e-10")
        for p in range(PEMDA):
            pemda_id = ids["tenant"]
            ids["tenant"] += 1
            tenants.append(dict(id=pemda_id, level="pemda", parent_id=prov.id, slug=f"pemda-{p}",
                                name=f"Kabupaten {p:02d}", short_name="", kind="kabupaten"))
            for o in range(OPD):
                opd_id = ids["tenant"]
                ids["tenant"] += 1
                tenants.append(dict(id=opd_id, level="opd", parent_id=pemda_id, slug=f"opd-{p}-{o}",
                                    name=f"Dinas {o:02d} Kabupaten {p:02d}", short_name="", kind="dinas"))
                set_id = ids["set"]
                ids["set"] += 1
                sets.append(dict(id=set_id, tenant_id=opd_id, tahun=TAHUN))
                cycle_id = ids["cycle"]
                ids["cycle"] += 1
                cycles.append(dict(id=cycle_id, tenant_id=opd_id, sop_version_id=version.id, tahun=TAHUN,
                                   period_kind="tahunan", period_no=1, status="disahkan", locked=True,
                                   revision=1, lock_reason=""))
                for s in range(3):
                    sasaran.append(dict(id=ids["sasaran"] + s, tenant_id=opd_id, set_id=set_id, kode=f"S{s + 1}",
                                        nama=f"Sasaran strategis {s + 1} yang cukup panjang namanya", position=s))
                for i in range(IND):
                    ind_id = ids["ind"]
                    ids["ind"] += 1
                    negatif = i % 5 == 4
                    sifat = ("kumulatif", "nilai_akhir", "rata_rata")[i % 3]
                    t = Decimal(100 + i)
                    inds.append(dict(id=ind_id, tenant_id=opd_id, set_id=set_id, sasaran_id=ids["sasaran"] + i % 3,
                                     unit_id=None, position=i, kode=f"IK-{i + 1:02d}",
                                     nama=f"Indikator kinerja {i + 1} perangkat daerah", is_iku=i < 5,
                                     definisi="Jumlah capaian dibagi sasaran dikali 100", satuan="%",
                                     sumber_data="", polaritas="negatif" if negatif else "positif", sifat=sifat,
                                     jenis_target="angka", baseline=Decimal(90), target_pk=t,
                                     target_tw1=t / 4 if sifat == "kumulatif" else t,
                                     target_tw2=t / 2 if sifat == "kumulatif" else t,
                                     target_tw3=t * 3 / 4 if sifat == "kumulatif" else t, target_tw4=t,
                                     target_renstra=t + 10, pakai_rasio=False, boleh_negatif=False))
                    for q in range(1, 5):
                        value = Decimal(20 + (i * 7 + q * 3 + o) % 15) if sifat == "kumulatif" \
                            else Decimal(80 + (i * 3 + q + o) % 30)
                        reals.append(dict(tenant_id=opd_id, indikator_id=ind_id, triwulan=q, nilai=value,
                                          tidak_berlaku=False, faktor_pendorong="Koordinasi lintas bidang berjalan",
                                          faktor_penghambat="", tindak_lanjut="Pemantauan bulanan", revision=1))
                    items.append(dict(tenant_id=opd_id, cycle_id=cycle_id, indikator_id=ind_id, state="disahkan",
                                      stage=1, approvals={}))
                    signed.append(_signed_figure(ids["figure"], cycle_id, inds[-1], reals[-4:], sasaran[-3 + i % 3],
                                                 rules, places))
                    signed_values.extend(dict(tenant_id=opd_id, figure_id=ids["figure"], triwulan=r["triwulan"],
                                              nilai=r["nilai"], tidak_berlaku=False, realisasi_revision=1)
                                         for r in reals[-4:])
                    ids["figure"] += 1
                ids["sasaran"] += 3
                for k in range(4):
                    progs.append(dict(tenant_id=opd_id, set_id=set_id, level="program", kode=f"1.0{k}",
                                      nama=f"Program {k}", pagu=Decimal(1_000_000_000),
                                      realisasi_tw1=Decimal(200_000_000), realisasi_tw2=Decimal(250_000_000),
                                      realisasi_tw3=Decimal(200_000_000), realisasi_tw4=Decimal(250_000_000),
                                      position=k))
        for model, rows in ((Tenant, tenants), (IndicatorSet, sets), (Sasaran, sasaran), (Indikator, inds),
                            (Realisasi, reals), (ProgramKegiatan, progs), (Cycle, cycles), (CycleItem, items),
                            (SignedFigure, signed), (SignedValue, signed_values)):
            for start in range(0, len(rows), 20000):
                db.session.execute(sa.insert(model), rows[start:start + 20000])
        db.session.commit()


def _signed_figure(figure_id, cycle_id, ind, values, sasaran, rules, places) -> dict:
    """The signing record of one indicator (Tahunan, s.d. TW IV), computed by the
    engine the sign-off uses (portal.capaian.figures.raw_figures)."""
    from types import SimpleNamespace

    from portal.capaian.figures import raw_figures
    from portal.exports.figures import IndView

    view = IndView(dict(ind, rules=None, target_bawah=None, target_atas=None, skala_predikat=None,
                        target_predikat=None, rules_frozen_at=None))
    rows = [SimpleNamespace(nilai=v["nilai"], predikat=None, tidak_berlaku=False) for v in values]
    raw = raw_figures(view, rows, 4, rules)

    def q(value):
        return None if value is None else value.quantize(places)

    keep = ("kode", "nama", "is_iku", "satuan", "polaritas", "sifat", "jenis_target", "pakai_rasio", "target_pk",
            "target_tw1", "target_tw2", "target_tw3", "target_tw4")
    return dict(
        {k: ind[k] for k in keep}, id=figure_id, tenant_id=ind["tenant_id"], cycle_id=cycle_id, revision=1,
        indikator_id=ind["id"], tahun=TAHUN, triwulan=4, period_label=f"Tahunan {TAHUN}",
        sasaran_kode=sasaran["kode"], sasaran_nama=sasaran["nama"], unit_name="", target_sd=ind["target_tw4"],
        target_bawah=None, target_atas=None, skala_predikat=None, target_predikat=None,
        rules={"ruleset": rules.to_dict()}, rules_frozen_at=None,
        realisasi_sd=q(raw.realisasi_sd), realisasi_sd_state=str(raw.realisasi_sd_state),
        realisasi_sd_predikat=None, realisasi_sd_note=raw.realisasi_sd_note or "", capaian=q(raw.capaian.value),
        capaian_state=str(raw.capaian.state), capaian_rule=raw.capaian.rule,
        capaian_rule_label=raw.capaian.rule_label, capaian_note=raw.capaian.note or "",
        progres=q(raw.progres.value) if raw.progres else None,
        progres_state=str(raw.progres.state) if raw.progres else None, kategori=raw.kategori,
        kategori_scale=raw.rules.kategori.name, faktor_pendorong=values[-1]["faktor_pendorong"],
        faktor_penghambat="", tindak_lanjut=values[-1]["tindak_lanjut"], bukti=[],
        entered_by_name="Staf", reviews=[], signed_by_name="Kepala Dinas", signed_by_lane="Kepala Dinas",
        signed_at=datetime(TAHUN + 1, 1, 20, 3, 0))


def _export_request(scope_slug: str, kind: str):
    from portal.exports import services
    from portal.tenancy.services import tenant_by_slug

    return tenant_by_slug(scope_slug), services.Request(kind, TAHUN, "tahunan", 1, False)


def phase_export(path: str) -> dict:
    from portal.exports import services
    from portal.extensions import db

    app = make_app(path)
    with app.app_context():
        counts = {}
        for label, slug, kind in (("1 OPD", "opd-0-0", "formulir"), (f"1 pemda ({OPD} OPD)", "pemda-0", "pemda")):
            statements = []
            sa.event.listen(db.engine, "before_cursor_execute", lambda *a, s=statements: s.append(a[2]))
            tenant, req = _export_request(slug, kind)
            services.build(tenant, req)
            counts[label] = len(statements)
            db.session.remove()
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, s=statements: s.append(a[2]))
        tenant, req = _export_request("prov", "provinsi")
        base_rss = _rss("VmRSS")
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak (VmHWM) to the current RSS: the province export's own peak
        start = time.perf_counter()
        data = services.build(tenant, req)
        seconds = time.perf_counter() - start
        counts[f"provinsi ({PEMDA * OPD} OPD)"] = len(statements)
        peak = _rss("VmHWM")
    return {"seconds": seconds, "bytes": len(data), "peak_rss_mb": peak, "base_rss_mb": base_rss,
            "statements": counts}


def _rss(field: str) -> float:
    """MB of /proc/self/status VmRSS (now) or VmHWM (peak since the last reset)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def _record(path: str):
    """Run the export once (untimed) recording every SQL statement and every cell write."""
    import xlsxwriter.worksheet as xw

    from portal.exports import services, xlsx
    from portal.extensions import db

    app = make_app(path)
    sql, cells, sheets = [], [], {}
    names = {}
    original_new = xlsx.new_workbook

    def new_workbook():
        book, out, formats = original_new()
        names.update({id(f): k for k, f in formats.items()})
        return book, out, formats

    xlsx.new_workbook = new_workbook
    originals = {m: getattr(xw.Worksheet, m) for m in ("write_string", "write_number", "write_formula",
                                                       "write_blank", "merge_range")}

    def recorder(method):
        def record(self, *args):
            sheet = sheets.setdefault(self.name, len(sheets))
            fmt = next((names.get(id(a)) for a in args if id(a) in names), None)
            plain = [a for a in args if id(a) not in names]
            cells.append((sheet, method, plain, fmt))
            return originals[method](self, *args)
        return record

    for method in originals:
        setattr(xw.Worksheet, method, recorder(method))
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda conn, cursor, statement, params, *a: sql.append((statement, params)))
        tenant, req = _export_request("prov", "provinsi")
        services.build(tenant, req)
    for method, fn in originals.items():
        setattr(xw.Worksheet, method, fn)
    xlsx.new_workbook = original_new
    return sql, cells, list(sheets)


def _raw_fetch(path: str, sql) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    rows = 0
    for statement, params in sql:
        for _ in conn.execute(statement, params):
            rows += 1
    conn.close()
    return rows


def _replay_xlsxwriter(cells, sheet_names, worksheet_class=None) -> int:
    from portal.exports import xlsx

    book, out, formats = xlsx.new_workbook()
    sheets = [book.add_worksheet(n, worksheet_class=worksheet_class) for n in sheet_names]
    for sheet, method, args, fmt in cells:
        ws = sheets[sheet]
        f = formats[fmt] if fmt else None
        if method == "merge_range":
            ws.merge_range(*args[:5], f)
        elif method == "write_formula":
            ws.write_formula(args[0], args[1], args[2], f, *args[3:])
        else:
            getattr(ws, method)(args[0], args[1], args[2] if len(args) > 2 else None, f)
    book.close()
    return len(out.getvalue())


def phase_floor(path: str) -> dict:
    from portal.exports.xlsx import ClassicWorksheet

    sql, cells, sheet_names = _record(path)
    start = time.perf_counter()
    rows = _raw_fetch(path, sql)
    fetched = time.perf_counter() - start
    size = _replay_xlsxwriter(cells, sheet_names)
    seconds = time.perf_counter() - start
    # The same, with the portal's worksheet class (no scan for "_xlfn." functions): the
    # floor the export's own writing could reach.
    start = time.perf_counter()
    _replay_xlsxwriter(cells, sheet_names, ClassicWorksheet)
    classic = fetched + time.perf_counter() - start
    return {"seconds": seconds, "classic_seconds": classic, "fetch_seconds": fetched, "rows": rows,
            "cells": len(cells), "bytes": size}


def _openpyxl_styles():
    """The portal's cell formats (portal/exports/xlsx.py) as openpyxl styles."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    plain, bold = Font(name="Arial", size=9), Font(name="Arial", size=9, bold=True)
    red = Font(name="Arial", size=9, bold=True, color="B00020")
    head = (bold, box, Alignment(horizontal="center", vertical="center", wrap_text=True), "General",
            PatternFill("solid", fgColor="E8EEF4"))
    return {
        "title": (Font(name="Arial", size=12, bold=True), None, None, "General", None),
        "subtitle": (plain, None, None, "General", None), "draft": (red, None, None, "General", None),
        "head": head, "text": (plain, box, wrap, "General", None), "text_bold": (bold, box, wrap, "General", None),
        "draft_text": (red, box, wrap, "General", None), "number": (plain, box, None, "#,##0.00", None),
        "number_bold": (bold, box, None, "#,##0.00", None), "rupiah": (plain, box, None, "#,##0", None),
        "rupiah_bold": (bold, box, None, "#,##0", None), "int": (plain, box, None, "0", None),
    }


def phase_openpyxl(path: str) -> dict:
    """openpyxl building the same workbook: the same cells with their styles, merged
    headers and formulas (openpyxl cannot store a formula's cached value; its write-only
    mode cannot merge cells, so the normal mode is the one that builds this workbook)."""
    from openpyxl import Workbook

    sql, cells, sheet_names = _record(path)
    styles = _openpyxl_styles()
    start = time.perf_counter()
    _raw_fetch(path, sql)
    book = Workbook()
    book.remove(book.active)
    sheets = [book.create_sheet(n) for n in sheet_names]
    for sheet, method, args, fmt in cells:
        ws = sheets[sheet]
        if method == "merge_range":
            row, col, value = args[0], args[1], args[4]
            ws.merge_cells(start_row=row + 1, start_column=col + 1, end_row=args[2] + 1, end_column=args[3] + 1)
        else:
            row, col = args[0], args[1]
            value = args[2] if len(args) > 2 else None
        cell = ws.cell(row + 1, col + 1, value)
        if fmt:
            font, border, alignment, number_format, fill = styles[fmt]
            cell.font = font
            if border is not None:
                cell.border = border
            if alignment is not None:
                cell.alignment = alignment
            cell.number_format = number_format
            if fill is not None:
                cell.fill = fill
    out = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    book.save(out.name)
    seconds = time.perf_counter() - start
    size = os.path.getsize(out.name)
    os.unlink(out.name)
    return {"seconds": seconds, "bytes": size}


def run_phase(name: str, path: str) -> dict:
    result = subprocess.run([sys.executable, __file__, name, path], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.sqlite3")
        start = time.perf_counter()
        run_phase("generate", path)
        print(f"Data: {PEMDA} pemda × {OPD} OPD × {IND} indikator × 4 TW "
              f"({PEMDA * OPD * IND} indikator), dibuat dalam {time.perf_counter() - start:.1f} s")
        export = run_phase("export", path)
        floor = run_phase("floor", path)
        opx = run_phase("openpyxl", path)
    print(f"Ekspor provinsi         : {export['seconds']:.2f} s, {export['bytes'] / 1e6:.1f} MB, "
          f"RSS puncak {export['peak_rss_mb']:.0f} MB (proses sebelum ekspor {export['base_rss_mb']:.0f} MB)")
    print(f"Lantai (cursor mentah + xlsxwriter mentah, {floor['cells']} sel, {floor['rows']} baris SQL): "
          f"{floor['seconds']:.2f} s (ambil data {floor['fetch_seconds']:.2f} s)")
    print(f"openpyxl (sel, gaya, gabungan sel yang sama): {opx['seconds']:.2f} s")
    print(f"Lantai dengan kelas lembar portal (tanpa pindai fungsi _xlfn): {floor['classic_seconds']:.2f} s")
    print(f"Ekspor / lantai         : {export['seconds'] / floor['seconds']:.2f} × (sasaran ≤ 1,25); "
          f"terhadap lantai berkelas lembar portal: {export['seconds'] / floor['classic_seconds']:.2f} ×")
    print(f"openpyxl / ekspor       : {opx['seconds'] / export['seconds']:.2f} × (sasaran ≥ 3)")
    print(f"RSS puncak              : {export['peak_rss_mb']:.0f} MB (sasaran ≤ 250)")
    print("Pernyataan SQL per ekspor: " + ", ".join(f"{k}: {v}" for k, v in export["statements"].items()))


if __name__ == "__main__":
    if len(sys.argv) == 3:
        phases = {"generate": lambda p: generate(p) or {}, "export": phase_export, "floor": phase_floor,
                  "openpyxl": phase_openpyxl}
        phase = phases[sys.argv[1]]
        print(json.dumps(phase(sys.argv[2])))
    else:
        main()
