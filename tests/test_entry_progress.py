"""The entry page says how far a person is ("x dari y terisi") and submits from there,
through the cycle's own submit; capaian waits until the quarter has a value."""
import re

from portal.cycles import engine
from portal.cycles.models import Cycle, ItemState
from portal.extensions import db
from portal.indikator import periods
from tests import cycle_driver as d
from tests.conftest import post, sign_in
from tests.cycle_driver import PDF

OPD = "kab-mojokerto-dinkes"
KABID = "kabid.kesmas@dinkes.mojokerto.test"


def test_x_of_y_filled_and_submit_from_the_entry_page(demo, client):
    with demo.app_context():
        opd = d.tenant(OPD)
        cycle = engine.start_cycle(opd, 2026, "triwulan", 3, d.people(opd, {"kepala"})[0])
        for _ in range(10):
            task = engine.current_task(cycle)
            if task.step.meaning != "manual":
                break
            engine.mark_done(task, d.actor(opd, task), output=d.store_output(opd, "o.pdf", PDF, 10**7))
        mine = [i for i in cycle.items if i.indikator.unit and i.indikator.unit.key == "kesmas"]
        d.enter_value(mine[0], d.enterer(opd, mine[0]))
        period_id = periods.open_period(opd, 2026, 3).id
        db.session.commit()
        cycle_id, first_id, total = cycle.id, mine[0].id, len(mine)
    sign_in(client, KABID)
    page = client.get(f"/t/{OPD}/realisasi/?periode={period_id}").get_data(as_text=True)
    assert f"1 dari {total} indikator terisi" in page
    assert "Ajukan 1 indikator yang sudah terisi" in page
    assert 'data-testid="capaian-pending"' in page            # the other rows: no capaian yet
    items = re.findall(r'name="item" value="(\d+)"', page)
    assert items == [str(first_id)]
    response = post(client, f"/t/{OPD}/siklus/{cycle_id}/ajukan", {"item": items})
    assert response.status_code == 303
    with demo.app_context():
        assert db.session.get(Cycle, cycle_id).items and next(
            i for i in db.session.get(Cycle, cycle_id).items if i.id == first_id).state == ItemState.DIAJUKAN
    page = client.get(f"/t/{OPD}/realisasi/?periode={period_id}").get_data(as_text=True)
    assert "submit-from-entry" not in page                      # nothing filled is left to submit
