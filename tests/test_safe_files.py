"""Imports that cannot hurt: hostile XLSX and YAML files get a message (never a 500),
are refused before a parser inflates them, and are parsed without the write lock."""
import io
import sqlite3
import time
import zipfile

import pytest
import sqlalchemy as sa
from flask import Flask

from portal import database, safe_files
from portal.access import rule
from portal.extensions import db
from portal.indikator.models import Indikator
from portal.sop.models import Sop
from tests.conftest import post, sign_in
from tests.factories import PASSWORD
from tests.test_indicators_xlsx import GOOD, _book, upload, w  # noqa: F401 (w: fixture)


def _rewrite(data: bytes, changes: dict[str, bytes]) -> bytes:
    """The workbook with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, changes.pop(info.filename, None) or source.read(info.filename))
        for name, body in changes.items():
            target.writestr(name, body)
    return out.getvalue()


def _sheet(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def _refused(app, client, w, data, words):  # noqa: F811
    started = time.perf_counter()
    response = upload(client, w, data)
    elapsed = time.perf_counter() - started
    text = response.get_data(as_text=True)
    assert response.status_code == 422, text[:500]
    assert words in text
    assert elapsed < 3, f"refusing took {elapsed:.1f} s"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Indikator.id)).where(Indikator.kode == "IK-90")) == 0


def test_an_xlsx_that_inflates_past_the_limit_is_refused_before_parsing(app, client, w):  # noqa: F811
    sign_in(client, "perencana@uji.test", PASSWORD)
    good = _book(GOOD[:1])
    sheet = _sheet(good)
    # One cell of 30 MB of text (compresses to ~30 KB): the "one-row bomb".
    bomb = sheet.replace(b"Persentase rumah tangga", b"A" * (30 * 1024 * 1024), 1)
    assert bomb != sheet
    data = _rewrite(good, {"xl/worksheets/sheet1.xml": bomb})
    assert len(data) < 200 * 1024
    _refused(app, client, w, data, "terlalu besar setelah dibuka")


def test_an_xlsx_with_a_dtd_is_refused(app, client, w):  # noqa: F811
    sign_in(client, "perencana@uji.test", PASSWORD)
    good = _book(GOOD[:1])
    sheet = _sheet(good)
    laughs = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(b'<!ENTITY %s "&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;">' % ((bytes([98 + i]),)
                         + (bytes([97 + i]),) * 10) for i in range(6)) + b"]>")
    body = laughs + sheet.replace(b"Persentase rumah tangga", b"&g;", 1)
    _refused(app, client, w, _rewrite(good, {"xl/worksheets/sheet1.xml": body}), "DTD")


def test_an_xlsx_addressing_a_far_away_cell_is_refused(app, client, w):  # noqa: F811
    sign_in(client, "perencana@uji.test", PASSWORD)
    good = _book(GOOD[:1])
    sheet = _sheet(good)
    far = sheet.replace(b"</sheetData>", b'<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'
                        b"</sheetData>")
    far = far.replace(b'<dimension ref="A1:', b'<dimension ref="A1:XFD3" x="', 1)
    _refused(app, client, w, _rewrite(good, {"xl/worksheets/sheet1.xml": far}), "di luar")


@pytest.mark.parametrize("data", [b"PK\x03\x04" + b"\x00" * 200, b"", b"PK\x05\x06" + b"\x00" * 18])
def test_a_malformed_xlsx_gets_a_message(app, client, w, data):  # noqa: F811
    sign_in(client, "perencana@uji.test", PASSWORD)
    response = upload(client, w, data)
    assert response.status_code == 422
    assert "Berkas bukan XLSX" in response.get_data(as_text=True)


def test_the_portals_own_template_passes_the_guard(app):
    from portal.indikator.xlsx_template import template_bytes

    assert safe_files.xlsx_problem(template_bytes("Dinas Uji", 2026, [("b", "Bidang")])) is None
    assert safe_files.xlsx_problem(_book(GOOD * 600)) is None


NESTED = b"nama: x\nlanes: " + b"[" * 20000 + b"]" * 20000 + b"\n"
LAUGHS = b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n"


@pytest.mark.parametrize("data,words", [(NESTED, "terlalu dalam"), (LAUGHS, "alias")], ids=["nested", "aliases"])
def test_a_hostile_sop_yaml_is_refused_with_a_message(app, client, data, words):
    from tests import world as world_module

    world = world_module.build(app)
    sign_in(client, world.emails["perencana"], PASSWORD)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(Sop.id)))
    response = post(client, f"/t/{world.tenant_slug}/sop/impor", {"berkas": (io.BytesIO(data), "sop.yaml")},
                    content_type="multipart/form-data")
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Sop.id))) == before


def test_import_views_parse_before_they_take_the_write_lock(app):
    """On SQLite a view marked parse_before_writing holds no write lock until
    start_writing: another connection can write meanwhile (a sign-in never waits on a
    parse). Both import views are marked."""
    for endpoint in ("indikator.import_upload", "sop.import_"):
        assert database.defers_write_lock(app.view_functions[endpoint]), endpoint
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    seen = {}

    def other_can_write() -> bool:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()

    def probe():
        db.session.execute(sa.text("SELECT count(*) FROM tenant")).scalar()
        seen["while parsing"] = other_can_write()
        database.start_writing(db.session)
        db.session.execute(sa.text("SELECT count(*) FROM tenant")).scalar()
        seen["after start_writing"] = other_can_write()
        db.session.rollback()
        return "ok"

    probe_app: Flask = app
    probe_app.add_url_rule("/_probe", "probe", rule("public")(database.parse_before_writing(probe)),
                           methods=["POST"])
    probe_app.config["WTF_CSRF_ENABLED"] = False
    assert probe_app.test_client().post("/_probe").status_code == 200
    assert seen == {"while parsing": True, "after start_writing": False}
