"""Plausibility checks of data entry (as DHIS2's min-max): an unlikely value is not
refused, it asks for a confirmation with a note; the note is saved with the value, kept
in the audit log and shown to the reviewer."""
from decimal import Decimal

import sqlalchemy as sa

from portal.audit.models import AuditEvent
from portal.capaian import settings as capaian_settings
from portal.capaian.plausibility import check
from portal.extensions import db
from portal.indikator.models import Indikator, Realisasi
from portal.tenancy.models import Tenant
from tests.conftest import post, sign_in
from tests.factories import PASSWORD
from tests.test_indicators_entry import build, save

DEFAULTS = capaian_settings.PLAUSIBILITY_DEFAULTS


def _ind(**kw):
    fields = dict(satuan="%", jenis_target="angka", target_tw2=Decimal(90), pakai_rasio=False)
    fields.update(kw)
    return Indikator(**fields)


def _codes(*args, **kw):
    return [flag.code for flag in check(*args, **kw)]


def test_a_percent_over_100_and_a_point_read_as_thousands_are_flagged():
    ind = _ind()
    assert _codes(ind, 2, "12.500", Decimal(12500), None, DEFAULTS) == [
        "persen_lebih_100", "titik_ribuan", "jauh_dari_target"]
    flags = check(ind, 2, "12.500", Decimal(12500), None, DEFAULTS)
    assert "Jika maksud Anda 12,5" in flags[1].message
    assert _codes(ind, 2, "85", Decimal(85), None, DEFAULTS) == []
    assert _codes(ind, 2, "100,5", Decimal("100.5"), None, DEFAULTS) == ["persen_lebih_100"]
    # Not a percentage: over 100 is fine, a grouped thousand still asks.
    people = _ind(satuan="orang", target_tw2=Decimal(1000))
    assert _codes(people, 2, "1.250", Decimal(1250), None, DEFAULTS) == ["titik_ribuan"]
    assert _codes(people, 2, "1250", Decimal(1250), None, DEFAULTS) == []


def test_far_from_target_or_previous_triwulan_by_the_tenants_factor():
    ind = _ind(satuan="dokumen", target_tw2=Decimal(10))
    assert _codes(ind, 2, "31", Decimal(31), None, DEFAULTS) == ["jauh_dari_target"]
    assert _codes(ind, 2, "3", Decimal(3), None, DEFAULTS) == ["jauh_dari_target"]
    assert _codes(ind, 2, "30", Decimal(30), None, DEFAULTS) == []
    assert _codes(ind, 2, "12", Decimal(12), Decimal(2), DEFAULTS) == ["jauh_dari_sebelumnya"]
    assert _codes(ind, 2, "12", Decimal(12), Decimal(2), {"target": Decimal(3), "sebelumnya": Decimal(10)}) == []
    # No target (0 or none) and no previous value: nothing to compare with.
    assert _codes(_ind(satuan="kasus", target_tw2=Decimal(0)), 2, "7", Decimal(7), None, DEFAULTS) == []


def test_twelve_thousand_on_a_percent_indicator_asks_before_it_saves(app):
    w = build(app)
    client = app.test_client()
    sign_in(client, "budi@uji.test", PASSWORD)
    first = save(client, w, "positif", {"nilai": "12.500"})
    page = first.get_data(as_text=True)
    assert first.status_code == 422 and 'data-testid="plausibility"' in page
    assert "Nilai ini belum tersimpan" in page and "Jika maksud Anda 12,5" in page
    with app.app_context():
        assert db.session.scalars(sa.select(Realisasi).where(Realisasi.indikator_id == w["ids"]["positif"])).all() == []
    key = page.split('name="konfirmasi" value="')[1].split('"')[0]
    # Confirming without a note is not enough.
    again = save(client, w, "positif", {"nilai": "12.500", "konfirmasi": key, "catatan_kewajaran": " "})
    assert again.status_code == 422 and "Tulis catatan mengapa nilai ini benar" in again.get_data(as_text=True)
    # A confirmation is for the value it was shown for, not another one.
    other = save(client, w, "positif", {"nilai": "13.500", "konfirmasi": key, "catatan_kewajaran": "benar"})
    assert other.status_code == 422
    note = "Angka dari laporan dinas, satuan keliru di DPA"
    done = save(client, w, "positif", {"nilai": "12.500", "konfirmasi": key, "catatan_kewajaran": note})
    assert done.status_code == 200 and "Tersimpan." in done.get_data(as_text=True)
    assert 'data-testid="plausibility-note"' in done.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(sa.select(Realisasi).where(Realisasi.indikator_id == w["ids"]["positif"]))
        assert row.nilai == Decimal(12500) and row.plausibility_note == note
        assert row.plausibility_flags == "persen_lebih_100,titik_ribuan,jauh_dari_target"
        audited = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "realisasi.simpan")).all()
        assert any(event.new_value == note and event.field == "TW II plausibility_note" for event in audited)
    # A corrected, plausible value saves at once and clears the flag.
    fixed = save(client, w, "positif", {"nilai": "85"}, revision=1)
    assert fixed.status_code == 200
    with app.app_context():
        row = db.session.scalar(sa.select(Realisasi).where(Realisasi.indikator_id == w["ids"]["positif"]))
        assert row.plausibility_flags == "" and row.plausibility_note == ""


def test_thresholds_are_the_tenants_own(app):
    w = build(app)
    with app.app_context():
        opd = db.session.get(Tenant, w["opd_id"])
        assert capaian_settings.plausibility(opd) == DEFAULTS
        capaian_settings.save_plausibility(opd, None, {"target": Decimal(5), "sebelumnya": Decimal(2)})
        db.session.commit()
        assert capaian_settings.plausibility(opd) == {"target": Decimal(5), "sebelumnya": Decimal(2)}


def test_the_thresholds_are_set_on_the_capaian_settings_page(app):
    w = build(app)
    client = app.test_client()
    sign_in(client, "perencana@uji.test", PASSWORD)   # the Perencana manages the OPD's settings
    url = f"/t/{w['slug']}/pengaturan-capaian"
    page = client.get(url).get_data(as_text=True)
    assert "Pemeriksaan kewajaran isian realisasi" in page and 'data-testid="threshold-target">3<' in page
    bad = post(client, url + "/kewajaran", {"target": "1", "sebelumnya": "x"})
    assert bad.status_code == 422 and "lebih dari 1" in bad.get_data(as_text=True)
    assert post(client, url + "/kewajaran", {"target": "5", "sebelumnya": "2,5"}).status_code == 303
    with app.app_context():
        assert capaian_settings.plausibility(db.session.get(Tenant, w["opd_id"])) == {
            "target": Decimal(5), "sebelumnya": Decimal("2.5")}
