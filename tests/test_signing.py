"""What is signed stays signed: the sign-off writes a record (numbers, definition, rules,
who and when) that the database refuses to change; a signed period is shown from it
after its indicator is edited or re-imported; a frozen definition changes only with a
reason and is audited old → new; earlier quarters a signed figure rolls up are locked;
the sign-off page shows the values and needs a confirmation checked by the server."""
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from portal.audit.models import AuditEvent
from portal.cycles import engine
from portal.cycles.models import Cycle
from portal.extensions import db
from portal.indikator import periods
from portal.indikator.models import Indikator, ReportingPeriod, Sasaran
from portal.realisasi import services as realisasi_services
from portal.signing import locks
from portal.signing.models import SignedFigure, SignedValue
from portal.signing.queries import signed_figures
from tests import cycle_driver as d
from tests.conftest import csrf_token, post, sign_in
from tests.test_cycles_rules import _cycle_at

OPD = "kab-mojokerto-dinkes"
BASE = f"/t/{OPD}"
KADIS = "kadis@dinkes.mojokerto.test"
PERENCANA = "perencana@dinkes.mojokerto.test"
KABID_P2P = "kabid.p2p@dinkes.mojokerto.test"


def _sign_tw2(app) -> dict:
    """Run Mojokerto's TW II 2026 cycle to its sign-off (every value entered as 75)."""
    with app.app_context():
        cycle, _ = d.run(OPD, kind="triwulan", no=2, return_once=False)
        assert cycle.locked
        opd = d.tenant(OPD)
        out = {"cycle_id": cycle.id, "opd_id": opd.id,
               "period_id": periods.open_period(opd, 2026, 2).id,
               "ind": {i.kode: i.id for i in db.session.scalars(sa.select(Indikator).where(
                   Indikator.tenant_id == opd.id))}}
        db.session.commit()
    return out


def _row_html(page: str, kode: str) -> str:
    start = page.index(f'data-kode="{kode}"')
    return page[start:page.index("</article>", start)]


def _capaian(page: str, kode: str) -> str:
    return re.search(r'data-testid="capaian"[^>]*>([^<]+)<', _row_html(page, kode)).group(1).strip()


def test_the_sign_off_record_holds_numbers_and_cannot_be_changed(demo):
    w = _sign_tw2(demo)
    with demo.app_context():
        figures = {f.kode: f for f in signed_figures([w["opd_id"]], 2026, 2)[w["opd_id"]]}
        assert {"IKU-01", "IKU-02", "IK-03"} <= set(figures)
        f = figures["IKU-02"]
        assert (f.polaritas, f.sifat, f.satuan) == ("negatif", "nilai_akhir", "per 100.000 KH")
        assert isinstance(f.realisasi_sd, Decimal) and f.realisasi_sd == Decimal("75")
        assert isinstance(f.target_sd, Decimal) and f.target_sd == Decimal("85") and f.target_pk == Decimal("85")
        assert isinstance(f.capaian, Decimal) and f.capaian_state == "dihitung" and f.kategori
        assert f.rules["ruleset"] and f.rules_frozen_at is not None
        assert [v.triwulan for v in f.values] == [1, 2]
        assert f.value_of(2).nilai == Decimal("75") and f.value_of(1).nilai == Decimal("92.3")
        kumulatif = figures["IK-03"]
        assert kumulatif.realisasi_sd == Decimal("98.1")  # TW I 23,1 + TW II 75
        kepala = d.people(d.tenant(OPD), {"kepala"})[0]
        assert f.signed_by_id == kepala.id and f.signed_by_name == kepala.name and f.signed_by_lane
        assert f.entered_by_name and f.submitted_by_name and f.validated_by_name and f.verified_by_name
        assert f.validated_at is not None and f.signed_at is not None
        assert f.tindak_lanjut == "Pemantauan bulanan"
        # Written once: the database refuses to change or delete either table.
        for statement in (sa.update(SignedFigure).values(capaian=1), sa.delete(SignedValue),
                          sa.delete(SignedFigure)):
            with pytest.raises(sa.exc.DBAPIError):
                with db.session.begin_nested():
                    db.session.execute(statement)
        db.session.rollback()
        assert db.session.get(SignedFigure, f.id).capaian == f.capaian


def _indicator_form(ind: Indikator, **changes) -> dict:
    def text(value):
        return "" if value is None else str(value).replace(".", ",")

    data = {"sasaran_id": ind.sasaran_id, "unit_id": ind.unit_id or "", "kode": ind.kode, "nama": ind.nama,
            "is_iku": "1" if ind.is_iku else "", "definisi": ind.definisi, "satuan": ind.satuan,
            "sumber_data": ind.sumber_data, "polaritas": ind.polaritas, "sifat": ind.sifat,
            "jenis_target": ind.jenis_target, "skala_predikat": ind.skala_predikat or "",
            "target_predikat": ind.target_predikat or ""}
    for name in ("baseline", "target_pk", "target_tw1", "target_tw2", "target_tw3", "target_tw4", "target_renstra",
                 "target_bawah", "target_atas"):
        data[name] = text(getattr(ind, name))
    data.update(changes)
    return data


def _import_book(rows: list[dict]) -> bytes:
    """A workbook with only some columns: the others stay as they are."""
    headers = {"kode_sasaran": "Kode Sasaran", "nama_sasaran": "Sasaran Strategis", "kode": "Kode Indikator",
               "nama": "Indikator Kinerja", "satuan": "Satuan", "polaritas": "Polaritas", "sifat": "Sifat Agregasi",
               "target_pk": "Target PK", "target_tw2": "Target s.d. TW II"}
    book = Workbook()
    sheet = book.active
    sheet.title = "Indikator"
    sheet.append(list(headers.values()))
    for row in rows:
        sheet.append([row.get(k) for k in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_signed_tw2_keeps_its_capaian_after_its_indicator_is_edited_and_reimported(demo, client):
    w = _sign_tw2(demo)
    sign_in(client, PERENCANA)
    entry_url = f"{BASE}/realisasi/?periode={w['period_id']}"
    before = client.get(entry_url).get_data(as_text=True)
    signed_02, signed_01 = _capaian(before, "IKU-02"), _capaian(before, "IKU-01")
    assert 'data-signed="1"' in _row_html(before, "IKU-02")
    with demo.app_context():
        ind = db.session.get(Indikator, w["ind"]["IKU-02"])
        baseline_01 = db.session.get(Indikator, w["ind"]["IKU-01"]).baseline
        form = _indicator_form(ind, polaritas="positif", target_pk="50", target_tw2="50")
        sasaran = db.session.get(Sasaran, ind.sasaran_id)
    url = f"{BASE}/indikator/butir/{w['ind']['IKU-02']}/"

    # Without a reason: refused with the reason why, nothing saved.
    refused = post(client, url, form, htmx=True)
    assert refused.status_code == 422
    assert "tulis alasan perubahan Polaritas, Target PK, Target s.d. TW II" in refused.get_data(as_text=True)
    with demo.app_context():
        assert db.session.get(Indikator, w["ind"]["IKU-02"]).polaritas == "negatif"

    saved = post(client, url, dict(form, alasan="Koreksi polaritas sesuai Renstra"), htmx=True)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    with demo.app_context():
        ind = db.session.get(Indikator, w["ind"]["IKU-02"])
        assert ind.polaritas == "positif" and ind.target_pk == Decimal("50")
        events = {e.field: e for e in db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.indikator_id == ind.id, AuditEvent.action == "indikator.ubah"))}
        assert (events["Polaritas"].old_value, events["Polaritas"].new_value) == ("Negatif", "Positif")
        assert (events["Target PK"].old_value, events["Target PK"].new_value) == ("85", "50")
        assert events["Target PK"].reason == "Koreksi polaritas sesuai Renstra"
        assert events["Polaritas"].user.email == PERENCANA

    # The XLSX import: IKU-01 polarity and sifat changed, its other columns absent.
    data = _import_book([{"kode_sasaran": sasaran.kode, "nama_sasaran": sasaran.nama, "kode": "IKU-01",
                          "nama": "Prevalensi stunting pada balita", "satuan": "%", "polaritas": "Positif",
                          "sifat": "Kumulatif", "target_pk": 1}])
    with demo.app_context():
        set_id = db.session.get(Indikator, w["ind"]["IKU-01"]).set_id
    import_url = f"{BASE}/indikator/{set_id}/impor"
    refused = post(client, import_url, {"berkas": (io.BytesIO(data), "ubah.xlsx")},
                   content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "baris 2 (IKU-01)" in refused.get_data(as_text=True) and "alasan" in refused.get_data(as_text=True)
    done = post(client, import_url, {"berkas": (io.BytesIO(data), "ubah.xlsx"), "alasan": "Revisi PK"},
                content_type="multipart/form-data")
    assert done.status_code == 303, done.get_data(as_text=True)
    with demo.app_context():
        ind = db.session.get(Indikator, w["ind"]["IKU-01"])
        assert (ind.polaritas, ind.sifat, ind.target_pk) == ("positif", "kumulatif", Decimal("1"))
        assert ind.baseline == baseline_01 and ind.definisi  # absent columns are not blanked
        imported = {e.field: e for e in db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.indikator_id == ind.id, AuditEvent.action == "indikator.impor"))}
        assert imported["Sifat agregasi"].old_value == "Nilai akhir" and imported["Sifat agregasi"].reason == "Revisi PK"

    # The signed TW II reads the same, on the Realisasi page and on the cycle page.
    after = client.get(entry_url).get_data(as_text=True)
    assert (_capaian(after, "IKU-02"), _capaian(after, "IKU-01")) == (signed_02, signed_01)
    assert "Negatif" in _row_html(after, "IKU-02")  # the definition as signed
    cycle_page = client.get(f"{BASE}/siklus/{w['cycle_id']}/").get_data(as_text=True)
    assert 'data-testid="signed-figures"' in cycle_page
    row = cycle_page[cycle_page.index('data-testid="signed-IKU-02"'):]
    assert signed_02 in row[:row.index("</tr>")]


def test_an_earlier_quarter_a_signed_kumulatif_figure_rolls_up_is_locked(demo, client):
    w = _sign_tw2(demo)
    with demo.app_context():
        opd = d.tenant(OPD)
        engine.start_cycle(opd, 2026, "triwulan", 1, d.people(opd, {"kepala"})[0])
        period_id = periods.open_period(opd, 2026, 1).id
        message = locks.realisasi_block(opd.id, 2026, 1, w["ind"]["IK-03"])
        assert "ikut dihitung dalam realisasi s.d. TW II" in message
        # Nilai akhir with a TW II value: TW I is not part of the signed figure.
        assert locks.realisasi_block(opd.id, 2026, 1, w["ind"]["IK-05"]) is None
        db.session.commit()
    sign_in(client, KABID_P2P)
    url = f"{BASE}/realisasi/{period_id}/{w['ind']['IK-03']}/"
    refused = post(client, url, {"nilai": "2,5", "revision": "1", "faktor_pendorong": "", "faktor_penghambat": "",
                                 "tindak_lanjut": ""})
    assert refused.status_code == 409  # a cycle holds the value: a conflict, naming it
    assert "ikut dihitung dalam realisasi s.d. TW II" in refused.get_data(as_text=True)
    with demo.app_context():
        rows = realisasi_services.rows_for(d.tenant(OPD), db.session.get(ReportingPeriod, period_id),
                              d.people(d.tenant(OPD), {"kabid"})[0], only=w["ind"]["IK-03"])
        assert rows[0].values[0].nilai == Decimal("23.1")


def test_sign_off_page_shows_the_values_and_needs_the_confirmation(demo, client):
    with demo.app_context():
        opd, cycle, task = _cycle_at("sign")
        cycle_id, task_id = cycle.id, task.id
        db.session.commit()
    sign_in(client, KADIS)
    detail = client.get(f"{BASE}/siklus/{cycle_id}/").get_data(as_text=True)
    assert f"/siklus/{cycle_id}/pengesahan" in detail and 'data-testid="open-signoff"' in detail
    page = client.get(f"{BASE}/siklus/{cycle_id}/pengesahan").get_data(as_text=True)
    for kode in ("IKU-01", "IKU-02", "IK-03"):
        assert f'data-testid="signoff-{kode}"' in page
    row = page[page.index('data-testid="signoff-IK-03"'):]
    row = row[:row.index("</tr>")]
    assert "122,9" in row and "%" in row and "Diverifikasi" in row  # R s.d. TW III: 23,1 + 24,8 + 75
    sidik = re.search(r'name="sidik" type="hidden" value="([0-9a-f]+)"', page).group(1)
    sign_url = f"{BASE}/siklus/{cycle_id}/tugas/{task_id}/sahkan"

    def state():
        with demo.app_context():
            c = db.session.get(Cycle, cycle_id)
            return c.locked, c.revision, db.session.scalar(sa.select(sa.func.count(SignedFigure.id)))

    refused = post(client, sign_url, {"sidik": sidik})
    assert refused.status_code == 422 and "Centang pernyataan" in refused.get_data(as_text=True)
    assert state() == (False, 0, 0)
    stale = post(client, sign_url, {"sidik": "0" * 64, "konfirmasi": "y"})
    assert stale.status_code == 409 and "Data berubah sejak halaman pengesahan dibuka" in stale.get_data(as_text=True)
    assert state() == (False, 0, 0)
    done = client.post(sign_url, data={"sidik": sidik, "konfirmasi": "y", "csrf_token": csrf_token(client, "/")})
    assert done.status_code == 303
    locked, revision, count = state()
    assert locked and revision == 1 and count > 0
    signed_page = client.get(f"{BASE}/siklus/{cycle_id}/pengesahan").get_data(as_text=True)
    assert 'data-testid="signed-figures"' in signed_page and 'data-testid="sign"' not in signed_page


def test_which_earlier_quarters_a_signed_figure_rolls_up():
    from types import SimpleNamespace as Figure  # the fields of SignedFigure / SignedValue rolls_up reads

    Value = Figure

    def figure(sifat, tw2, jenis="angka"):
        return Figure(triwulan=2, sifat=sifat, jenis_target=jenis,
                      values=[Value(triwulan=1, nilai=Decimal(5), predikat=None), tw2])

    filled = Value(triwulan=2, nilai=Decimal(7), predikat=None)
    tidak_berlaku = Value(triwulan=2, nilai=None, predikat=None)  # TW II tidak berlaku: TW I is taken
    assert locks.rolls_up(figure("kumulatif", filled), 1) and locks.rolls_up(figure("rata_rata", filled), 1)
    assert not locks.rolls_up(figure("nilai_akhir", filled), 1)
    assert locks.rolls_up(figure("nilai_akhir", tidak_berlaku), 1)
    assert not locks.rolls_up(figure("nilai_akhir", Value(triwulan=2, nilai=None, predikat="WTP"), "predikat"), 1)
    assert not locks.rolls_up(figure("kumulatif", filled), 2)  # its own quarter: locked by its own cycle
