"""Every page of the route crawl, as every lane, in chromium on a 360 px phone.

The crawl is the access matrix's (tests/test_access_matrix.py): every GET route with the
sample values of tests/world.py, requested by each actor the route's rule allows, plus
the tenant pages of the pemda and the province for their admin and coordinator. Each
HTML page is reached twice: by a boosted click (htmx swaps the body, as a user clicking
through the portal gets it) and by a full load. Three tests read the one crawl:

- no page is wider than the phone (document scrollWidth <= 360);
- a clicked page has the computed styles of the same page loaded (hx-boost does not
  merge <head>, so a stylesheet only the head of one page names is lost on a click);
- axe-core (tests/e2e/vendor, pinned; never served to production pages) finds no
  serious or critical violation.

SQLite only: the layout, the styles and the markup do not depend on the database, and
both halves would double the slowest browser test for nothing it could find.
"""
import hashlib
import json
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.auth import invitations
from portal.auth.invitation_models import Invitation, JoinInvitation
from portal.auth.models import User
from portal.columns import utcnow
from portal.extensions import db
from portal.tenancy.models import Tenant
from tests import world as world_module
from tests.conftest import _config
from tests.factories import PASSWORD
from tests.test_access_matrix import ACTORS, _expected_allowed, _routes, rule_of_in

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
WIDTH = 360
# Computed properties that show whether a page's stylesheets applied (not layout-dependent sizes).
STYLE_PROPS = ["display", "position", "color", "background-color", "font-weight", "font-size", "padding-left",
               "border-top-style", "text-align", "flex-wrap", "overflow-x"]

FINGERPRINT = """(props) => {
  const out = [];
  for (const el of document.querySelectorAll('main *')) {
    const s = getComputedStyle(el);
    out.push(el.tagName + (el.className && typeof el.className === 'string' ? '.' + el.className.trim() : '') + ' '
             + props.map(p => s.getPropertyValue(p)).join('|'));
  }
  return out;
}"""

BOOSTED_CLICK = """(url) => new Promise((resolve) => {
  const done = (ok) => () => resolve(ok);
  // Settled, and every stylesheet the new body links has loaded (as the user sees it after a moment).
  const loaded = () => Promise.all([...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.sheet ? null
    : new Promise(r => { l.addEventListener('load', r); l.addEventListener('error', r); }))).then(done(true));
  document.body.addEventListener('htmx:afterSettle', loaded, {once: true});
  document.body.addEventListener('htmx:responseError', done(false), {once: true});
  setTimeout(done(false), 10000);
  const a = document.createElement('a');
  a.href = url; a.textContent = 'crawl';
  document.querySelector('main').appendChild(a);
  htmx.process(a);
  a.click();
})"""

# The page's markup without attribute values that change per request (CSRF tokens).
MARKUP = r"""() => document.body.outerHTML.replace(/(value|content)="[^"]*"/g, '')"""

WIDTH_NOW = "() => document.documentElement.scrollWidth"

AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def _pages(app, w) -> dict[str, list[str]]:
    """actor -> the URLs of the GET routes its rule allows (the world's samples)."""
    with app.app_context():
        opd = db.session.scalar(db.select(Tenant).where(Tenant.slug == w.tenant_slug))
        higher = {"pemda_admin": opd.parent.slug, "coordinator": opd.parent.parent.slug}
    pages: dict[str, list[str]] = {}
    for actor in ACTORS:
        if actor == "foreign":
            continue
        urls = []
        for url_rule, method in _routes(app):
            if method != "GET" or url_rule.endpoint == "health.health":
                continue
            if not _expected_allowed(rule_of_in(app, url_rule.endpoint), actor):
                continue
            url = w.url_for(app, url_rule)
            urls.append(url)
            if actor in higher and set(url_rule.arguments) == {"tenant_slug"}:
                urls.append(url.replace(f"/t/{w.tenant_slug}/", f"/t/{higher[actor]}/"))
        pages[actor] = urls
    return pages


def _open_links(app, w) -> dict[str, str]:
    """sample URL -> the same page with a token that works (GET only shows it: nothing is spent)."""
    from datetime import timedelta

    password_token, join_token = invitations.new_token(), invitations.new_token()
    with app.app_context():
        now = utcnow()
        staf = db.session.scalar(db.select(User).where(User.email == w.emails["staf"]))
        db.session.add(Invitation(user_id=staf.id, token_hash=invitations.token_hash(password_token),
                                  purpose="undangan", created_at=now, expires_at=now + timedelta(hours=72)))
        join = db.session.scalar(db.select(JoinInvitation).where(JoinInvitation.email == "diundang@matrix.test"))
        join.token_hash = invitations.token_hash(join_token)
        db.session.commit()
    return {"/undangan/tidak-berlaku": f"/undangan/{password_token}", "/gabung/tidak-berlaku": f"/gabung/{join_token}"}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory, browser):
    """{(actor, url): {"width", "boosted", "loaded", "axe"}} for every HTML page of the crawl.
    The run's one chromium (the `browser` fixture): a second sync Playwright in the same
    process refuses to start while the first one's loop runs."""
    path = tmp_path_factory.mktemp("crawl") / "portal.sqlite3"
    app = create_app(_config(f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
    w = world_module.build(app)
    pages = _pages(app, w)
    # The world's sample token opens nothing (a 410 page); the pages a person reaches from a
    # mail link (set a password, join an agency) are crawled with links that work.
    links = _open_links(app, w)
    pages = {actor: [links.get(url, url) for url in urls] for actor, urls in pages.items()}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    axe_source = AXE.read_text()
    results = {}
    loaded = {}  # markup hash -> what the full load of that page gave
    try:
        for actor, urls in pages.items():
            context = browser.new_context(base_url=base, locale="id-ID",
                                          viewport={"width": WIDTH, "height": 740})
            context.set_default_timeout(15000)
            page = context.new_page()
            if actor != "anonymous":
                page.goto("/masuk")
                page.fill("input[name=email]", w.emails[actor])
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
            else:
                page.goto("/masuk")
            for url in urls:
                head = context.request.get(url, max_redirects=0)
                if head.status != 200 or not head.headers.get("content-type", "").startswith("text/html"):
                    continue
                # Reached by a boosted click (as a user clicking through the portal).
                record = {}
                if page.evaluate("() => !!window.htmx && !!document.querySelector('main')"):
                    assert page.evaluate(BOOSTED_CLICK, url), f"{url} als {actor}: boosted click failed"
                    record["boosted"] = page.evaluate(FINGERPRINT, STYLE_PROPS)
                    record["width"] = page.evaluate(WIDTH_NOW)
                key = hashlib.sha256(page.evaluate(MARKUP).encode()).hexdigest()
                # The same page loaded, axe and the styles of a load: once per distinct
                # markup (many lanes see the same page; the suite stays fast).
                if key not in loaded:
                    page.goto(url)
                    key = hashlib.sha256(page.evaluate(MARKUP).encode()).hexdigest()
                    if not page.evaluate("() => !!window.axe"):
                        page.evaluate(axe_source)
                    loaded[key] = {"loaded": page.evaluate(FINGERPRINT, STYLE_PROPS),
                                   "width": page.evaluate(WIDTH_NOW), "axe": page.evaluate(AXE_RUN)}
                seen = loaded[key]
                record["loaded"] = seen["loaded"]
                record["width"] = max(record.get("width", 0), seen["width"])
                record["axe"] = seen["axe"]
                results[(actor, url)] = record
            context.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert len(results) > 100, len(results)  # the crawl really visited the portal
    for link in ("/undangan/", "/gabung/"):  # the mail links' pages were reached, not their 410
        assert any(url.startswith(link) for _, url in results), f"{link}<token> not crawled"
    return results


def test_every_page_fits_a_360px_phone(crawl):
    wide = sorted(f"{url} als {actor}: {r['width']} px" for (actor, url), r in crawl.items() if r["width"] > WIDTH)
    assert wide == [], f"{len(wide)} of {len(crawl)} pages wider than {WIDTH} px:\n" + "\n".join(wide)


def test_a_clicked_page_has_the_styles_of_the_loaded_page(crawl):
    differ = []
    for (actor, url), r in sorted(crawl.items()):
        if "boosted" not in r or r["boosted"] == r["loaded"]:
            continue
        first = next((f"{a} ≠ {b}" for a, b in zip(r["boosted"], r["loaded"], strict=False) if a != b),
                     f"{len(r['boosted'])} vs {len(r['loaded'])} elements")
        differ.append(f"{url} als {actor}: {first}")
    assert differ == [], f"{len(differ)} clicked pages differ from the loaded page:\n" + "\n".join(differ)


def test_no_serious_or_critical_axe_violation_on_any_page(crawl):
    found = sorted(f"{url} als {actor}: {json.dumps(r['axe'])}" for (actor, url), r in crawl.items() if r["axe"])
    count = sum(len(r["axe"]) for r in crawl.values())
    assert found == [], f"{count} axe violations on {len(found)} pages:\n" + "\n".join(found)
