"""A period signed twice shows its second revision everywhere: signed (revision 1),
reopened, corrected (value and indicator name), signed again (revision 2). The Realisasi
page, the cycle page, every export kind (cells read with openpyxl) and the oversight
comparison read the one rule for "the latest signed revision" (portal.signing.queries)
and show revision 2; while reopened, the cycle page still shows revision 1."""
import io
import re
from decimal import Decimal

import openpyxl
import sqlalchemy as sa

from portal.cycles import review
from portal.cycles.models import Cycle
from portal.exports import services
from portal.extensions import db
from portal.indikator import periods
from portal.indikator.models import Indikator
from portal.oversight import references
from portal.signing.models import SignedFigure
from tests import cycle_driver as d
from tests.conftest import sign_in
from tests.exports_world import redefine

OPD = "kab-mojokerto-dinkes"
KODE = "IKU-02"  # negatif, nilai akhir, Target PK 85: a plain number
FIRST, SECOND = "Indikator uji revisi satu", "Indikator uji revisi dua"
KADIS = "kadis@dinkes.mojokerto.test"
KOORDINATOR = "koordinator@jatim.test"
VALUE = Decimal("61.25")  # revision 2's TW II value (revision 1: the driver's 75)


def _sign_twice(app) -> dict:
    with app.app_context():
        redefine(OPD, KODE, "Nama uji", nama=FIRST)
        cycle, _ = d.run(OPD, no=2, return_once=False)
        opd = d.tenant(OPD)
        ind = db.session.scalar(sa.select(Indikator).where(Indikator.tenant_id == opd.id, Indikator.kode == KODE))
        ref = references.create_reference(d.tenant("jawa-timur"), None, "IKK 9.01", "Rujukan uji")
        references.link(d.tenant("jawa-timur"), ref, None, [ind.id])
        out = {"cycle_id": cycle.id, "ind_id": ind.id, "ref_id": ref.id,
               "period_id": periods.open_period(opd, 2026, 2).id}
        db.session.commit()
    return out


def _reopen_and_correct(app, w) -> None:
    with app.app_context():
        opd = d.tenant(OPD)
        cycle = db.session.get(Cycle, w["cycle_id"])
        item = next(i for i in cycle.items if i.indikator_id == w["ind_id"])
        review.reopen(cycle, d.people(opd, {"kepala"})[0], "Koreksi nilai", [item.id])
        db.session.commit()
        redefine(OPD, KODE, "Nama dikoreksi", nama=SECOND)
        cycle = db.session.get(Cycle, w["cycle_id"])
        item = next(i for i in cycle.items if i.indikator_id == w["ind_id"])
        enterer = d.enterer(opd, item)
        d.enter_value(item, enterer, "61,25")
        review.submit([item], enterer)
        db.session.commit()


def _sign_again(app, w) -> None:
    with app.app_context():
        cycle = db.session.get(Cycle, w["cycle_id"])
        d.advance(d.tenant(OPD), cycle)
        assert cycle.locked and cycle.revision == 2
        db.session.commit()


def _cells(data: bytes) -> list[list]:
    """Every row of every sheet of a workbook, as cached values."""
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    return [[c.value for c in row] for ws in book.worksheets for row in ws.iter_rows()]


def _shows(row: list, value: Decimal) -> bool:
    text = f"{value}".replace(".", ",")
    return any((isinstance(c, (int, float)) and abs(c - float(value)) < 1e-9) or (isinstance(c, str) and text in c)
               for c in row)


def _check_exports(app, w) -> None:
    with app.app_context():
        opd = d.tenant(OPD)
        scopes = {"formulir": opd, "pk": opd, "lkjip": opd, "e81": opd, "pemda": opd.parent,
                  "provinsi": opd.parent.parent}
        assert set(scopes) == set(services.KINDS), "a new export kind: add it here"
        for kind, scope in scopes.items():
            rows = _cells(services.build(scope, services.Request(kind, 2026, "triwulan", 2, False)))
            texts = [c for row in rows for c in row if isinstance(c, str)]
            assert any(SECOND in t for t in texts), f"{kind}: revision 2's name missing"
            assert not any(FIRST in t for t in texts), f"{kind}: revision 1 printed"
            if kind != "pk":  # the Perjanjian Kinerja prints targets, not realisasi
                named = [row for row in rows if any(isinstance(c, str) and SECOND in c for c in row)]
                assert any(_shows(row, VALUE) for row in named), f"{kind}: revision 2's value missing"
        formulir = _cells(services.build(opd, services.Request("formulir", 2026, "triwulan", 2, False)))
        texts = [c for r in formulir for c in r if isinstance(c, str)]
        assert any("revisi 2" in t for t in texts) and not any("revisi 1" in t for t in texts)


def test_every_reader_shows_the_latest_signed_revision(demo, client):
    w = _sign_twice(demo)
    _reopen_and_correct(demo, w)
    sign_in(client, KADIS)

    # Reopened: the cycle page still shows the last signed figures, with their revision.
    page = client.get(f"/t/{OPD}/siklus/{w['cycle_id']}/").get_data(as_text=True)
    assert 'data-testid="reopened"' in page and 'data-testid="signed-figures"' in page
    assert "(revisi 1)" in page
    signed_row = page[page.index(f'data-testid="signed-{KODE}"'):]
    assert FIRST in signed_row[:signed_row.index("</tr>")]

    _sign_again(demo, w)
    with demo.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SignedFigure.id)).where(
            SignedFigure.indikator_id == w["ind_id"])) == 2

    # The Realisasi page of the period.
    page = client.get(f"/t/{OPD}/realisasi/?periode={w['period_id']}").get_data(as_text=True)
    start = page.index(f'data-kode="{KODE}"')
    row = page[start:page.index("</article>", start)]
    assert 'data-signed="1"' in row[:row.index(">")]  # shown from its record
    assert SECOND in row and "61,25" in row and FIRST not in row

    # The cycle page.
    page = client.get(f"/t/{OPD}/siklus/{w['cycle_id']}/").get_data(as_text=True)
    assert "(revisi 2)" in page and 'data-testid="reopened"' not in page
    signed_row = page[page.index(f'data-testid="signed-{KODE}"'):]
    signed_row = signed_row[:signed_row.index("</tr>")]
    assert SECOND in signed_row and "61,25" in signed_row

    # Every export kind.
    _check_exports(demo, w)

    # The oversight comparison.
    sign_in(client, KOORDINATOR)
    page = client.get(f"/t/jawa-timur/pemantauan/indikator/{w['ref_id']}/?tahun=2026&triwulan=2")
    table = re.search(r'data-testid="compare-table">(.*?)</table>', page.get_data(as_text=True), re.S).group(1)
    mojokerto = next(m.group(2) for m in re.finditer(r"<tr>\s*<td>([^<]+)</td>(.*?)</tr>", table, re.S)
                     if "Mojokerto" in m.group(1))
    assert "Disahkan (revisi 2)" in mojokerto and '<td class="fig">61,25</td>' in mojokerto
