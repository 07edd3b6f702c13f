"""What only a browser shows: the Hapus buttons can be seen (their text color is not the
color behind them), and a returned value shows its reason on the Realisasi page and goes
back to review from there."""
from playwright.sync_api import expect

from portal.extensions import db
from tests import cycle_driver
from tests.test_returned_rows import REASON, drive_to_first_return

OPD = "kab-mojokerto-dinkes"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# The text color of an element and the first non-transparent background behind it.
COLORS = """el => {
  let node = el, bg = 'rgba(0, 0, 0, 0)';
  while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
    bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
  }
  return [getComputedStyle(el).color, bg];
}"""


def assert_readable(button):
    expect(button).to_be_visible()
    color, background = button.evaluate(COLORS)
    assert color != background, (button.inner_text(), color, background)


def test_hapus_is_visible_and_a_returned_row_says_why(live_server, new_page):
    with live_server.app.app_context():
        cycle, item, _ = drive_to_first_return()
        kode, email = item.indikator.kode, cycle_driver.enterer(cycle.tenant, item).email
        db.session.commit()

    page = new_page(email)
    page.goto(f"/t/{OPD}/realisasi/")
    row = page.locator(f'[data-testid="realisasi-row"][data-kode="{kode}"]')
    expect(row.get_by_test_id("state")).to_have_text("Dikembalikan")
    expect(row.get_by_test_id("returned-reason")).to_have_text(REASON)
    expect(row.get_by_test_id("returned")).to_contain_text("WIB")

    # A bukti dukung's Hapus can be seen on the white row.
    bukti = row.get_by_test_id("bukti")
    bukti.locator("[data-testid=bukti-upload] input[type=file]").set_input_files(
        {"name": "Laporan perbaikan.pdf", "mimeType": "application/pdf", "buffer": PDF})
    bukti.get_by_role("button", name="Unggah bukti").click()
    expect(bukti.get_by_test_id("bukti-item")).to_contain_text("Laporan perbaikan.pdf")
    assert_readable(bukti.get_by_role("button", name="Hapus"))

    # Corrected and sent back to review from the row.
    row.get_by_test_id("resubmit").click()
    expect(row.get_by_test_id("resubmitted")).to_be_visible()
    expect(row.get_by_test_id("returned")).to_have_count(0)
    expect(row.get_by_test_id("lock")).to_contain_text("sedang direviu")

    # The Hapus of sasaran, indikator and program rows on the indicator page too.
    planner = new_page("perencana@dinkes.mojokerto.test")
    planner.goto(f"/t/{OPD}/indikator/")
    planner.get_by_role("link", name="2026").first.click()
    buttons = planner.locator("button", has_text="Hapus")
    expect(buttons.first).to_be_visible()
    assert buttons.count() >= 3
    for i in range(buttons.count()):
        assert_readable(buttons.nth(i))
