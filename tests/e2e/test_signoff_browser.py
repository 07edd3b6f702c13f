"""The Kepala Dinas signs with eyes open: the sign-off page shows every indicator's
realisasi, capaian and kategori; signing needs the confirmation; afterwards the cycle
page shows the signed figures."""
from playwright.sync_api import expect

from portal.extensions import db
from tests.test_cycles_rules import _cycle_at

KEPALA = "kadis@dinkes.mojokerto.test"
OPD = "kab-mojokerto-dinkes"


def test_kepala_sees_the_values_confirms_and_signs(live_server, new_page):
    with live_server.app.app_context():
        _, cycle, _ = _cycle_at("sign")  # every value entered and reviewed by the other lanes
        cycle_id = cycle.id
        db.session.commit()
    kepala = new_page(KEPALA)
    kepala.goto(f"/t/{OPD}/siklus/{cycle_id}/")
    kepala.get_by_test_id("open-signoff").click()
    row = kepala.get_by_test_id("signoff-IK-03")
    expect(row.get_by_test_id("signoff-realisasi")).to_have_text("122,9")
    expect(row.get_by_test_id("signoff-capaian")).to_contain_text("%")
    expect(row).to_contain_text("Diverifikasi")
    # Without the confirmation nothing is sent (and the server would refuse it too).
    kepala.get_by_test_id("sign").click()
    expect(kepala.get_by_test_id("signoff-items")).to_be_visible()
    expect(kepala.get_by_test_id("cycle-status")).to_have_count(0)
    capaian = row.get_by_test_id("signoff-capaian").inner_text()
    kepala.get_by_test_id("confirm").check()
    kepala.get_by_test_id("sign").click()
    expect(kepala.get_by_test_id("cycle-status")).to_have_text("disahkan")
    signed = kepala.get_by_test_id("signed-IK-03")
    expect(signed.get_by_test_id("signed-capaian")).to_have_text(capaian)
    expect(signed.get_by_test_id("signed-realisasi")).to_have_text("122,9")
