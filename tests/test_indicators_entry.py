"""Pengisian realisasi: what a Kepala Bidang sees and gets when entering values."""
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.indikator import periods, services
from portal.indikator.models import IndicatorSet, Indikator, Realisasi, Sasaran
from portal.realisasi import services as realisasi_services
from portal.tenancy.models import Tenant, Unit
from tests.conftest import post, sign_in
from tests.factories import PASSWORD, gen_tree, gen_user, grant

KINDS = {
    "positif": dict(polaritas="positif", sifat="nilai_akhir", satuan="%", target_pk=Decimal(100),
                    target_tw1=Decimal(80), target_tw2=Decimal(90), target_tw3=Decimal(95), target_tw4=Decimal(100)),
    "negatif": dict(polaritas="negatif", sifat="nilai_akhir", satuan="%", target_pk=Decimal(10),
                    target_tw1=Decimal(12), target_tw2=Decimal(11)),
    "nol": dict(polaritas="negatif", sifat="kumulatif", satuan="kasus", target_pk=Decimal(0),
                target_tw1=Decimal(0), target_tw2=Decimal(0)),
    "rasio": dict(polaritas="positif", sifat="nilai_akhir", satuan="%", target_pk=Decimal(100),
                  target_tw2=Decimal(100), pakai_rasio=True),
    "rentang": dict(polaritas="positif", sifat="nilai_akhir", satuan="%", jenis_target="rentang",
                    target_bawah=Decimal(60), target_atas=Decimal(85)),
    "predikat": dict(polaritas="positif", sifat="nilai_akhir", satuan="", jenis_target="predikat",
                     skala_predikat="predikat_sakip", target_predikat="A"),
}


def build(app, extra_indicators: int = 0) -> dict:
    """An OPD with two units, two kabid of unit 1 (Budi, Sari), a kabid of unit 2, a
    perencana, indicators of every kind in unit 1 (one in unit 2), TW II 2026 open."""
    with app.app_context():
        prov, pemda, opd, sibling = gen_tree()
        unit1 = opd.units[0]
        unit2 = Unit(tenant=opd, key="bidang-2", name="Bidang Dua", position=2)
        db.session.add(unit2)
        db.session.flush()
        gen_user("budi@uji.test", name="Budi Santoso", tenant=opd, lane_kind="kabid")
        sari = gen_user("sari@uji.test", name="Sari Wulandari")
        grant(sari, opd, "staf", unit=unit1)
        other = gen_user("lain@uji.test", name="Kabid Lain")
        grant(other, opd, "kabid", unit=unit2)
        gen_user("perencana@uji.test", tenant=opd, lane_kind="perencana")
        gen_user("kepala@uji.test", tenant=opd, lane_kind="kepala")
        gen_user("asing@uji.test", tenant=sibling, lane_kind="kabid")
        tset = services.create_set(opd, 2026, None)
        sasaran, _ = services.save_sasaran(tset, None, {"kode": "S1", "nama": "Sasaran uji"})
        ids = {}
        for i, (name, fields) in enumerate(list(KINDS.items()) + [
                (f"extra{n}", KINDS["positif"]) for n in range(extra_indicators)]):
            ind = Indikator(tenant_id=opd.id, set_id=tset.id, sasaran_id=sasaran.id, unit_id=unit1.id,
                            kode=f"IK-{i + 1:02d}", nama=f"Indikator {name}", position=i, **fields)
            db.session.add(ind)
            db.session.flush()
            services.freeze_rules(opd, ind)
            ids[name] = ind.id
        foreign_unit = Indikator(tenant_id=opd.id, set_id=tset.id, sasaran_id=sasaran.id, unit_id=unit2.id,
                                 kode="IK-99", nama="Indikator bidang dua", position=99, **KINDS["positif"])
        db.session.add(foreign_unit)
        db.session.flush()
        period = periods.open_period(opd, 2026, 2)
        db.session.commit()
        return {"slug": opd.slug, "sibling": sibling.slug, "period": period.id, "ids": ids,
                "other_unit": foreign_unit.id, "opd_id": opd.id}


def row_url(w, name, suffix=""):
    ind = w["ids"][name] if isinstance(name, str) else name
    return f"/t/{w['slug']}/realisasi/{w['period']}/{ind}/{suffix}"


def values(app, ind_id):
    with app.app_context():
        rows = db.session.scalars(sa.select(Realisasi).where(Realisasi.indikator_id == ind_id)).all()
        return {r.triwulan: (r.nilai, r.tidak_berlaku, r.predikat, r.revision) for r in rows}


def save(client, w, name, data, revision=0):
    return post(client, row_url(w, name), {"revision": revision, **data}, htmx=True)


@pytest.fixture
def w(app):
    return build(app)


def test_kabid_sees_own_unit_indicators_of_the_open_period(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    page = client.get(f"/t/{w['slug']}/realisasi/").get_data(as_text=True)
    assert "Triwulan II 2026" in page
    assert "Indikator positif" in page and "Indikator predikat" in page
    assert "Indikator bidang dua" not in page
    assert page.count('data-testid="isi"') == len(KINDS)


def test_reviewer_sees_every_indicator_read_only(app, client, w):
    sign_in(client, "kepala@uji.test", PASSWORD)
    page = client.get(f"/t/{w['slug']}/realisasi/").get_data(as_text=True)
    assert "Indikator bidang dua" in page and "Tampilan baca saja" in page
    assert 'data-testid="isi"' not in page


def test_entering_a_value_shows_capaian_kategori_and_rule(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    form = client.get(row_url(w, "positif", "ubah"), headers={"HX-Request": "true"})
    assert form.status_code == 200 and 'name="revision" value="0"' in form.get_data(as_text=True)
    response = save(client, w, "positif", {"nilai": "85,5", "faktor_pendorong": "Kader aktif"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("<article") and f'id="realisasi-{w["ids"]["positif"]}"' in html
    assert "95,00%" in html and "Sangat Tinggi" in html          # 85,5 / 90 × 100
    assert "Positif: R / T × 100" in html and "Permendagri 86/2017" in html
    assert "Kader aktif" in html and "Tersimpan" in html
    assert values(app, w["ids"]["positif"]) == {2: (Decimal("85.5"), False, None, 1)}


def test_negative_and_zero_target_and_thousands(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    html = save(client, w, "negatif", {"nilai": "9,9"}).get_data(as_text=True)
    assert "110,00%" in html and "Negatif: (2T - R) / T × 100, minimal 0" in html   # (22 - 9,9) / 11
    html = save(client, w, "nol", {"nilai": "0"}).get_data(as_text=True)
    assert "100,00%" in html and "T = 0" in html
    assert values(app, w["ids"]["nol"])[2][0] == Decimal(0)    # 0 is a value, not blank
    # (On a % indicator 1.234,5 would first ask for a confirmation: tests/test_plausibility.py.)
    html = save(client, w, "nol", {"nilai": "1.234,5"}, revision=1).get_data(as_text=True)
    assert values(app, w["ids"]["nol"])[2][0] == Decimal("1234.5") and "1.234,5" in html


def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    response = save(client, w, "positif", {"nilai": "abc", "faktor_penghambat": "Hujan deras", "tindak_lanjut": "TL"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-testid="error-nilai"' in html and "Bukan angka" in html
    assert 'value="abc"' in html and "Hujan deras" in html and ">TL</textarea>" in html
    response = save(client, w, "positif", {"nilai": "-5"})
    assert response.status_code == 422 and "Nilai tidak boleh negatif." in response.get_data(as_text=True)
    response = save(client, w, "positif", {"nilai": "12.5"})  # a dot is a thousands mark: refused, not guessed
    assert response.status_code == 422
    response = save(client, w, "positif", {"nilai": "1,23456"})
    assert response.status_code == 422 and "4 angka di belakang koma" in response.get_data(as_text=True)
    assert values(app, w["ids"]["positif"]) == {}


def test_blank_is_belum_diisi_and_tidak_berlaku_is_its_own_state(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    html = save(client, w, "positif", {"nilai": ""}).get_data(as_text=True)
    assert "belum diisi" in html and 'data-testid="capaian-pending"' in html   # no capaian for an empty quarter
    html = save(client, w, "negatif", {"tidak_berlaku": "1"}).get_data(as_text=True)
    assert re.search(r'data-testid="realisasi-tw2">\s*<span class="state-tidak_berlaku">tidak berlaku', html)
    assert values(app, w["ids"]["negatif"])[2][1] is True
    response = save(client, w, "rasio", {"tidak_berlaku": "1", "pembilang": "5", "penyebut": "10"})
    assert response.status_code == 422 and "centang Tidak berlaku" in response.get_data(as_text=True)


def test_ratio_range_and_predikat_entries(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    html = save(client, w, "rasio", {"pembilang": "45", "penyebut": "50"}).get_data(as_text=True)
    assert "90,00%" in html and values(app, w["ids"]["rasio"])[2][0] == Decimal(90)
    response = save(client, w, "rasio", {"pembilang": "45", "penyebut": "0"}, revision=1)
    assert response.status_code == 422 and "Penyebut tidak boleh 0." in response.get_data(as_text=True)
    response = save(client, w, "rasio", {"pembilang": "45"}, revision=1)
    assert response.status_code == 422 and "kosongkan keduanya" in response.get_data(as_text=True)
    html = save(client, w, "rentang", {"nilai": "72,5"}).get_data(as_text=True)
    assert "100,00%" in html and "Target rentang" in html
    html = save(client, w, "predikat", {"predikat": "bb"}).get_data(as_text=True)
    assert "83,33%" in html and "Predikat" in html and values(app, w["ids"]["predikat"])[2][2] == "BB"
    response = save(client, w, "predikat", {"predikat": "Z"}, revision=1)
    assert response.status_code == 422 and "Predikat tidak dikenal" in response.get_data(as_text=True)


def test_second_saver_is_told_who_changed_what(app, w):
    budi, sari = app.test_client(), app.test_client()
    sign_in(budi, "budi@uji.test", PASSWORD)
    sign_in(sari, "sari@uji.test", PASSWORD)   # staf of the same unit
    for c in (budi, sari):
        form = c.get(row_url(w, "positif", "ubah"), headers={"HX-Request": "true"}).get_data(as_text=True)
        assert re.search(r'name="revision" value="(\d+)"', form).group(1) == "0"
    assert save(budi, w, "positif", {"nilai": "85,5"}).status_code == 200
    response = save(sari, w, "positif", {"nilai": "86", "tindak_lanjut": "Catatan Sari"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert re.search(r"Nilai ini sudah diubah oleh Budi Santoso \(85,5\) pada \d+ \w{3} \d{4} \d\d\.\d\d WIB\. "
                     r"Periksa lalu simpan lagi\.", html)
    assert 'value="86"' in html and "Catatan Sari" in html       # nothing she typed is lost
    assert values(app, w["ids"]["positif"])[2][0] == Decimal("85.5")  # nothing overwritten
    revision = re.search(r'name="revision" value="(\d+)"', html).group(1)
    assert revision == "1"
    assert save(sari, w, "positif", {"nilai": "86"}, revision=revision).status_code == 200
    assert values(app, w["ids"]["positif"])[2][:1] == (Decimal(86),)
    stale = save(budi, w, "positif", {"nilai": "87"}, revision=1)
    assert stale.status_code == 409 and "oleh Sari Wulandari (86)" in stale.get_data(as_text=True)


def test_only_the_indicators_own_unit_may_enter(app, client, w):
    sign_in(client, "lain@uji.test", PASSWORD)
    response = save(client, w, "positif", {"nilai": "50"})
    assert response.status_code == 403 and "bukan tanggung jawab unit Anda" in response.get_data(as_text=True)
    assert client.get(row_url(w, "positif", "ubah"), headers={"HX-Request": "true"}).status_code == 403
    assert values(app, w["ids"]["positif"]) == {}
    sign_in(client, "perencana@uji.test", PASSWORD)
    assert save(client, w, "positif", {"nilai": "50"}).status_code == 403   # no ENTER_DATA lane
    assert values(app, w["ids"]["positif"]) == {}


def test_closed_period_refuses_entry(app, client, w):
    with app.app_context():
        from portal.indikator.models import ReportingPeriod
        periods.close_period(db.session.get(ReportingPeriod, w["period"]))
        db.session.commit()
    sign_in(client, "budi@uji.test", PASSWORD)
    response = save(client, w, "positif", {"nilai": "50"})
    assert response.status_code == 403 and "sudah ditutup" in response.get_data(as_text=True)
    assert values(app, w["ids"]["positif"]) == {}


def test_foreign_tenant_gets_404_for_page_fragment_and_save(app, client, w):
    sign_in(client, "asing@uji.test", PASSWORD)
    assert client.get(f"/t/{w['slug']}/realisasi/").status_code == 404
    assert client.get(row_url(w, "positif"), headers={"HX-Request": "true"}).status_code == 404
    assert save(client, w, "positif", {"nilai": "50"}).status_code == 404
    # an id of the other OPD under the user's own tenant is 404 too
    own = f"/t/{w['sibling']}/realisasi/{w['period']}/{w['ids']['positif']}/"
    assert client.get(own, headers={"HX-Request": "true"}).status_code == 404
    assert post(client, own, {"nilai": "1", "revision": 0}, htmx=True).status_code == 404
    assert values(app, w["ids"]["positif"]) == {}


def test_plain_form_post_without_htmx_redirects_back(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    response = post(client, row_url(w, "positif"), {"nilai": "70", "revision": 0})
    assert response.status_code == 303 and f"#realisasi-{w['ids']['positif']}" in response.headers["Location"]
    bad = post(client, row_url(w, "positif"), {"nilai": "x", "revision": 1})
    assert bad.status_code == 422 and "<html" in bad.get_data(as_text=True)


def _count_queries(app, client, url) -> int:
    seen = []
    with app.app_context():
        engine = db.engine

        def count(*args):
            seen.append(1)
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_page_queries_do_not_grow_with_indicators(app):
    small = build(app)
    client = app.test_client()
    sign_in(client, "budi@uji.test", PASSWORD)
    with app.app_context():
        opd = db.session.get(Tenant, small["opd_id"])
        tset = db.session.scalar(sa.select(IndicatorSet).where(IndicatorSet.tenant_id == opd.id))
        sasaran = db.session.scalar(sa.select(Sasaran).where(Sasaran.set_id == tset.id))
        unit = opd.units[0]
        before = _count_queries(app, client, f"/t/{small['slug']}/realisasi/")
        for n in range(30):
            ind = Indikator(tenant_id=opd.id, set_id=tset.id, sasaran_id=sasaran.id, unit_id=unit.id,
                            kode=f"X-{n}", nama=f"Tambahan {n}", position=100 + n, **KINDS["negatif"])
            db.session.add(ind)
            db.session.flush()
            db.session.add(Realisasi(tenant_id=opd.id, indikator_id=ind.id, triwulan=1, nilai=n))
        db.session.commit()
    after = _count_queries(app, client, f"/t/{small['slug']}/realisasi/")
    assert after == before


def test_a_save_racing_another_commit_changes_nothing(app, w):
    """Both savers read revision 1; the guarded UPDATE lets only the first one through."""
    from portal.auth.models import User

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): two saves cannot interleave there")

    with app.app_context():
        ind = db.session.get(Indikator, w["ids"]["positif"])
        budi = db.session.scalar(sa.select(User).where(User.email == "budi@uji.test"))
        assert realisasi_services.save_realisasi(ind, 2, budi, realisasi_services.RealisasiInput(nilai=Decimal(1)), 0).revision == 1
        db.session.commit()
        row = db.session.scalar(sa.select(Realisasi).where(Realisasi.indikator_id == ind.id))
        assert row.revision == 1                      # this session now holds revision 1
        with app.app_context():                       # another request commits in between
            other = db.session.get(Indikator, w["ids"]["positif"])
            sari = db.session.scalar(sa.select(User).where(User.email == "sari@uji.test"))
            assert realisasi_services.save_realisasi(other, 2, sari, realisasi_services.RealisasiInput(nilai=Decimal(2)), 1).revision == 2
            db.session.commit()
        result = realisasi_services.save_realisasi(ind, 2, budi, realisasi_services.RealisasiInput(nilai=Decimal(3)), 1)
        assert isinstance(result, realisasi_services.Conflict) and "Sari Wulandari (2)" in result.message
        db.session.rollback()
    assert values(app, w["ids"]["positif"])[2][0] == Decimal(2)


def test_every_saved_change_is_in_the_audit_log(app, client, w):
    from portal.audit import services as audit

    sign_in(client, "budi@uji.test", PASSWORD)
    save(client, w, "positif", {"nilai": "85,5"})
    save(client, w, "positif", {"nilai": "86", "tindak_lanjut": "Rapat koordinasi"}, revision=1)
    save(client, w, "positif", {"nilai": "x"}, revision=2)                 # refused: not logged
    with app.app_context():
        tenant = db.session.get(Tenant, w["opd_id"])
        events = [(e.action, e.field, e.old_value, e.new_value, e.user.name, e.lane)
                  for e in audit.for_indikator(tenant, w["ids"]["positif"])]
    assert events == [
        ("realisasi.simpan", "TW II nilai", "", "85,5", "Budi Santoso", "Lane kabid"),
        ("realisasi.simpan", "TW II nilai", "85,5", "86", "Budi Santoso", "Lane kabid"),
        ("realisasi.simpan", "TW II tindak_lanjut", "", "Rapat koordinasi", "Budi Santoso", "Lane kabid"),
    ]


def test_a_value_locked_by_the_measurement_cycle_cannot_be_changed(app, client, w, monkeypatch):
    from portal.signing import locks

    reason = "Terkunci: data sudah disahkan. Kepala dapat membuka kembali dengan alasan."
    locked = w["ids"]["positif"]
    monkeypatch.setattr(locks, "blocks_for", lambda tenant_id, tahun, tw, ids: {locked: reason})
    monkeypatch.setattr(locks, "realisasi_block", lambda tenant_id, tahun, tw, ind_id: reason if ind_id == locked else None)
    sign_in(client, "budi@uji.test", PASSWORD)
    page = client.get(f"/t/{w['slug']}/realisasi/").get_data(as_text=True)
    assert reason in page and page.count('data-testid="isi"') == len(KINDS) - 1
    response = save(client, w, "positif", {"nilai": "50"})
    # A cycle holding the value is a conflict of state (409), not a lack of rights.
    assert response.status_code == 409 and reason in response.get_data(as_text=True)
    assert values(app, locked) == {}
    assert save(client, w, "negatif", {"nilai": "5"}).status_code == 200
