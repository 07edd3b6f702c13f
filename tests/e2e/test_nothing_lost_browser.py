"""Nothing typed is lost, in a real browser (demo data, Kabid P2P of Dinas Kesehatan
Kab. Mojokerto): the session ends while a form is open, Simpan sends to the sign-in page,
and after signing in the form is open again with the text; a proxy's 502 keeps the form
and says in Indonesian that nothing was saved; 12.500 on a % indicator asks first."""
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from portal.auth.models import LoginSession
from portal.columns import utcnow
from portal.extensions import db
from tests.conftest import DEMO_PASSWORD
from tests.e2e.test_data_entry import ENTRY, KABID_P2P, PDF, open_form, row, save

TEXT = "Sweeping imunisasi di 5 desa; kader posyandu dilatih ulang"


def test_text_typed_before_the_session_ended_is_there_after_signing_in(new_page, live_server):
    page = new_page(KABID_P2P)
    page.goto(ENTRY)
    r = open_form(page, "IK-03")
    expect(r.locator("[name=nilai]")).to_be_focused()          # focus moved into the opened form
    r.locator("[name=nilai]").fill("25,1")
    r.locator("[name=faktor_pendorong]").fill(TEXT)
    with live_server.app.app_context():                          # the session ends (idle, logout elsewhere)
        db.session.execute(sa.update(LoginSession).where(LoginSession.ended_at.is_(None)).values(ended_at=utcnow()))
        db.session.commit()
    save(r)
    page.wait_for_url(re.compile(r"/masuk\?next="))
    page.fill("input[name=email]", KABID_P2P)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(ENTRY) + "$"))
    r = row(page, "IK-03")
    expect(r.get_by_test_id("draft-restored")).to_be_visible()
    expect(r.locator("[name=faktor_pendorong]")).to_have_value(TEXT)
    expect(r.locator("[name=nilai]")).to_have_value("25,1")
    save(r)
    expect(r.get_by_test_id("realisasi-form")).to_have_count(0)
    expect(r).to_contain_text(TEXT)
    expect(r.locator("h3")).to_be_focused()                     # focus back on the row after the save
    # Saved: the draft is gone, a reload opens nothing.
    page.reload()
    expect(row(page, "IK-03").get_by_test_id("realisasi-form")).to_have_count(0)


def test_a_proxy_error_keeps_the_form_and_says_why_in_indonesian(new_page):
    page = new_page(KABID_P2P)
    page.goto(ENTRY)
    r = open_form(page, "IK-03")
    r.locator("[name=faktor_pendorong]").fill(TEXT)
    page.route("**/realisasi/*/*/", lambda route: route.fulfill(
        status=502, content_type="text/html", body="<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>")
        if route.request.method == "POST" else route.continue_())
    save(r)
    message = page.locator("#flash .flash.error")
    # The proxy cannot know whether the portal saved before it died: the page says so.
    expect(message).to_contain_text("Belum pasti tersimpan")
    expect(message).to_contain_text("kode 502")
    expect(message).to_contain_text("tidak menyimpannya dua kali")
    expect(message).not_to_contain_text("nginx")
    expect(r.locator("[name=faktor_pendorong]")).to_have_value(TEXT)
    expect(r.get_by_role("button", name="Simpan", exact=True)).to_be_enabled()   # busy state ended


def test_twelve_thousand_five_hundred_on_a_percent_indicator_asks_before_saving(new_page):
    page = new_page(KABID_P2P)
    page.goto(ENTRY)
    r = open_form(page, "IK-03")
    r.locator("[name=nilai]").fill("12.500")
    save(r)
    warning = r.get_by_test_id("plausibility")
    expect(warning).to_contain_text("Jika maksud Anda 12,5")
    expect(r.locator("[name=catatan_kewajaran]")).to_be_focused()
    r.locator("[name=nilai]").fill("25,1")
    r.get_by_role("button", name="Simpan dengan catatan").click()
    expect(r.get_by_test_id("realisasi-form")).to_have_count(0)


def test_a_slow_upload_shows_progress_and_its_button_waits(new_page):
    page = new_page(KABID_P2P)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(ENTRY)
    bukti = row(page, "IK-03").get_by_test_id("bukti")
    held = []
    page.route("**/bukti/*/*/", lambda route: held.append(route) if route.request.method == "POST"
               else route.continue_())                                       # the upload's answer waits
    bukti.locator("[data-testid=bukti-upload] input[type=file]").set_input_files(
        {"name": "Foto posyandu.pdf", "mimeType": "application/pdf", "buffer": PDF + b"0" * 400_000})
    button = bukti.get_by_role("button", name="Unggah bukti")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360                      # on the phone's screen
    button.click()
    expect(bukti.get_by_test_id("upload-progress")).to_contain_text(re.compile(r"Mengunggah \d+ %|Memeriksa"))
    expect(button).to_be_disabled()
    assert held, "the upload request was not sent"
    held[0].continue_()
    expect(bukti.get_by_test_id("bukti-item")).to_contain_text("Foto posyandu.pdf")
    expect(bukti.get_by_test_id("upload-progress")).to_have_count(0)
