"""Under the Content-Security-Policy the portal works in a real browser: no violation
is reported while a Kepala Bidang saves realisasi (htmx), meets a conflict (the 409 row
swapped in by portal.js), and opens the SOP document (SVG flowchart) and editor."""
from playwright.sync_api import expect

from tests.e2e.test_data_entry import ENTRY, KABID_P2P, open_form, save

PERENCANA = "perencana@dinkes.mojokerto.test"


def _watch(page, violations):
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))")


def test_pages_and_htmx_work_with_no_csp_violation(new_page):
    violations = []
    first, second = new_page(), new_page()
    for page in (first, second):
        _watch(page, violations)
        page.goto("/masuk")
        page.fill("input[name=email]", KABID_P2P)
        page.fill("input[name=password]", "demo-sakip")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        response = page.goto(ENTRY)
        # The policy is really in force: without the header no violation could be reported.
        assert "script-src 'self'" in response.headers["content-security-policy"]
    a, b = open_form(first, "IK-03"), open_form(second, "IK-03")
    a.locator("[name=nilai]").fill("30")
    save(a)
    expect(a.get_by_test_id("realisasi-tw2")).to_have_text("30")
    b.locator("[name=nilai]").fill("31")
    save(b)
    expect(b.get_by_test_id("conflict")).to_contain_text("Nilai ini sudah diubah")
    # The SOP document (SVG flowchart, print button) and the editor.
    first.goto("/t/kab-mojokerto-dinkes/sop/")
    first.locator("a[href*='/sop/versi/']").first.click()
    first.wait_for_load_state("networkidle")
    assert first.locator("svg").count() > 0  # the flowchart drew
    # The editor, as the Perencana who may edit SOPs.
    editor = new_page(PERENCANA)
    _watch(editor, violations)
    editor.goto("/t/kab-mojokerto-dinkes/sop/")
    editor.get_by_label("Nama SOP baru").fill("Uji CSP")
    editor.get_by_test_id("create-sop").click()
    editor.wait_for_url("**/ubah")
    expect(editor.get_by_test_id("add-step")).to_be_visible()
    assert violations == [], violations
