"""Indicator sets edited row by row, frozen capaian rules and the tenant's options."""
import re
from decimal import Decimal
from html import unescape

import pytest
import sqlalchemy as sa

from portal.capaian.models import IndicatorSettings
from portal.extensions import db
from portal.indikator.models import IndicatorSet, Indikator, ProgramKegiatan, Sasaran
from tests.conftest import post, sign_in
from tests.factories import PASSWORD
from tests.test_indicators_entry import build, save


@pytest.fixture
def w(app):
    return build(app)


def _ids(app, model, **where):
    with app.app_context():
        q = sa.select(model)
        for key, value in where.items():
            q = q.where(getattr(model, key) == value)
        return db.session.scalars(q.order_by(model.id)).all()


def _set_id(app, w):
    return _ids(app, IndicatorSet, tenant_id=w["opd_id"])[0].id


INDICATOR_FORM = {
    "kode": "IK-50", "nama": "Persentase desa ODF", "satuan": "%", "polaritas": "positif", "sifat": "nilai_akhir",
    "jenis_target": "angka", "baseline": "61,5", "target_pk": "75", "target_tw1": "65", "target_tw2": "68",
    "target_tw3": "71", "target_tw4": "75", "target_renstra": "100", "is_iku": "1",
}


def test_perencana_creates_a_year_a_sasaran_and_an_indicator(app, client, w):
    sign_in(client, "perencana@uji.test", PASSWORD)
    assert post(client, f"/t/{w['slug']}/indikator/", {"tahun": "abc"}).status_code == 422
    dup = post(client, f"/t/{w['slug']}/indikator/", {"tahun": "2026"})
    assert dup.status_code == 422 and "Set indikator tahun 2026 sudah ada." in dup.get_data(as_text=True)
    created = post(client, f"/t/{w['slug']}/indikator/", {"tahun": "2027"})
    assert created.status_code == 303
    set_url = created.headers["Location"]
    set_id = int(re.search(r"/indikator/(\d+)/", set_url).group(1))
    bad = post(client, f"/t/{w['slug']}/indikator/{set_id}/sasaran", {"kode": "S1"})
    assert bad.status_code == 422 and "Nama sasaran wajib diisi." in bad.get_data(as_text=True)
    assert post(client, f"/t/{w['slug']}/indikator/{set_id}/sasaran",
                {"kode": "S1", "nama": "Meningkatnya sanitasi"}).status_code == 303
    [sasaran] = _ids(app, Sasaran, set_id=set_id)
    form = client.get(f"/t/{w['slug']}/indikator/{set_id}/baru?sasaran={sasaran.id}", headers={"HX-Request": "true"})
    assert form.status_code == 200 and 'data-testid="indikator-form"' in form.get_data(as_text=True)
    response = post(client, f"/t/{w['slug']}/indikator/{set_id}/butir",
                    dict(INDICATOR_FORM, sasaran_id=sasaran.id), htmx=True)
    assert response.status_code == 204 and "#indikator-" in response.headers["HX-Redirect"]
    [ind] = _ids(app, Indikator, set_id=set_id)
    assert (ind.baseline, ind.target_pk, ind.is_iku) == (Decimal("61.5"), Decimal(75), True)
    assert ind.rules["ruleset"]["negative_rule"] == "default" and ind.rules_frozen_at is not None
    page = client.get(f"/t/{w['slug']}/indikator/{set_id}/").get_data(as_text=True)
    assert "Persentase desa ODF" in page and "61,5" in page and "Dibekukan" in page


def test_invalid_indicator_input_keeps_typing_and_saves_nothing(app, client, w):
    sign_in(client, "perencana@uji.test", PASSWORD)
    set_id = _set_id(app, w)
    sasaran = _ids(app, Sasaran, set_id=set_id)[0]
    before = len(_ids(app, Indikator, set_id=set_id))
    data = dict(INDICATOR_FORM, sasaran_id=sasaran.id, kode="", target_pk="12.5", jenis_target="rentang",
                target_bawah="90", target_atas="80")
    response = post(client, f"/t/{w['slug']}/indikator/{set_id}/butir", data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kode indikator wajib diisi." in html and "Bukan angka" in html
    assert "Batas bawah melebihi batas atas." in html and 'value="Persentase desa ODF"' in html
    data = dict(INDICATOR_FORM, sasaran_id=sasaran.id, jenis_target="predikat", skala_predikat="opini_bpk",
                target_predikat="AAA")
    html = post(client, f"/t/{w['slug']}/indikator/{set_id}/butir", data, htmx=True).get_data(as_text=True)
    assert "Predikat tidak dikenal; pilihan: WTP, WDP, TW, TMP." in html
    data = dict(INDICATOR_FORM, sasaran_id=sasaran.id, kode="IK-01")
    html = post(client, f"/t/{w['slug']}/indikator/{set_id}/butir", data, htmx=True).get_data(as_text=True)
    assert "Kode IK-01 sudah dipakai indikator lain tahun ini." in html
    assert len(_ids(app, Indikator, set_id=set_id)) == before


def test_editing_a_row_in_place(app, client, w):
    sign_in(client, "perencana@uji.test", PASSWORD)
    ind_id = w["ids"]["positif"]
    edit = client.get(f"/t/{w['slug']}/indikator/butir/{ind_id}/ubah", headers={"HX-Request": "true"})
    html = edit.get_data(as_text=True)
    assert edit.status_code == 200 and html.lstrip().startswith("<tr") and 'value="100"' in html
    with app.app_context():
        ind = db.session.get(Indikator, ind_id)
        data = {k: "" for k in INDICATOR_FORM} | {
            "kode": ind.kode, "nama": "Nama baru", "satuan": "%", "polaritas": "positif", "sifat": "nilai_akhir",
            "jenis_target": "angka", "target_pk": "101,25", "sasaran_id": ind.sasaran_id, "unit_id": ind.unit_id,
            "alasan": "Target PK direvisi"}  # its rules are frozen: a changed target needs a reason
    response = post(client, f"/t/{w['slug']}/indikator/butir/{ind_id}/", data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="indikator-{ind_id}"' in html and "Nama baru" in html
    assert "101,25" in html
    sign_in(client, "budi@uji.test", PASSWORD)   # a kabid reads, never edits the set
    assert client.get(f"/t/{w['slug']}/indikator/butir/{ind_id}/").status_code == 200
    assert post(client, f"/t/{w['slug']}/indikator/butir/{ind_id}/", data, htmx=True).status_code == 403


def test_an_indicator_with_values_cannot_be_deleted(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    save(client, w, "positif", {"nilai": "85"})
    sign_in(client, "perencana@uji.test", PASSWORD)
    refused = post(client, f"/t/{w['slug']}/indikator/butir/{w['ids']['positif']}/hapus", {}, htmx=True)
    assert refused.status_code == 422 and "tidak dapat dihapus" in refused.get_data(as_text=True)
    done = post(client, f"/t/{w['slug']}/indikator/butir/{w['ids']['negatif']}/hapus", {}, htmx=True)
    assert done.status_code == 204
    assert {i.id for i in _ids(app, Indikator, tenant_id=w["opd_id"])} >= {w["ids"]["positif"]}
    assert w["ids"]["negatif"] not in {i.id for i in _ids(app, Indikator, tenant_id=w["opd_id"])}


def test_foreign_tenant_gets_404_everywhere(app, client, w):
    set_id = _set_id(app, w)
    sign_in(client, "asing@uji.test", PASSWORD)
    for url in (f"/t/{w['slug']}/indikator/{set_id}/", f"/t/{w['sibling']}/indikator/{set_id}/",
                f"/t/{w['sibling']}/indikator/butir/{w['ids']['positif']}/"):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404, url


def test_tenant_option_applies_only_to_indicators_not_yet_frozen(app, client, w):
    sign_in(client, "perencana@uji.test", PASSWORD)
    bad = post(client, f"/t/{w['slug']}/pengaturan-capaian",
               {"negative_rule": "inverse", "skala": "khusus", "kategori": "Baik: 80\nKurang: x\nBuruk"})
    assert bad.status_code == 422 and "batas bawah 'x' bukan angka" in unescape(bad.get_data(as_text=True))
    ok = post(client, f"/t/{w['slug']}/pengaturan-capaian", {"negative_rule": "inverse", "skala": "bawaan"})
    assert ok.status_code == 303
    page = client.get(f"/t/{w['slug']}/pengaturan-capaian").get_data(as_text=True)
    assert "Pilihan daerah: T / R × 100" in page
    set_id = _set_id(app, w)
    sasaran = _ids(app, Sasaran, set_id=set_id)[0]
    post(client, f"/t/{w['slug']}/indikator/{set_id}/butir",
         dict(INDICATOR_FORM, kode="IK-NEG", polaritas="negatif", sasaran_id=sasaran.id,
              unit_id=_unit_of(app, w["ids"]["negatif"])), htmx=True)
    [new] = [i for i in _ids(app, Indikator, set_id=set_id) if i.kode == "IK-NEG"]
    assert new.rules["ruleset"]["negative_rule"] == "inverse"
    old = _ids(app, Indikator, id=w["ids"]["negatif"])[0]
    assert old.rules["ruleset"]["negative_rule"] == "default"     # frozen before the change
    sign_in(client, "budi@uji.test", PASSWORD)
    text = save(client, w, "negatif", {"nilai": "9,9"}).get_data(as_text=True)
    assert "Negatif: (2T - R) / T × 100, minimal 0" in text
    text = post(client, f"/t/{w['slug']}/realisasi/{w['period']}/{new.id}/", {"nilai": "34", "revision": 0},
                htmx=True).get_data(as_text=True)
    assert "Negatif (pilihan daerah): T / R × 100" in text and "200,00%" in text   # 68 / 34


def _unit_of(app, ind_id):
    return _ids(app, Indikator, id=ind_id)[0].unit_id


def test_pemda_option_is_followed_by_its_opds(app, client, w):
    from tests.factories import gen_user
    with app.app_context():
        from portal.tenancy.models import Tenant
        opd = db.session.get(Tenant, w["opd_id"])
        gen_user("admin@pemda.test", tenant=opd.parent, lane_kind="pemda_admin")
        pemda_slug = opd.parent.slug
        db.session.commit()
    sign_in(client, "admin@pemda.test", PASSWORD)
    response = post(client, f"/t/{pemda_slug}/pengaturan-capaian",
                    {"negative_rule": "inverse", "skala": "khusus", "nama_skala": "Skala Kota Uji",
                     "kategori": "Baik sekali: 90\nBaik: 75\nKurang"})
    assert response.status_code == 303
    page = client.get(f"/t/{w['slug']}/pengaturan-capaian").get_data(as_text=True)
    assert "Skala Kota Uji" in page and "Pilihan daerah" in page and "belum memiliki pengaturan sendiri" in page
    assert len(_ids(app, IndicatorSettings)) == 1


def test_program_and_kegiatan_rows_with_serapan(app, client, w):
    sign_in(client, "perencana@uji.test", PASSWORD)
    set_id = _set_id(app, w)
    bad = post(client, f"/t/{w['slug']}/indikator/{set_id}/program", {"kode": "1.02.02", "pagu": "-1"}, htmx=True)
    assert bad.status_code == 422 and "Nama wajib diisi." in bad.get_data(as_text=True)
    sasaran = _ids(app, Sasaran, set_id=set_id)[0]
    foreign = post(client, f"/t/{w['slug']}/indikator/{set_id}/program",
                   {"kode": "1.02.02", "nama": "Program", "sasaran_id": "999999"}, htmx=True)
    assert foreign.status_code == 422 and "Sasaran strategis tidak dikenal." in foreign.get_data(as_text=True)
    assert post(client, f"/t/{w['slug']}/indikator/{set_id}/program",
                {"kode": "1.02.02", "nama": "Program Pemenuhan Upaya Kesehatan", "pagu": "1.000.000.000",
                 "realisasi_tw1": "150.000.000", "realisasi_tw2": "100.000.000,50", "sasaran_id": sasaran.id},
                htmx=True).status_code == 204
    [program] = _ids(app, ProgramKegiatan, set_id=set_id)
    assert program.sasaran_id == sasaran.id  # the program serves this sasaran (printed beside it)
    assert post(client, f"/t/{w['slug']}/indikator/{set_id}/program",
                {"kode": "1.02.02.2.01", "nama": "Kegiatan A", "parent_id": program.id, "pagu": "0",
                 "realisasi_tw1": "10"},
                htmx=True).status_code == 204
    page = client.get(f"/t/{w['slug']}/indikator/{set_id}/").get_data(as_text=True)
    assert "1.000.000.000" in page and "250.000.000,5" in page and "25,00%" in page
    assert f"Sasaran: {sasaran.kode} {sasaran.nama}" in page
    assert "Pagu = 0, serapan tidak dapat dihitung" in page and "Tidak dapat dihitung" in page
    refused = post(client, f"/t/{w['slug']}/indikator/program/{program.id}/hapus", {}, htmx=True)
    assert refused.status_code == 422 and "masih memiliki kegiatan" in refused.get_data(as_text=True)
