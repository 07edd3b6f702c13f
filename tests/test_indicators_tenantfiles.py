"""Demo indicator files: loaded with the tenants, idempotent, every kind of capaian shown."""
import shutil
from decimal import Decimal

import sqlalchemy as sa

from portal.auth.models import Membership, User
from portal.extensions import db
from portal.indikator import periods
from portal.indikator.models import Indikator, Realisasi, ReportingPeriod
from portal.realisasi import services as realisasi_services
from portal.tenancy.models import Lane, Tenant
from portal.tenantfiles.cli import load_folder
from portal.tenantfiles.reader import read_folder
from tests.conftest import TENANTS, sign_in

OPDS = ["kab-mojokerto-dinkes", "kota-blitar-dinsos", "kota-pasuruan-dinkes", "kota-pasuruan-dpupr",
        "kab-contoh-dinas-contoh"]


def _rows(slug):
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    period = periods.default_period(periods.periods_of(tenant))
    return realisasi_services.rows_for(tenant, period, None)


def test_every_demo_opd_has_an_open_period_and_indicators(demo):
    with demo.app_context():
        for slug in OPDS:
            rows = _rows(slug)
            assert rows, slug
            assert rows[0].period.is_open and (rows[0].period.tahun, rows[0].period.triwulan) == (2026, 2)


def test_demo_shows_capaian_of_every_kind(demo):
    with demo.app_context():
        seen = {}
        for slug in OPDS:
            for row in _rows(slug):
                c = row.figures.capaian
                seen.setdefault(c.rule if c.state == "dihitung" else c.state, f"{slug}/{row.ind.kode}")
        assert {"positif", "negatif", "negatif_inverse", "negatif_t_nol", "rentang", "predikat",
                "belum_diisi", "tidak_berlaku", "tidak_dapat_dihitung"} <= set(seen), seen
        # positive with T = 0 at TW II: tidak dapat dihitung, with the reason
        [ik02] = [r for r in _rows("kota-pasuruan-dpupr") if r.ind.kode == "IK-02"]
        assert ik02.figures.capaian.state == "tidak_dapat_dihitung" and "T = 0" in ik02.figures.capaian.note
        # the placeholder pemda's OPD uses the regional rule, frozen on its indicators
        [neg] = [r for r in _rows("kab-contoh-dinas-contoh") if r.ind.kode == "IK-02"]
        assert neg.ind.rules["ruleset"]["negative_rule"] == "inverse"
        assert neg.figures.capaian.display() == "109,09"      # 12 / 11 × 100


def test_every_unit_with_indicators_has_someone_to_enter_them(demo):
    with demo.app_context():
        for slug in OPDS:
            tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
            units = {i.unit_id for i in db.session.scalars(sa.select(Indikator).where(
                Indikator.tenant_id == tenant.id))}
            enterers = set(db.session.scalars(
                sa.select(Membership.unit_id).join(Lane, Lane.id == Membership.lane_id)
                .where(Membership.tenant_id == tenant.id, Lane.kind.in_(realisasi_services.ENTRY_KINDS))))
            assert units <= enterers, slug


def test_loading_again_changes_nothing_and_keeps_entered_values(demo):
    with demo.app_context():
        row = db.session.scalar(sa.select(Realisasi).join(Indikator, Indikator.id == Realisasi.indikator_id)
                                .where(Indikator.kode == "IKU-01", Realisasi.triwulan == 2).limit(1))
        row.nilai, row.revision = Decimal("1.5"), row.revision + 1
        period = db.session.scalar(sa.select(ReportingPeriod).limit(1))
        periods.close_period(period)
        db.session.commit()
        report, problems = load_folder(str(TENANTS))
        assert problems == [] and report.empty, (report.created, report.changed)
        assert db.session.get(Realisasi, row.id).nilai == Decimal("1.5")
        assert db.session.get(ReportingPeriod, period.id).status == "ditutup"


def test_demo_kabid_enters_data_in_the_browser_flow(demo):
    client = demo.test_client()
    sign_in(client, "kabid.p2p@dinkes.mojokerto.test")
    page = client.get("/t/kab-mojokerto-dinkes/realisasi/").get_data(as_text=True)
    assert "Cakupan imunisasi dasar lengkap" in page and "Prevalensi stunting" not in page
    assert "99,79%" in page and "Negatif, T = 0" in page and 'state-tidak_berlaku">tidak berlaku' in page


def _copy(tmp_path):
    target = tmp_path / "tenants"
    shutil.copytree(TENANTS, target)
    return target


def test_a_bad_indicator_file_names_file_line_and_key(tmp_path):
    folder = _copy(tmp_path)
    bad = folder / "kota-blitar" / "indicators" / "kota-blitar-dinsos.yaml"
    text = bad.read_text(encoding="utf-8")
    text = text.replace("polaritas: negatif", "polaritas: turun", 1)
    text = text.replace("unit: linjamsos", "unit: tidak-ada", 1)
    text = text.replace("{tw: 1, nilai: 38,", "{tw: 1, nilai: abc,", 1)
    bad.write_text(text, encoding="utf-8")
    (folder / "kota-blitar" / "indicators" / "dinas-hilang.yaml").write_text("set_indikator: []\n")
    _, problems = read_folder(folder)
    messages = [str(p) for p in problems]
    lines = text.splitlines()

    def line_of(fragment):
        return next(i for i, line in enumerate(lines, 1) if fragment in line)

    name = "tenants/kota-blitar/indicators/kota-blitar-dinsos.yaml"
    assert f"{name}:{line_of('polaritas: turun')}: set_indikator[1].sasaran[1].indikator[3].polaritas: " \
           "'turun' tidak dikenal; pilihan: positif, negatif" in messages
    assert f"{name}:{line_of('unit: tidak-ada')}: set_indikator[1].sasaran[2].indikator[1].unit: " \
           "unit 'tidak-ada' tidak ada di perangkat daerah ini" in messages
    assert any(m.startswith(f"{name}:{line_of('nilai: abc')}: set_indikator[1].sasaran[1].indikator[3]"
                            ".realisasi[1].nilai: 'abc'") for m in messages), messages
    assert any("dinas-hilang.yaml:1: 'dinas-hilang' bukan slug perangkat daerah" in m for m in messages), messages


def test_a_bad_file_changes_nothing(app, tmp_path):
    folder = _copy(tmp_path)
    bad = folder / "kota-pasuruan" / "indicators" / "kota-pasuruan-dpupr.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("target_pk: 85.5", "target_pk: 85,5,5"),
                   encoding="utf-8")
    with app.app_context():
        report, problems = load_folder(str(folder))
        assert report is None and problems
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
