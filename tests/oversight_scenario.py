"""The Jawa Timur demo as a coordinator should see it: Dinkes Mojokerto has signed TW I
2026, Dinsos Blitar started TW I a month ago and its first step is past its Mutu Baku,
the Pasuruan OPDs have not started. Built through the domain functions."""
from datetime import timedelta

from portal.cycles import engine
from portal.extensions import db
from portal.tenancy.models import utcnow
from tests import cycle_driver


def build(app) -> dict:
    with app.app_context():
        signed, _ = cycle_driver.run("kab-mojokerto-dinkes", 2026, "triwulan", 1, return_once=True)
        blitar = cycle_driver.tenant("kota-blitar-dinsos")
        starter = cycle_driver.people(blitar, engine.step_lane_kinds(cycle_driver._first_step(blitar)))[0]
        late = engine.start_cycle(blitar, 2026, "triwulan", 1, starter, now=utcnow() - timedelta(days=30))
        db.session.commit()
        ids = {"signed": signed.id, "late": late.id}
        db.session.remove()
    return ids


def reopen_one(app, cycle_id: int, unit_key: str, reason: str) -> str:
    """The Kepala reopens the signed cycle for one indicator of the unit; returns its name."""
    from portal.cycles import review
    from portal.cycles.models import Cycle
    from portal.tenancy.models import Unit

    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        opd = cycle.tenant
        unit_id = db.session.scalar(db.select(Unit.id).where(Unit.tenant_id == opd.id, Unit.key == unit_key))
        item = next(i for i in cycle.items if i.indikator.unit_id == unit_id)
        review.reopen(cycle, cycle_driver.people(opd, {"kepala"})[0], reason, [item.id])
        db.session.commit()
        name = item.indikator.nama
        db.session.remove()
    return name
