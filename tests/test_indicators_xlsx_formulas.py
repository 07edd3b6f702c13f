"""Formula cells in an XLSX import: read by the result the file stored with them, or
refused with sheet, row, column and reason; never taken as empty."""
import io
import zipfile
from decimal import Decimal

import sqlalchemy as sa

from portal.extensions import db
from portal.indikator.models import Indikator
from tests.conftest import sign_in
from tests.factories import PASSWORD
from tests.test_indicators_xlsx import GOOD, _book, _count, upload, w  # noqa: F401 (w: fixture)

ROW = dict(GOOD[0], target_pk="=10+5", baseline="=3*2")


def _with_stored_results(data: bytes, results: dict[str, str]) -> bytes:
    """The workbook as Excel or LibreOffice save it: each formula with its result (<v>)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for formula, result in results.items():
                    assert f"<f>{formula}</f><v />" in text
                    text = text.replace(f"<f>{formula}</f><v />", f"<f>{formula}</f><v>{result}</v>")
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_a_formula_without_a_stored_result_is_refused_with_row_and_column(app, client, w):  # noqa: F811
    sign_in(client, "perencana@uji.test", PASSWORD)
    before = _count(app, Indikator)
    response = upload(client, w, _book([ROW]))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Lembar Indikator, baris 2: Target PK: berisi rumus =10+5 tanpa hasil tersimpan." in text
    assert "Lembar Indikator, baris 2: Baseline: berisi rumus =3*2 tanpa hasil tersimpan." in text
    assert _count(app, Indikator) == before


def test_a_formula_is_read_by_its_stored_result(app, client, w):  # noqa: F811
    sign_in(client, "perencana@uji.test", PASSWORD)
    response = upload(client, w, _with_stored_results(_book([ROW]), {"10+5": "15", "3*2": "6"}))
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        ind = db.session.scalar(sa.select(Indikator).where(Indikator.kode == "IK-90"))
        assert (ind.target_pk, ind.baseline) == (Decimal("15"), Decimal("6"))
