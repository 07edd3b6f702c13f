"""The official forms in the browser, printed by chromium to PDF as the Kepala prints them:
the Formulir Pengukuran Kinerja and the Perjanjian Kinerja of a signed triwulan, reached
from the cycle page, read from the signed record; before sign-off the same documents say
DRAF. Page count and the smallest printed text are read from the PDF (pypdf)."""
import io
import os
import re
from pathlib import Path

import pypdf
from sqlalchemy import select

from portal.cycles.models import Cycle
from portal.extensions import db
from tests import cycle_driver

KEPALA = "kadis@dinkes.mojokerto.test"
OPD = "kab-mojokerto-dinkes"


def _mult(m, n):
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u]


def _pdf(data: bytes) -> tuple[list[str], float, list[tuple[float, float]]]:
    """(text per page, smallest printed text in pt, page sizes in pt)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    sizes, texts = [], []
    for page in reader.pages:
        def visit(text, cm, tm, font, size):
            if text.strip():
                m = _mult(tm, cm)
                sizes.append(size * (m[2] ** 2 + m[3] ** 2) ** 0.5)
        texts.append(page.extract_text(visitor_text=visit))
    return texts, min(sizes), [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def _save(name: str, data: bytes) -> None:
    if os.environ.get("EXPORT_PDF_DIR"):  # to look at them: EXPORT_PDF_DIR=/tmp/pdfs
        target = Path(os.environ["EXPORT_PDF_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)


def test_kepala_prints_the_signed_formulir_and_pk_on_a4(live_server, new_page):
    app = live_server.app
    with app.app_context():
        cycle_driver.run(OPD, no=2)  # TW II signed through the SOP
        db.session.commit()
        opd = cycle_driver.tenant(OPD)
        signed = db.session.scalar(select(Cycle.id).where(Cycle.tenant_id == opd.id, Cycle.period_no == 2))
        kepala = cycle_driver.people(opd, {"kepala"})[0]
        name, nip = kepala.name, kepala.nip
        db.session.remove()

    page = new_page(KEPALA)
    page.goto(f"/t/{OPD}/siklus/{signed}")
    page.get_by_test_id("print-formulir-link").click()
    page.wait_for_url(re.compile(r".*/ekspor/cetak/\d+/formulir$"))
    form = page.get_by_test_id("print-formulir")
    assert "Angka yang telah disahkan." in page.get_by_test_id("print-status").inner_text()
    assert "Triwulan II 2026" in form.inner_text() and name in form.inner_text()
    page.emulate_media(media="print")
    assert not page.get_by_test_id("print").is_visible()  # the bar does not print
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    _save("cetak-formulir.pdf", pdf)
    texts, smallest, sizes = _pdf(pdf)
    # Nine indicators and three programs of the demo: two pages, the column headers repeated.
    assert len(texts) == 2, f"Formulir printed on {len(texts)} pages"
    assert "Sasaran Strategis" in texts[1] and "Rata-rata capaian" not in texts[0]
    assert all(w > h and abs(w - 842) < 2 for w, h in sizes)  # A4 landscape
    assert smallest >= 8, f"text at {smallest:.1f} pt"
    assert "FORMULIR PENGUKURAN KINERJA" in texts[0] and f"NIP. {nip}" in texts[-1]
    assert "Rata-rata capaian" in texts[-1]

    page.emulate_media(media="screen")
    page.get_by_role("link", name="Perjanjian Kinerja").first.click()
    page.wait_for_url(re.compile(r".*/ekspor/cetak/\d+/pk$"))
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    _save("cetak-pk.pdf", pdf)
    texts, smallest, sizes = _pdf(pdf)
    assert len(texts) == 2, f"PK printed on {len(texts)} pages"
    assert all(h > w and abs(h - 842) < 2 for w, h in sizes)  # A4 portrait
    assert smallest >= 8, f"text at {smallest:.1f} pt"
    statement = re.sub(r"\s+", " ", texts[0])
    assert "PERJANJIAN KINERJA TAHUN 2026" in statement and "PIHAK PERTAMA" in statement
    assert "PIHAK KEDUA" in statement and "Bupati Mojokerto" in statement and f"NIP. {nip}" in statement
    assert "LAMPIRAN PERJANJIAN KINERJA" in texts[1]


def test_before_sign_off_the_print_view_says_draft(live_server, new_page):
    app = live_server.app
    with app.app_context():
        cycle_driver.run(OPD, no=2, max_steps=0)  # started, nothing signed
        db.session.commit()
        opd = cycle_driver.tenant(OPD)
        cycle = db.session.scalar(select(Cycle.id).where(Cycle.tenant_id == opd.id, Cycle.period_no == 2))
        db.session.remove()
    page = new_page(KEPALA)
    page.goto(f"/t/{OPD}/siklus/{cycle}/pengesahan")
    page.get_by_test_id("print-formulir-link").click()
    status = page.get_by_test_id("print-status").inner_text()
    assert status.startswith("DRAF — belum disahkan") or status.startswith("Belum ada angka yang disahkan")
