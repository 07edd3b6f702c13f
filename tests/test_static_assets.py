"""htmx is vendored, pinned and served by the portal itself; no page loads a CDN."""
import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTMX = ROOT / "static" / "vendor" / "htmx-2.0.11.min.js"


def test_vendored_htmx_matches_the_recorded_checksum():
    recorded = re.search(r"htmx-2\.0\.11\.min\.js \|.*\| ([0-9a-f]{64}) \|",
                         (ROOT / "static" / "vendor" / "README.md").read_text()).group(1)
    assert hashlib.sha256(HTMX.read_bytes()).hexdigest() == recorded


def test_login_page_loads_htmx_from_the_portal(client):
    page = client.get("/masuk").get_data(as_text=True)
    assert re.search(r'<script src="/static/vendor/htmx-2\.0\.11\.min\.js\?v=[0-9a-f]{12}"', page)
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_no_template_references_an_external_script_or_stylesheet():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        # Scripts, stylesheets, images and frames only: a link a person follows (a WhatsApp
        # chat on Organisasi) is not something the page loads.
        assert not re.search(r'<(script|img|iframe)\b[^>]*\bsrc="(https?:)?//', text), template
        assert not re.search(r'<link\b[^>]*\bhref="(https?:)?//', text), template


def test_htmx_is_configured_to_swap_422_and_report_errors(client):
    page = client.get("/masuk").get_data(as_text=True)
    assert '{"code": "422", "swap": true}' in page
    assert '"error": true' in page


def test_every_static_file_a_template_names_exists():
    # url_for('static', ...) never checks the file: a renamed stylesheet would 404 unnoticed.
    named = {match for template in (ROOT / "templates").rglob("*.html")
             for match in re.findall(r"url_for\(\s*['\"]static['\"]\s*,\s*filename\s*=\s*['\"]([^'\"]+)['\"]",
                                     template.read_text())}
    assert "indikator.css" in named and "vendor/htmx-2.0.11.min.js" in named  # the test reads the templates
    assert sorted(name for name in named if not (ROOT / "static" / name).is_file()) == []


STATIC_URL = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def _static_urls(client) -> list[str]:
    return sorted(set(STATIC_URL.findall(client.get("/masuk").get_data(as_text=True))))


def test_two_servers_from_their_own_copies_give_the_same_urls_etags_and_304s(tmp_path):
    """Two app instances, each from its own copy of the files with its own mtimes (as two
    servers deployed apart): identical content-hashed URLs and ETags, a 304 from either
    for the other's ETag, and a year's immutable cache for a versioned URL."""
    import os
    import shutil

    from portal import create_app
    from tests.conftest import _config

    apps = []
    for index in range(2):
        static = tmp_path / f"server{index}" / "static"
        shutil.copytree(ROOT / "static", static)
        for path in static.rglob("*"):
            os.utime(path, (1_700_000_000 + index * 86_400,) * 2)  # a different mtime on each server
        app = create_app(_config(f"sqlite:///{tmp_path / f'server{index}.sqlite3'}"))
        app.static_folder = str(static)
        apps.append(app.test_client())
    first, second = apps
    urls = _static_urls(first)
    assert urls == _static_urls(second) and len(urls) >= 3
    css = next(url for url in urls if "portal.css" in url)
    expected = hashlib.sha256((ROOT / "static" / "portal.css").read_bytes()).hexdigest()
    assert css == f"/static/portal.css?v={expected[:12]}"
    for url in urls:
        one, other = first.get(url), second.get(url)
        assert one.status_code == other.status_code == 200
        assert one.headers["ETag"] == other.headers["ETag"]
        assert "immutable" in one.headers["Cache-Control"] and "max-age=31536000" in one.headers["Cache-Control"]
        assert "Last-Modified" not in one.headers
        again = second.get(url, headers={"If-None-Match": one.headers["ETag"]})
        assert again.status_code == 304
    assert first.get("/static/portal.css").headers["ETag"] == f'"{expected}"'
    assert "no-cache" in first.get("/static/portal.css").headers["Cache-Control"]
    assert first.get("/static/tidak-ada.css").status_code == 404
