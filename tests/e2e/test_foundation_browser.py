"""Sign in, see only your tenant, switch tenant, 404 on a foreign tenant, expired
session during an htmx request: in a real browser."""
from tests.e2e.conftest import sign_in_page

KABID = "kabid.kesmas@dinkes.mojokerto.test"
DINKES = "/t/kab-mojokerto-dinkes/"
BLITAR = "/t/kota-blitar-dinsos/"


def test_kabid_sees_only_own_opd_and_foreign_url_is_404(new_page):
    page = new_page(KABID)
    assert page.url.endswith(DINKES)
    assert page.get_by_test_id("current-tenant").inner_text() == "Dinas Kesehatan Kabupaten Mojokerto"
    assert "Kepala Bidang" in page.get_by_test_id("signed-in-as").inner_text()
    assert page.get_by_test_id("tenant-switcher").count() == 0  # one tenant only
    response = page.goto(BLITAR)
    assert response.status == 404
    assert "Tidak ditemukan" in page.content()
    assert "Dinas Sosial" not in page.content()


def test_wrong_password_shows_message(new_page):
    page = new_page()
    page.goto("/masuk")
    page.fill("input[name=email]", KABID)
    page.fill("input[name=password]", "bukan-sandinya")
    page.click("button[type=submit]")
    assert page.get_by_test_id("login-error").inner_text() == "Email atau kata sandi salah."


def test_pemda_admin_switches_between_pemda_and_its_opds(new_page):
    page = new_page("admin@pasuruan.test")
    assert page.get_by_role("heading", name="Pilih instansi").is_visible()
    choices = page.locator(".tenant-list a").all_inner_texts()
    assert choices == ["Pemerintah Kota Pasuruan", "Dinas Kesehatan Kota Pasuruan",
                       "Dinas Pekerjaan Umum dan Penataan Ruang Kota Pasuruan"]
    page.get_by_role("link", name="Pemerintah Kota Pasuruan").click()
    page.wait_for_url("**/t/kota-pasuruan/")
    page.get_by_test_id("tenant-switcher").locator("summary").click()
    page.get_by_test_id("tenant-switcher").get_by_role("link", name="Dinas Pekerjaan Umum").click()
    page.wait_for_url("**/t/kota-pasuruan-dpupr/")
    assert "Pekerjaan Umum" in page.get_by_test_id("current-tenant").inner_text()
    assert page.goto("/t/kab-mojokerto-dinkes/").status == 404


def test_logout_elsewhere_then_htmx_request_goes_to_login(new_page):
    page = new_page(KABID)
    # Same person, second tab of the same browser: logging out there ends the session.
    other = page.context.new_page()
    other.goto(DINKES)
    other.get_by_role("button", name="Keluar").click()
    other.wait_for_url("**/masuk")
    # Back in the first tab, an htmx navigation (boosted link) must land on the login page,
    # not swap a login form into the page.
    page.get_by_role("link", name="Beranda instansi").click()
    page.wait_for_url("**/masuk**")
    assert page.locator("input[name=password]").count() == 1
    sign_in_page(page, KABID)
    assert page.url.endswith(DINKES)
