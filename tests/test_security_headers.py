"""Security headers on every kind of answer (page, fragment, download, error, static
file, refusal), HSTS only over TLS, and templates with nothing inline for the CSP to
block (no <script> without src, no <style>, no style= or on*= attributes, no hx-on)."""
import re
from pathlib import Path

import pytest

from tests import world as world_module
from tests.conftest import sign_in
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def _assert_headers(response, what):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "style-src 'self'" in csp, what
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert "frame-ancestors 'none'" in csp, what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy") == "same-origin", what
    assert "Strict-Transport-Security" not in response.headers, f"{what}: HSTS over plain http"


def test_every_kind_of_answer_carries_the_headers(app):
    w = world_module.build(app)
    client = app.test_client()
    anonymous = app.test_client()
    _assert_headers(anonymous.get("/masuk"), "sign-in page")
    _assert_headers(anonymous.get(f"/t/{w.tenant_slug}/"), "redirect to sign-in")
    _assert_headers(anonymous.get("/static/portal.js"), "static file")
    assert sign_in(client, w.emails["perencana"], PASSWORD).status_code == 303
    base = f"/t/{w.tenant_slug}"
    kinds = {
        "page": client.get(f"{base}/indikator/{w.params['set_id']}/"),
        "fragment": client.get(f"{base}/realisasi/{w.params['periode_id']}/{w.params['indikator_id']}/",
                               headers={"HX-Request": "true"}),
        "download": client.get(f"{base}/sop/versi/{w.params['version_id']}/berkas.yaml"),
        "xlsx download": client.get(f"{base}/indikator/{w.params['set_id']}/templat.xlsx"),
        "error page": client.get(f"{base}/sop/versi/999999/"),
        "error fragment": client.get(f"{base}/sop/versi/999999/", headers={"HX-Request": "true"}),
        "refusal (CSRF)": client.post(f"{base}/sop/baru", data={}),
    }
    assert kinds["page"].status_code == 200 and kinds["fragment"].status_code == 200
    assert kinds["download"].status_code == 200 and kinds["error page"].status_code == 404
    for what, response in kinds.items():
        _assert_headers(response, what)


def test_hsts_only_over_tls(app):
    response = app.test_client().get("/masuk", base_url="https://portal.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on*= handler"),
    (re.compile(r"\shx-on", re.I), "hx-on attribute (eval)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize("template", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")))
def test_templates_have_nothing_inline_for_the_csp_to_block(template):
    text = (ROOT / template).read_text()
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert found == [], f"{template}: {found}"


def test_htmx_is_told_not_to_inject_its_indicator_style():
    base = (ROOT / "templates" / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base
