"""The review and sign-off pages put the facts beside each decision: value, target,
capaian, kategori, bukti dukung (a link to the file), the enterer's notes and the
plausibility checks she confirmed; "Setujui semua yang tidak dikembalikan" decides a
whole review in two choices."""
import sqlalchemy as sa

from portal.cycles import engine, review
from portal.cycles.models import Cycle
from portal.extensions import db
from portal.indikator.models import Realisasi
from tests import cycle_driver as d
from tests.conftest import post, sign_in
from tests.cycle_driver import PDF

OPD = "kab-mojokerto-dinkes"
BASE = f"/t/{OPD}/siklus"
REASON = "Bukti dukung bukan laporan TW III, mohon diganti dengan rekap ASIK"


def _at_first_review(app):
    with app.app_context():
        opd = d.tenant(OPD)
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
        first = cycle.items[0]
        row = db.session.scalar(sa.select(Realisasi).where(Realisasi.indikator_id == first.indikator_id,
                                                           Realisasi.triwulan == 3))
        row.plausibility_flags, row.plausibility_note = "jauh_dari_target", "Ada kampanye imunisasi massal"
        db.session.commit()
        return cycle.id, task.id, [(i.id, i.indikator.kode) for i in cycle.items]


def test_the_review_table_shows_the_facts_and_the_rest_is_approved_at_once(demo, client):
    cycle_id, task_id, items = _at_first_review(demo)
    sign_in(client, "perencana@dinkes.mojokerto.test")
    page = client.get(f"{BASE}/{cycle_id}/").get_data(as_text=True)
    assert "Realisasi TW III" in page and "Target s.d." in page and "Bukti dukung" in page
    assert "Koordinasi lintas bidang" in page and "Pemantauan bulanan" in page     # the enterer's notes
    assert "Dikonfirmasi pengisi: Jauh dari target" in page and "Ada kampanye imunisasi massal" in page
    assert page.count('data-testid="item-value">75<') >= 1
    assert 'textarea name="alasan-' in page and "Setujui semua yang tidak dikembalikan" in page
    returned_id, returned_kode = items[0]
    response = post(client, f"{BASE}/{cycle_id}/tugas/{task_id}/reviu",
                    {f"hasil-{returned_id}": "kembalikan", f"alasan-{returned_id}": REASON, "setujui_sisanya": "1"})
    assert response.status_code == 303, response.get_data(as_text=True)
    with demo.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        states = {i.id: (i.state, i.stage) for i in cycle.items}
    assert states[returned_id][0] == "dikembalikan"
    assert all(stage == 1 for item_id, (state, stage) in states.items() if item_id != returned_id)


def test_the_sign_off_page_shows_bukti_and_faktor(demo, client):
    cycle_id, _, _ = _at_first_review(demo)
    sign_in(client, "kadis@dinkes.mojokerto.test")
    page = client.get(f"{BASE}/{cycle_id}/pengesahan").get_data(as_text=True)
    assert "Bukti dukung" in page and "Faktor dan catatan pengisi" in page
    assert "Koordinasi lintas bidang" in page
