"""What an export holds: signed figures by default, drafts only on request and marked on
every sheet and row they touch, the last signed value while a cycle is reopened, and a
number of SQL statements that does not grow with the number of OPDs."""
import io

import openpyxl
import sqlalchemy as sa

from portal.cycles import review
from portal.cycles.models import Cycle
from portal.exports import figures, services
from portal.extensions import db
from tests import cycle_driver
from tests.exports_world import DRAFT_PEMDA, SIGNED_OPD, indicator_count, sign_triwulan_ii

DRAFT = "DRAF — belum disahkan"


def _book(tenant, kind, drafts, no=2):
    data = services.build(tenant, services.Request(kind, 2026, "triwulan", no, drafts))
    return openpyxl.load_workbook(io.BytesIO(data))


def _texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def _rows(tenant, drafts=False, no=2):
    export = figures.gather(tenant, 2026, "triwulan", no, drafts)
    return [r for opd in export.opds for r in opd.rows]


def test_signed_figures_by_default_drafts_only_on_request(demo):
    with demo.app_context():
        sign_triwulan_ii()
        opd, pasuruan = cycle_driver.tenant(SIGNED_OPD), cycle_driver.tenant(DRAFT_PEMDA)
        signed = _rows(opd)
        assert len(signed) == indicator_count(SIGNED_OPD)
        assert all(r.signed and r.status == "Disahkan" and r.fig is not None and r.verifier for r in signed)

        # Kota Pasuruan has values entered but nothing signed: by default no figure at all.
        plain = _rows(pasuruan)
        assert plain and all(r.fig is None and r.status.startswith("Belum disahkan") for r in plain)
        book = _book(pasuruan, "pemda", False)
        assert not any(DRAFT in t for ws in book.worksheets[1:] for t in _texts(ws))  # [0]: the rules

        # On request: figures, and the mark on every row and every sheet that holds one.
        drafted = _rows(pasuruan, drafts=True)
        assert all(r.draft and r.status.startswith(DRAFT) for r in drafted)
        assert any(r.fig is not None and r.fig.capaian.state == "dihitung" for r in drafted)
        book = _book(pasuruan, "pemda", True)
        for ws in book.worksheets[1:]:  # the rules sheet holds no figure
            assert any(t.startswith(DRAFT) for t in _texts(ws)), ws.title
        # A signed OPD in a workbook with drafts asked for is not marked.
        book = _book(opd.parent, "pemda", True)
        assert not any(DRAFT in t for ws in book.worksheets[1:] for t in _texts(ws))
        assert book.sheetnames[0] == "Aturan capaian"
        assert any("Permendagri 86/2017" in t for t in _texts(book["Aturan capaian"]))


def test_a_reopened_cycle_keeps_printing_the_signed_value(demo):
    with demo.app_context():
        sign_triwulan_ii()
        opd = cycle_driver.tenant(SIGNED_OPD)
        before = {r.ind.kode: r.rollup.value for r in _rows(opd) if r.rollup is not None}
        cycle = db.session.scalar(sa.select(Cycle).where(Cycle.tenant_id == opd.id, Cycle.period_no == 2))
        head = cycle_driver.people(opd, {"kepala"})[0]
        review.reopen(cycle, head, "Koreksi data")
        for item in cycle.items:
            if item.state == "dikembalikan" and item.indikator.jenis_target == "angka":
                cycle_driver.enter_value(item, cycle_driver.enterer(opd, item), "12,5")
        db.session.commit()
        after = _rows(opd)
        assert all(r.signed and "dibuka kembali" in r.status for r in after)
        for r in after:
            if r.ind.kode in before:
                assert r.rollup.value == before[r.ind.kode], r.ind.kode
        drafts = {r.ind.kode: r for r in _rows(opd, drafts=True)}
        assert all(r.signed for r in drafts.values())  # the signed value wins over the draft
        assert not figures.gather(opd.parent, 2026, "triwulan", 2, True).has_draft  # no DRAF mark on the pemda


def test_statements_do_not_grow_with_the_number_of_opds(demo):
    with demo.app_context():
        sign_triwulan_ii()
        counts = {}
        province = cycle_driver.tenant(SIGNED_OPD).parent.parent
        pemdas = {t.slug: t for t in province.children}
        for name, tenant, kind in (("1 OPD", pemdas["kabupaten-mojokerto"], "pemda"),
                                   ("2 OPD", pemdas[DRAFT_PEMDA], "pemda"), ("provinsi", province, "provinsi")):
            statements = []
            listener = lambda *args, seen=statements: seen.append(args[2])  # noqa: E731
            sa.event.listen(db.engine, "before_cursor_execute", listener)
            try:
                services.build(tenant, services.Request(kind, 2026, "triwulan", 2, True))
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", listener)
            counts[name] = len(statements)
        opds = sum(len(p.children) for p in province.children)
        assert opds > 2
        # The pemda workbook also reads who signed and each Kepala (for the signature blocks),
        # in a fixed number of statements too; the province workbook prints no signature.
        assert counts["1 OPD"] == counts["2 OPD"] and counts["provinsi"] <= counts["1 OPD"], counts


def test_the_formulir_prints_each_program_beside_the_sasaran_it_serves(demo):
    with demo.app_context():
        sign_triwulan_ii()
        opd = cycle_driver.tenant(SIGNED_OPD)
        data = services.build(opd, services.Request("formulir", 2026, "triwulan", 2, False))
    form = openpyxl.load_workbook(io.BytesIO(data))["Formulir"]
    beside = {}
    for merged in form.merged_cells.ranges:
        if merged.min_col == merged.max_col == 2:  # a sasaran's cell, across its rows
            sasaran = form.cell(merged.min_row, 2).value
            beside[sasaran.split()[0]] = [form.cell(r, 9).value for r in range(merged.min_row, merged.max_row + 1)
                                          if form.cell(r, 9).value]
    # The demo ties 1.02.02 (and its kegiatan) to S1 and 1.02.01 to S2.
    assert any(str(p).startswith("1.02.02 ") for p in beside["S1"])
    assert any(str(p).strip().startswith("1.02.02.2.02") for p in beside["S1"])
    assert any(str(p).startswith("1.02.01 ") for p in beside["S2"])
    assert "Program yang belum dikaitkan" not in " ".join(str(c.value) for row in form.iter_rows() for c in row)
    # Print set-up: A4 landscape, a scale that keeps 9 pt text at 8 pt or more, header repeated.
    assert form.page_setup.paperSize == 9 and form.page_setup.orientation == "landscape"
    assert int(form.page_setup.scale) >= 89 and form.print_title_rows
    assert "Halaman &P dari &N" in form.oddFooter.right.text
    data = openpyxl.load_workbook(io.BytesIO(data))["Data pengukuran"]
    assert data.auto_filter.ref and data.freeze_panes  # the whole data: filterable, header frozen
