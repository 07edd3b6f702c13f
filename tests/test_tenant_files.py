"""flask tenants load: idempotent, reports what it did, and a bad file changes nothing."""
import shutil
import textwrap

import pytest
from sqlalchemy import func, select

from portal.auth.models import Membership, User
from portal.extensions import db
from portal.sop.models import SopVersion
from portal.tenancy.models import Tenant
from tests.conftest import TENANTS

PROVINSI = """\
platform_admins:
  - {email: admin@uji.test, name: Admin Uji, password: rahasia-123}
provinces:
  - slug: prov-uji
    name: Provinsi Uji
    lanes:
      - {key: koordinator, kind: coordinator, name: Koordinator}
    people:
      - {email: koor@uji.test, name: Koor Uji, password: rahasia-123, lanes: [koordinator]}
"""

PEMDA = """\
pemda:
  slug: kota-uji
  name: Pemerintah Kota Uji
  kind: kota
  province: prov-uji
opds:
  - slug: kota-uji-dinas
    name: Dinas Uji
    lanes:
      - {key: kadis, kind: kepala, name: Kepala Dinas}
      - {key: kabid, kind: kabid, name: Kepala Bidang}
    units:
      - {key: bid1, name: Bidang Satu}
    people:
      - {email: kadis@uji.test, name: Kadis Uji, password: rahasia-123, lanes: [kadis]}
      - email: kabid@uji.test
        name: Kabid Uji
        password: rahasia-123
        lanes: [{lane: kabid, unit: bid1}]
"""


def _folder(tmp_path, pemda=PEMDA, provinsi=PROVINSI):
    root = tmp_path / "tenants"
    (root / "kota-uji").mkdir(parents=True)
    (root / "provinsi.yaml").write_text(provinsi)
    (root / "kota-uji" / "pemda.yaml").write_text(pemda)
    return root


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Tenant, User, Membership))


def test_load_creates_then_changes_nothing(app, runner, tmp_path):
    root = _folder(tmp_path)
    first = runner.invoke(args=["tenants", "load", str(root)])
    assert first.exit_code == 0, first.output
    assert "+ instansi kota-uji-dinas (Dinas Uji)" in first.output
    assert "+ keanggotaan kabid@uji.test sebagai Kepala Bidang (Bidang Satu) di kota-uji-dinas" in first.output
    assert _counts(app) == (3, 4, 3)
    second = runner.invoke(args=["tenants", "load", str(root)])
    assert second.exit_code == 0
    assert "Tidak ada perubahan" in second.output
    assert _counts(app) == (3, 4, 3)


def test_load_reports_a_change(app, runner, tmp_path):
    root = _folder(tmp_path)
    runner.invoke(args=["tenants", "load", str(root)])
    (root / "kota-uji" / "pemda.yaml").write_text(PEMDA.replace("name: Dinas Uji", "name: Dinas Uji Baru"))
    result = runner.invoke(args=["tenants", "load", str(root)])
    assert result.exit_code == 0
    assert "~ instansi kota-uji-dinas: name 'Dinas Uji' → 'Dinas Uji Baru'" in result.output


@pytest.mark.parametrize("bad, expected", [
    (PEMDA.replace("kind: kepala", "kind: raja"), "kota-uji/pemda.yaml:10: opds[1].lanes[1].kind: 'raja' tidak dikenal"),
    (PEMDA.replace("lanes: [{lane: kabid, unit: bid1}]", "lanes: [kabid]"),
     "kota-uji/pemda.yaml:19: opds[1].people[2].lanes[1]: peran 'kabid' dipegang untuk sebuah unit"),
    (PEMDA.replace("unit: bid1}", "unit: bid9}"), "unit 'bid9' tidak ada di instansi ini"),
    (PEMDA.replace("province: prov-uji", "province: prov-lain"),
     "kota-uji/pemda.yaml:5: pemda.province: provinsi 'prov-lain' tidak ada di provinsi.yaml"),
    (PEMDA.replace("  name: Pemerintah Kota Uji\n", ""), "kota-uji/pemda.yaml:2: pemda.name: wajib diisi"),
    (PEMDA.replace("kind: kota", "kind: kota\n  kolor: merah"), "kota-uji/pemda.yaml:5: pemda.kolor: kunci tidak dikenal"),
    (PEMDA.replace("opds:", "opds: [\n"), "kota-uji/pemda.yaml"),
    (PEMDA.replace("slug: kota-uji-dinas", "slug: Kota Uji"), "opds[1].slug: 'Kota Uji' bukan slug"),
], ids=["unknown-lane-kind", "kabid-without-unit", "unknown-unit", "unknown-province", "missing-name",
        "unknown-key", "yaml-syntax", "bad-slug"])
def test_bad_file_names_file_line_key_and_changes_nothing(app, runner, tmp_path, bad, expected):
    root = _folder(tmp_path)
    runner.invoke(args=["tenants", "load", str(root)])
    before = _counts(app)
    (root / "kota-uji" / "pemda.yaml").write_text(bad + "  - slug: kota-uji-baru\n    name: Dinas Baru\n"
                                                  if "opds: [" not in bad else bad)
    result = runner.invoke(args=["tenants", "load", str(root)])
    assert result.exit_code == 1
    assert "Tidak ada yang diubah" in result.output
    assert expected in result.output, result.output
    assert _counts(app) == before


def test_bad_sop_file_changes_nothing(app, runner, tmp_path):
    root = _folder(tmp_path, pemda=PEMDA.replace("    name: Dinas Uji\n", "    name: Dinas Uji\n    sop: sop/uji.yaml\n"))
    (root / "kota-uji" / "sop").mkdir()
    (root / "kota-uji" / "sop" / "uji.yaml").write_text(textwrap.dedent("""\
        sop:
          nama: Pengukuran Kinerja
          lanes:
            - {key: kadis, name: Kepala Dinas, kind: kepala}
          steps:
            - {no: 1, kegiatan: Mulai, lanes: [kadis], symbol: mulai, meaning: manual, waktu: {amount: 5, unit: menit}}
            - {no: 2, kegiatan: Periksa, lanes: [kadis], symbol: keputusan, meaning: review, waktu: {amount: 0, unit: jam}}
            - {no: 3, kegiatan: Selesai, lanes: [kadis], symbol: selesai, meaning: archive, waktu: {amount: 1, unit: hari}}
        """))
    result = runner.invoke(args=["tenants", "load", str(root)])
    assert result.exit_code == 1
    assert "kota-uji/sop/uji.yaml:7: sop: Langkah 2: keputusan belum memiliki langkah tujuan jika 'Tidak'." in result.output
    assert "Langkah 2: waktu Mutu Baku harus berupa angka lebih dari 0." in result.output
    assert _counts(app) == (0, 0, 0)


def test_demo_tenants_load_and_reload_without_change(app, runner, tmp_path):
    root = tmp_path / "tenants"
    shutil.copytree(TENANTS, root)
    first = runner.invoke(args=["tenants", "load", str(root)])
    assert first.exit_code == 0, first.output
    with app.app_context():
        versions = db.session.scalar(select(func.count()).select_from(SopVersion))
    assert versions == 4 + 2 * 4  # four agency SOPs, four templates in each province's library
    second = runner.invoke(args=["tenants", "load", str(root)])
    assert second.exit_code == 0 and "Tidak ada perubahan" in second.output, second.output
