"""The SOP editor as its users meet it: in-place saves, messages, conflicts, publish, revise."""
import re

from sqlalchemy import select

from portal.extensions import db
from portal.sop.models import Sop, SopStep, SopVersion
from tests.conftest import post, sign_in

OPD = "/t/kab-mojokerto-dinkes/sop"
PERENCANA = "perencana@dinkes.mojokerto.test"
SEKRETARIS = "sekretaris@dinkes.mojokerto.test"
KABID = "kabid.kesmas@dinkes.mojokerto.test"


def _new_draft(client) -> str:
    response = post(client, f"{OPD}/baru", {"nama": "Pengukuran Kinerja Uji"})
    assert response.status_code == 303
    return response.headers["Location"].rsplit("/ubah", 1)[0]  # .../sop/versi/<id>


def _lane(client, base, name, kind, expect=200):
    response = post(client, f"{base}/pelaksana", {"name": name, "kind": kind}, htmx=True)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response


def _step(client, base, expect=200, **fields):
    data = {"symbol": "proses", "meaning": "manual", "waktu_unit": "hari", "waktu_amount": "1", **fields}
    response = post(client, f"{base}/langkah", data, htmx=True)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response


def _version(app, base) -> SopVersion:
    version_id = int(base.rsplit("/", 1)[1])
    return db.session.get(SopVersion, version_id)


def _step_ids(app, base) -> list[int]:
    with app.app_context():
        return [s.id for s in _version(app, base).steps]


def _build_five_lane_sop(app, client) -> str:
    base = _new_draft(client)
    for name, kind in [("Kadinkes", "kepala"), ("Sekdin", "sekretaris"), ("JF Perencana Madya", "perencana"),
                       ("Tim Evaluasi Kinerja", "tim_sakip"), ("Pengelola Data", "staf")]:
        _lane(client, base, name, kind)
    keys = re.findall(r'name="lanes" value="([^"]+)"', post(client, f"{base}/pelaksana", {}, htmx=True)
                      .get_data(as_text=True))[:5]
    kadin, sekdin, jfp, tim, data = keys
    _step(client, base, kegiatan="Menerbitkan disposisi pengukuran", lanes=[kadin], symbol="mulai", waktu_amount="1")
    _step(client, base, kegiatan="Mengisi realisasi triwulan", lanes=[data], meaning="collect", waktu_amount="5",
          waktu_unit="hari_kerja")
    _step(client, base, kegiatan="Rapat reviu capaian triwulanan", lanes=[sekdin, jfp, tim], repeat="triwulan",
          waktu_amount="1", waktu_unit="hari")
    ids = _step_ids(app, base)
    _step(client, base, kegiatan="Memverifikasi data", lanes=[tim], symbol="keputusan", meaning="review",
          return_to=str(ids[1]), waktu_amount="2")
    ids = _step_ids(app, base)
    _step(client, base, kegiatan="Memeriksa dokumen pengukuran", lanes=[sekdin], symbol="keputusan",
          meaning="review", return_to=str(ids[3]), waktu_amount="1")
    _step(client, base, kegiatan="Menandatangani dokumen", lanes=[kadin], symbol="selesai", meaning="sign",
          waktu_amount="1")
    return base


def test_plan_enter_publish_and_revise(demo, client):
    app = demo
    sign_in(client, PERENCANA)
    base = _build_five_lane_sop(app, client)
    response = post(client, f"{base}/terbitkan", htmx=True)
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith(f"{base}/")
    document = client.get(f"{base}/").get_data(as_text=True)
    for text in ("Tim Evaluasi Kinerja", "Rapat reviu capaian triwulanan", "5 hari kerja", "Pengelola Data"):
        assert text in document
    with app.app_context():
        version = _version(app, base)
        assert version.status == "published" and version.published_by.email == PERENCANA
        assert [s.return_to.position for s in version.steps if s.symbol == "keputusan"] == [2, 4]
        sop_id = version.sop_id
    # Revise: a new draft; the published version stays as it was.
    revise = post(client, f"{base}/revisi")
    assert revise.status_code == 303 and "/ubah" in revise.headers["Location"]
    versions = client.get(f"{OPD}/{sop_id}/").get_data(as_text=True)
    assert versions.count("<td>1</td>") == 1 and versions.count("<td>2</td>") == 1
    with app.app_context():
        sop = db.session.get(Sop, sop_id)
        assert [(v.number, v.status) for v in sop.versions] == [(1, "published"), (2, "draft")]
        assert len(sop.versions[1].steps) == 6


def test_publish_lists_every_problem(demo, client):
    app = demo
    sign_in(client, PERENCANA)
    base = _new_draft(client)
    _lane(client, base, "Gubernur", "kepala")
    _step(client, base, kegiatan="Langkah tanpa pelaksana", symbol="proses")
    _step(client, base, kegiatan="Keputusan tanpa tujuan", symbol="keputusan", meaning="review")
    response = post(client, f"{base}/terbitkan", htmx=True)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    for message in ("Langkah pertama harus bersimbol Mulai.", "Langkah terakhir harus bersimbol Selesai.",
                    "Langkah 1: belum ada pelaksana.",
                    "Langkah 2: keputusan belum memiliki langkah tujuan jika &#39;Tidak&#39;."):
        assert message in text, message
    with app.app_context():
        assert _version(app, base).status == "draft"


def test_lane_nobody_can_hold_and_return_step_not_earlier(demo, client):
    app = demo
    sign_in(client, "perencana@dinsos.blitar.test")  # Dinas Sosial Blitar has no Tim SAKIP lane
    response = post(client, "/t/kota-blitar-dinsos/sop/baru", {"nama": "SOP Uji"})
    base = response.headers["Location"].rsplit("/ubah", 1)[0]
    _lane(client, base, "Tim SAKIP", "tim_sakip")
    key = re.search(r'name="lanes" value="([^"]+)"', post(client, f"{base}/pelaksana", {}, htmx=True)
                    .get_data(as_text=True)).group(1)
    _step(client, base, kegiatan="Mulai", lanes=[key], symbol="mulai")
    _step(client, base, kegiatan="Isi", lanes=[key])
    ids = _step_ids(app, base)
    _step(client, base, kegiatan="Periksa", lanes=[key], symbol="keputusan", return_to=str(ids[1]))
    _step(client, base, kegiatan="Selesai", lanes=[key], symbol="selesai")
    ids = _step_ids(app, base)
    # Move the decision above its return step: "Tidak" would now point forward.
    assert post(client, f"{base}/langkah/{ids[2]}/geser", {"arah": "naik"}, htmx=True).status_code == 200
    text = post(client, f"{base}/terbitkan", htmx=True).get_data(as_text=True)
    assert "tidak ada peran jenis &#39;tim_sakip&#39; di instansi ini" in text
    assert "Langkah 2: jika &#39;Tidak&#39; harus kembali ke langkah sebelumnya (bukan 3)." in text


def test_bad_input_keeps_what_was_typed(demo, client):
    app = demo
    sign_in(client, PERENCANA)
    base = _new_draft(client)
    assert b"Pilih jenis peran pelaksana." in _lane(client, base, "Kepala", "", expect=422).data
    _lane(client, base, "Kepala", "kepala")
    response = _step(client, base, expect=422, kegiatan="Rapat pembahasan yang panjang", waktu_amount="abc")
    text = response.get_data(as_text=True)
    assert "Waktu harus berupa angka, misalnya 30 atau 1,5." in text
    assert "Rapat pembahasan yang panjang" in text
    assert "Waktu harus lebih dari 0." in _step(client, base, expect=422, kegiatan="X", waktu_amount="-5").get_data(
        as_text=True)
    with app.app_context():
        assert _version(app, base).steps == []


def test_second_editor_of_the_same_step_is_told_and_nothing_is_overwritten(demo, client):
    app = demo
    sign_in(client, PERENCANA)
    base = _build_five_lane_sop(app, client)
    step_id = _step_ids(app, base)[1]
    other = app.test_client()
    sign_in(other, SEKRETARIS)
    form_a = client.get(f"{base}/langkah/{step_id}/ubah", headers={"HX-Request": "true"}).get_data(as_text=True)
    form_b = other.get(f"{base}/langkah/{step_id}/ubah", headers={"HX-Request": "true"}).get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', form_a).group(1)
    assert revision == re.search(r'name="revision" value="(\d+)"', form_b).group(1)
    fields = {"symbol": "proses", "meaning": "collect", "waktu_unit": "hari", "waktu_amount": "5",
              "lanes": [], "revision": revision}
    first = post(other, f"{base}/langkah/{step_id}", {**fields, "kegiatan": "Versi Sekretaris"}, htmx=True)
    assert first.status_code == 200
    second = post(client, f"{base}/langkah/{step_id}", {**fields, "kegiatan": "Versi Perencana"}, htmx=True)
    assert second.status_code == 409 and second.headers["X-Portal-Form-Again"] == "1"
    text = second.get_data(as_text=True)
    assert "Sudah diubah oleh Dwi Lestari Handayani, S.KM., M.Kes." in text
    assert "Versi Sekretaris" in text and "Versi Perencana" in text
    with app.app_context():
        assert db.session.get(SopStep, step_id).kegiatan == "Versi Sekretaris"


def test_published_version_cannot_be_changed(demo, client):
    app = demo
    sign_in(client, PERENCANA)
    with app.app_context():
        version = db.session.scalar(select(SopVersion).join(Sop).where(Sop.key == "dinkes"))
        version_id, step_id, kegiatan = version.id, version.steps[0].id, version.steps[0].kegiatan
    response = post(client, f"{OPD}/versi/{version_id}/langkah/{step_id}", {"kegiatan": "Diubah diam-diam"},
                    htmx=True)
    assert response.status_code == 409
    editor = client.get(f"{OPD}/versi/{version_id}/ubah")
    assert editor.status_code == 303 and editor.headers["Location"].endswith(f"/versi/{version_id}/")
    with app.app_context():
        assert db.session.get(SopStep, step_id).kegiatan == kegiatan


def test_kabid_cannot_edit_sop(demo, client):
    sign_in(client, KABID)
    assert post(client, f"{OPD}/baru", {"nama": "X"}).status_code == 403
    assert "Buat draf SOP" not in client.get(f"{OPD}/").get_data(as_text=True)
