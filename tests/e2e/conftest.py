"""Browser tests: Debian's chromium driven by Playwright, against the real server
started on a free port, with the demo tenants loaded, on both databases."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import DEMO_PASSWORD, REQUIRE_PG  # noqa: F401 (re-exported for tests)

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"chromium tidak ditemukan di {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(demo):
    """The portal with the demo tenants, served on 127.0.0.1:<free port>."""
    with LiveServer(demo) as server:
        yield server


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies: another person)."""
    contexts = []

    def open_page(email: str | None = None, password: str = DEMO_PASSWORD):
        context = browser.new_context(base_url=live_server.url, locale="id-ID",
                                      viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        if email:
            sign_in_page(page, email, password)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in_page(page, email: str, password: str = DEMO_PASSWORD):
    page.goto("/masuk")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
