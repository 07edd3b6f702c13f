"""Each seed SOP, as loaded from tenants/, against facts read from the seed text."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.sop.document import Symbol
from portal.sop.models import Sop
from portal.tenancy.models import Tenant
from tests.seed_facts import SEED_FACTS


def _loaded(app, path):
    folder, _, name = path.split("/")
    key = name.removesuffix(".yaml")
    with app.app_context():
        owner_slugs = [t.slug for t in db.session.scalars(select(Tenant))]
        sop = db.session.scalar(select(Sop).join(Tenant).where(
            Sop.key == key, Sop.is_template.is_(False), Tenant.slug.in_(owner_slugs)))
        assert sop is not None, path
        version = sop.versions[-1]
        return {
            "owner": sop.tenant.slug,
            "nama": version.nama,
            "lanes": [lane.name for lane in version.lanes],
            "steps": [(s.position, s.waktu_amount, s.waktu_unit, s.output, s.symbol,
                       s.return_to.position if s.return_to else None) for s in version.steps],
            "status": version.status,
        }


@pytest.mark.parametrize("path", sorted(SEED_FACTS))
def test_seed_sop_matches_its_seed(demo, path):
    facts = SEED_FACTS[path]
    loaded = _loaded(demo, path)
    assert loaded["status"] == "published"
    assert loaded["nama"].lower() == facts["nama"].lower()
    assert len(loaded["steps"]) == facts["step_count"]
    assert loaded["lanes"] == facts["lane_names"]
    by_no = {s[0]: s for s in loaded["steps"]}
    for sample in facts["samples"]:
        _, amount, unit, output, _, _ = by_no[sample["no"]]
        assert (amount, unit) == (sample["waktu"][0], sample["waktu"][1]), sample
        assert output.lower() == sample["output"].lower(), sample
    decisions = {s[0]: s[5] for s in loaded["steps"] if s[4] == Symbol.KEPUTUSAN}
    assert decisions == facts["decisions"]
    assert loaded["steps"][0][4] == Symbol.MULAI and loaded["steps"][-1][4] == Symbol.SELESAI


def test_pasuruan_sop_belongs_to_the_pemda_and_every_opd_runs_it(demo):
    from portal.sop import services
    with demo.app_context():
        for slug in ("kota-pasuruan-dinkes", "kota-pasuruan-dpupr"):
            opd = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
            version = services.sop_in_force(opd)
            assert version.sop.tenant.slug == "kota-pasuruan", slug
