"""Shared set-up of the export tests: the demo tenants, a signed Triwulan II of Dinas
Kesehatan Kab. Mojokerto (signed through its SOP by tests/cycle_driver.py) with user text
that looks like a formula or a link, and the figures its Realisasi page shows."""
from decimal import Decimal

from sqlalchemy import select

from portal.capaian import figures as capaian_figures
from portal.extensions import db
from portal.indikator import periods
from portal.indikator import services as indicator_services
from portal.indikator.models import IndicatorSet, Indikator, Sasaran
from portal.realisasi import services as realisasi_services
from tests import cycle_driver

SIGNED_OPD = "kab-mojokerto-dinkes"
DRAFT_PEMDA = "kota-pasuruan"
HOSTILE = {"nama": "=1+1", "definisi": "http://x", "faktor": '=HYPERLINK("http://x","klik")', "sasaran": "@SUM(A1)"}


def sign_triwulan_ii() -> None:
    """Sign TW II of the Mojokerto health office with hostile user text in it."""
    opd = cycle_driver.tenant(SIGNED_OPD)
    tset = indicator_services.set_of_year(opd, 2026)
    ind = db.session.scalar(select(Indikator).where(Indikator.set_id == tset.id).order_by(Indikator.position))
    ind.nama, ind.definisi = HOSTILE["nama"], HOSTILE["definisi"]
    db.session.scalar(select(Sasaran).where(Sasaran.id == ind.sasaran_id)).nama = HOSTILE["sasaran"]
    db.session.flush()
    # The hostile faktor is typed in the entry form, so it is in the signed record.
    cycle_driver.run(SIGNED_OPD, no=2, faktor={ind.id: HOSTILE["faktor"]})
    db.session.commit()


def screen_figures(slug: str, tahun: int, triwulan: int) -> dict[str, capaian_figures.Figures]:
    """What the Realisasi page shows for each indicator (realisasi_services.rows_for, as the page reads it)."""
    opd = cycle_driver.tenant(slug)
    period = periods.open_period(opd, tahun, triwulan)
    head = cycle_driver.people(opd, {"kepala"})[0]
    return {r.ind.kode: r.figures for r in realisasi_services.rows_for(opd, period, head, unit_ids=set())}


def indicator_count(slug: str, tahun: int = 2026) -> int:
    opd = cycle_driver.tenant(slug)
    return len(db.session.scalars(select(Indikator.id).join(IndicatorSet, IndicatorSet.id == Indikator.set_id)
                                  .where(IndicatorSet.tenant_id == opd.id, IndicatorSet.tahun == tahun)).all())


def close(a, b) -> bool:
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return ("" if a is None else a) == ("" if b is None else b)


def redefine(slug: str, kode: str, reason: str, **changes) -> None:
    """Change an indicator's definition with a reason, as the indicator page saves it."""
    opd = cycle_driver.tenant(slug)
    tset = indicator_services.set_of_year(opd, 2026)
    ind = db.session.scalar(select(Indikator).where(Indikator.set_id == tset.id, Indikator.kode == kode))
    values = {name: getattr(ind, name) for name in indicator_services.INDIKATOR_FIELDS}
    values.update(changes)
    head = cycle_driver.people(opd, {"kepala"})[0]
    saved, errors = indicator_services.save_indikator(opd, tset, ind, values, head, reason)
    assert saved is not None and errors == {}, errors
    db.session.commit()
