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
    assert '<script src="/static/vendor/htmx-2.0.11.min.js"' in page
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_no_template_references_an_external_script_or_stylesheet():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', text), template


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
