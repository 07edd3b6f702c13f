"""A full cycle under each of the four seed SOPs, with a return loop, start to archive."""
import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.cycles.models import CycleSnapshot
from portal.extensions import db
from tests import cycle_driver

SEED_OPDS = ["kota-blitar-dinsos", "kab-mojokerto-dinkes", "kab-contoh-dinas-contoh", "kota-pasuruan-dinkes"]


@pytest.mark.parametrize("slug", SEED_OPDS)
def test_full_cycle_with_a_return_loop(demo, slug):
    with demo.app_context():
        cycle, log = cycle_driver.run(slug)
        db.session.commit()
        assert cycle.status == "selesai", log
        assert cycle.locked and cycle.revision == 1
        assert all(item.state == "disahkan" for item in cycle.items)
        assert all(task.status == "selesai" for task in cycle.tasks)
        assert any(entry.endswith(":kembalikan") for entry in log), log
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.cycle_id == cycle.id)).all()
        actions = [e.action for e in events]
        decisions = ("data.ajukan", "data.setujui", "data.kembalikan", "siklus.sahkan")
        assert all(e.lane and e.user_id for e in events if e.action in decisions)  # who, in which lane
        assert actions[0] == "siklus.mulai" and "data.kembalikan" in actions and "siklus.sahkan" in actions
        returned = db.session.scalar(select(AuditEvent).where(AuditEvent.cycle_id == cycle.id,
                                                              AuditEvent.action == "data.kembalikan"))
        assert returned.reason == "Bukti dukung belum sesuai definisi operasional" and returned.lane
        snapshots = db.session.scalars(select(CycleSnapshot).where(CycleSnapshot.cycle_id == cycle.id)).all()
        assert len(snapshots) == len(cycle.items)
        # The returned indicator was corrected (a second revision of its value) and submitted again.
        from portal.cycles.models import CycleItem
        from portal.indikator.models import Realisasi
        item = db.session.get(CycleItem, returned.subject_id)
        row = db.session.scalar(select(Realisasi).where(Realisasi.indikator_id == item.indikator_id,
                                                        Realisasi.triwulan == 3))
        assert row.revision == 2
        submissions = [e for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.cycle_id == cycle.id, AuditEvent.action == "data.ajukan", AuditEvent.subject_id == item.id))]
        assert len(submissions) == 2


def test_document_decision_loops_back_under_seed_002(demo):
    with demo.app_context():
        cycle, log = cycle_driver.run("kab-contoh-dinas-contoh")
        assert "4:tidak" in log and "5:tidak" in log
        assert log.index("4:tidak") < log.index("3:done", log.index("4:tidak"))  # step 3 done again
