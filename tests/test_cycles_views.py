"""Cycle pages through HTTP: start, timeline, mark a step done with its output, refusals
with messages, the inbox, foreign tenants."""
import io
import re

from sqlalchemy import select

from portal.cycles.models import Cycle
from portal.extensions import db
from tests.conftest import post, sign_in
from tests.cycle_driver import PDF

BASE = "/t/kab-mojokerto-dinkes/siklus"
KADIS = "kadis@dinkes.mojokerto.test"
SEKRETARIS = "sekretaris@dinkes.mojokerto.test"
KABID = "kabid.kesmas@dinkes.mojokerto.test"


def _start(client):
    response = post(client, f"{BASE}/mulai", {"tahun": "2026", "jenis": "triwulan", "nomor": "3"})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def test_start_and_walk_the_first_steps(demo, client):
    sign_in(client, KADIS)
    url = _start(client)
    page = client.get(url).get_data(as_text=True)
    assert "Siklus Triwulan III 2026" in page
    assert 'data-testid="task-1-1"' in page and "sedang berjalan" in page
    task_id = re.search(r"/tugas/(\d+)/selesai", page).group(1)
    done = post(client, f"{url}tugas/{task_id}/selesai",
                {"output": (io.BytesIO(PDF), "disposisi.pdf"), "catatan": "Segera"},
                content_type="multipart/form-data")
    assert done.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "disposisi.pdf" in page and "tugas.selesai" in page
    # Step 2 belongs to the Sekretaris: the Kepala is refused with the reason.
    task_id = re.search(r"/tugas/(\d+)/selesai", page)
    assert task_id is None  # no action form for someone who is not in the step's lane
    with demo.app_context():
        cycle = db.session.scalar(select(Cycle))
        step2 = next(t for t in cycle.tasks if t.position == 2)
        step2_id = step2.id
    refused = post(client, f"{url}tugas/{step2_id}/selesai", {"output": (io.BytesIO(PDF), "x.pdf")},
                   content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "Sekretaris Dinas; peran Anda tidak termasuk" in refused.get_data(as_text=True)


def test_output_must_be_a_real_document(demo, client):
    sign_in(client, KADIS)
    url = _start(client)
    page = client.get(url).get_data(as_text=True)
    task_id = re.search(r"/tugas/(\d+)/selesai", page).group(1)
    refused = post(client, f"{url}tugas/{task_id}/selesai", {"output": (io.BytesIO(b"MZ\x90\x00"), "surat.pdf")},
                   content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "Jenis berkas tidak dikenali dari isinya" in refused.get_data(as_text=True)


def test_inbox_lists_what_my_lanes_must_do(demo, client):
    sign_in(client, KADIS)
    _start(client)
    inbox = client.get("/tugas-saya").get_data(as_text=True)
    assert "Dinas Kesehatan Kabupaten Mojokerto" in inbox and "Memerintahkan Sekretaris" in inbox
    other = demo.test_client()
    sign_in(other, SEKRETARIS)
    assert "Tidak ada tugas yang menunggu Anda." in other.get("/tugas-saya").get_data(as_text=True)


def test_kabid_cannot_start_and_foreign_cycle_is_404(demo, client):
    sign_in(client, KADIS)
    url = _start(client)
    kabid = demo.test_client()
    sign_in(kabid, KABID)
    refused = post(kabid, f"{BASE}/mulai", {"tahun": "2026", "jenis": "triwulan", "nomor": "4"})
    assert refused.status_code == 422
    stranger = demo.test_client()
    sign_in(stranger, "kadis@dinsos.blitar.test")
    assert stranger.get(url).status_code == 404
    cycle_id = url.rstrip("/").rsplit("/", 1)[1]
    assert stranger.get(f"/t/kota-blitar-dinsos/siklus/{cycle_id}/").status_code == 404


def test_bad_period_gets_a_message(demo, client):
    sign_in(client, KADIS)
    response = post(client, f"{BASE}/mulai", {"tahun": "abc", "jenis": "triwulan", "nomor": "1"})
    assert response.status_code == 422 and "Tahun atau periode tidak valid." in response.get_data(as_text=True)
    response = post(client, f"{BASE}/mulai", {"tahun": "2031", "jenis": "triwulan", "nomor": "1"})
    assert response.status_code == 422 and "Belum ada indikator kinerja tahun 2031" in response.get_data(as_text=True)


def test_reviewer_approves_a_whole_unit_at_once(demo, client):
    from portal.cycles import engine, review
    from tests import cycle_driver as d
    with demo.app_context():
        opd = d.tenant("kab-mojokerto-dinkes")
        cycle = engine.start_cycle(opd, 2026, "triwulan", 3, d.people(opd, {"kepala"})[0])
        for _ in range(10):
            task = engine.current_task(cycle)
            if task.step.meaning == "review":
                break
            if task.step.meaning == "manual":
                engine.mark_done(task, d.actor(opd, task), output=d.store_output(opd, "o.pdf", PDF, 10**7))
            else:
                for item in cycle.items:
                    user = d.enterer(opd, item)
                    d.enter_value(item, user)
                    review.submit([item], user)
        db.session.commit()
        cycle_id, task_id = cycle.id, task.id
        kesmas = {i.id for i in cycle.items if i.indikator.unit and i.indikator.unit.key == "kesmas"}
        unit_id = next(i.indikator.unit_id for i in cycle.items if i.id in kesmas)
    sign_in(client, "perencana@dinkes.mojokerto.test")
    page = client.get(f"{BASE}/{cycle_id}/").get_data(as_text=True)
    assert "Setujui semua dari Bidang Kesehatan Masyarakat" in page
    response = post(client, f"{BASE}/{cycle_id}/tugas/{task_id}/reviu", {"setujui_unit": str(unit_id)})
    assert response.status_code == 303
    with demo.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        assert {i.id for i in cycle.items if i.stage == 1} == kesmas
        assert all(i.stage == 0 for i in cycle.items if i.id not in kesmas)


def test_a_missing_wajib_output_is_answered_on_the_cycle_page(demo, client):
    from portal.cycles import engine
    with demo.app_context():
        cycle = db.session.scalar(select(Cycle))
        assert cycle is None
    sign_in(client, KADIS)
    url = _start(client)
    with demo.app_context():
        task = engine.current_task(db.session.scalar(select(Cycle)))
        task.step.output_wajib = True
        db.session.commit()
        output, task_id = task.step.output, task.id
    page = client.get(url).get_data(as_text=True)
    assert f"Dokumen output ({output}, wajib)" in page
    refused = post(client, f"{url}tugas/{task_id}/selesai", {"catatan": "tanpa berkas"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-testid="refused"' in text
    assert f'unggah dokumen output &#34;{output}&#34; (wajib menurut SOP)' in text and "Alur SOP" in text
    with demo.app_context():
        task = engine.current_task(db.session.scalar(select(Cycle)))
        task.step.output_wajib = False
        db.session.commit()
    assert "opsional" in client.get(url).get_data(as_text=True)
    assert post(client, f"{url}tugas/{task_id}/selesai", {"catatan": "tanpa berkas"}).status_code == 303
