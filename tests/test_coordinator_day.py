"""What waits for whom (issue 20, point 3): an SOP awaiting the Kepala is a task on her
home and in "Tugas saya" and a badge on the SOP list; a refused cycle start is explained on
the Siklus page with links; copying a year says targets are not copied; pangkat/golongan
comes from the official list."""
import re

from sqlalchemy import select

from portal.auth import pangkat
from portal.extensions import db
from portal.indikator import copying
from portal.indikator.models import IndicatorSet
from portal.sop import services as sop_services
from tests import cycle_driver as d
from tests.conftest import post, sign_in

OPD = "kab-mojokerto-dinkes"
KADIS = "kadis@dinkes.mojokerto.test"
PERENCANA = "perencana@dinkes.mojokerto.test"


def _new_version_awaiting_kepala(app) -> tuple[int, str]:
    with app.app_context():
        opd = d.tenant(OPD)
        in_force = sop_services.sop_in_force(opd)
        perencana = d.people(opd, {"perencana"})[0]
        draft = sop_services.revise(in_force, perencana.id)
        db.session.flush()
        sop_services.publish(draft, perencana.id)
        db.session.commit()
        return draft.id, f"{draft.nama} versi {draft.number}"


def test_an_sop_awaiting_approval_is_a_task_of_the_kepala(demo, client):
    version_id, name = _new_version_awaiting_kepala(demo)
    sign_in(client, KADIS)
    home = client.get(f"/t/{OPD}/").get_data(as_text=True)
    task = re.search(r'data-testid="sop-approval-task">(.*?)</p>', home, re.S).group(1)
    assert name in task and f"/t/{OPD}/sop/versi/{version_id}/" in task
    assert "Tidak ada tugas yang menunggu Anda" not in home
    inbox = client.get("/tugas-saya").get_data(as_text=True)
    assert 'data-testid="inbox-sop-approvals"' in inbox and name in inbox
    sop_list = client.get(f"/t/{OPD}/sop/").get_data(as_text=True)
    assert "menunggu pengesahan Kepala" in sop_list and 'data-testid="sop-awaiting"' in sop_list
    # Not the Perencana's task: only the lane that signs approves.
    sign_in(client, PERENCANA)
    assert 'data-testid="sop-approval-task"' not in client.get(f"/t/{OPD}/").get_data(as_text=True)
    sign_in(client, KADIS)
    assert post(client, f"/t/{OPD}/sop/versi/{version_id}/sahkan", {}).status_code == 303
    assert 'data-testid="sop-approval-task"' not in client.get(f"/t/{OPD}/").get_data(as_text=True)
    assert 'data-testid="inbox-sop-approvals"' not in client.get("/tugas-saya").get_data(as_text=True)
    assert "menunggu pengesahan Kepala" not in client.get(f"/t/{OPD}/sop/").get_data(as_text=True)


def test_a_refused_cycle_start_says_on_the_siklus_page_what_is_missing(demo, client):
    with demo.app_context():
        opd = d.tenant(OPD)
        source = db.session.scalar(select(IndicatorSet).where(IndicatorSet.tenant_id == opd.id,
                                                              IndicatorSet.tahun == 2026))
        copying.copy_set(opd, source.id, 2027, d.people(opd, {"perencana"})[0])
        db.session.commit()
    sign_in(client, KADIS)
    refused = post(client, f"/t/{OPD}/siklus/mulai", {"tahun": "2027", "jenis": "triwulan", "nomor": "2"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<h1>Siklus Pengukuran Kinerja</h1>" in page
    box = re.search(r'data-testid="start-refused">(.*?)</div>', page, re.S).group(1)
    assert "belum memiliki target PK" in box
    assert re.search(rf'href="/t/{OPD}/indikator/"[^>]*data-testid="fix-indicators"', box)
    assert '<option value="2" selected>II</option>' in page  # what was asked stays chosen
    assert 'value="2027"' in page


def test_copying_a_year_says_targets_are_not_copied(demo, client):
    sign_in(client, PERENCANA)
    page = client.get(f"/t/{OPD}/indikator/").get_data(as_text=True)
    note = re.search(r'data-testid="copy-note">(.*?)</p>', page, re.S)
    assert "Target PK dan target per triwulan tidak disalin" in note.group(1)


def test_pangkat_golongan_from_the_official_list():
    assert len(pangkat.CHOICES) == 17 and pangkat.CHOICES[0] == "Juru Muda (I/a)"
    assert pangkat.read("Pembina Tk. I, IV/b") == ("Pembina Tingkat I (IV/b)", None)
    assert pangkat.read("IV/c") == ("Pembina Utama Muda (IV/c)", None)
    kept, problem = pangkat.read("Pembina (IV/c)")
    assert problem == "Pangkat Pembina adalah golongan IV/a, bukan IV/c (golongan IV/c: Pembina Utama Muda)."
    assert pangkat.is_legacy("Kepala Dinas") and not pangkat.is_legacy("Penata (III/c)")


def test_the_sop_header_refuses_a_pangkat_of_another_golongan(demo, client):
    with demo.app_context():
        opd = d.tenant(OPD)
        draft = sop_services.revise(sop_services.sop_in_force(opd), d.people(opd, {"perencana"})[0].id)
        draft.disahkan_pangkat = "Pembina Utama Madya IV d"  # an old free-text value: shown, may stay
        db.session.commit()
        version_id, revision, nama = draft.id, draft.revision, draft.nama
    sign_in(client, PERENCANA)
    editor = client.get(f"/t/{OPD}/sop/versi/{version_id}/ubah").get_data(as_text=True)
    assert '<option value="Pembina Utama Muda (IV/c)"' in editor
    assert "Pembina Utama Madya IV d (tercatat, bukan dari daftar)</option>" in editor
    url = f"/t/{OPD}/sop/versi/{version_id}/kepala"
    form = {"nama": nama, "revision": str(revision)}
    kept = post(client, url, {**form, "disahkan_pangkat": "Pembina Utama Madya IV d"}, htmx=True)
    assert kept.status_code == 200  # unchanged, it may stay
    typed = post(client, url, {**form, "revision": str(revision + 1), "disahkan_pangkat": "Kepala Dinas"}, htmx=True)
    assert typed.status_code == 422 and "bukan pangkat/golongan PNS" in typed.get_data(as_text=True)
    form["revision"] = str(revision + 1)
    wrong = post(client, url, {**form, "disahkan_pangkat": "Pembina (IV/c)"}, htmx=True)
    assert wrong.status_code == 422 and "Pangkat Pembina adalah golongan IV/a, bukan IV/c" in wrong.get_data(as_text=True)
    right = post(client, url, {**form, "disahkan_pangkat": "Pembina Utama Muda (IV/c)"}, htmx=True)
    assert right.status_code == 200
    with demo.app_context():
        from portal.sop.models import SopVersion
        assert db.session.get(SopVersion, version_id).disahkan_pangkat == "Pembina Utama Muda (IV/c)"
