"""No English in the UI: every page a user reaches by links, as each kind of person,
read as text (with placeholders, titles, confirmations) and searched for English words.

The world's data is Indonesian (tests/world.py), so an English word found here comes
from a template or a message of the portal, not from a tenant's SOP or indicators."""
import re

from sqlalchemy import select

from portal.extensions import db
from portal.tenancy.lanes import KIND_LABELS, LaneKind
from portal.tenancy.models import Lane
from tests import world as world_module
from tests.conftest import post, sign_in
from tests.factories import PASSWORD, gen_tree
from tests.ui_text import visible

# Words of English UI chrome. Indonesian words that look English are left out on
# purpose: audit, format, manual, set (set indikator), status, unit, Output (the SOP AP
# column of PermenPANRB 35/2012), No (nomor urut), Baseline (the Renstra column name).
ENGLISH = {
    "lane", "lanes", "draft", "published", "submit", "submitted", "save", "saved", "cancel", "delete",
    "edit", "upload", "download", "review", "approve", "approved", "returned", "pending", "active", "done",
    "task", "tasks", "step", "steps", "inbox", "settings", "none", "true", "false", "null", "error",
    "warning", "required", "invalid", "user", "role", "owner", "template", "dashboard", "home", "back",
    "next", "previous", "yes", "page", "file", "files", "folder", "label", "utc", "holidays", "the", "of",
    "and", "for", "with", "not", "is", "are", "this", "please", "field", "missing", "login", "logout",
}
WORD = re.compile(r"[A-Za-z]+")
DOWNLOAD = re.compile(r"(\.xlsx|\.yaml|/unduh|/output)$")


def _crawl(client, start: list[str], limit: int = 60) -> dict[str, str]:
    """url -> visible text of the HTML pages reached from `start` by same-site links
    (other years of the holiday list and downloads left out)."""
    pages, queue = {}, list(start)
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in pages or "tahun=" in url or "keluar" in url or DOWNLOAD.search(url):
            continue
        response = client.get(url, follow_redirects=True)
        if response.mimetype != "text/html":
            pages[url] = ""
            continue
        pages[url], links = visible(response.get_data(as_text=True))
        queue += [link.split("#")[0] for link in links if link.startswith("/") and not link.startswith("//")]
    return pages


def english_in(text: str) -> set[str]:
    return {w for w in WORD.findall(text) if w.lower() in ENGLISH}


def _tree_with_indonesian_lane_names():
    """The factories name lanes "Lane <kind>"; a tenant names them in Indonesian."""
    tree = gen_tree()
    for lane in db.session.scalars(select(Lane)):
        lane.name = KIND_LABELS[LaneKind(lane.kind)]
    db.session.flush()
    return tree


def test_the_ui_speaks_indonesian(app, monkeypatch):
    monkeypatch.setattr(world_module, "gen_tree", _tree_with_indonesian_lane_names)
    w = world_module.build(app)
    found = {}
    anonymous = app.test_client()
    for url in ("/masuk", "/tidak-ada"):
        text, _ = visible(anonymous.get(url).get_data(as_text=True))
        found.update({f"{url} (anonim)": english_in(text)})
    for actor in ("perencana", "kabid", "coordinator"):
        client = app.test_client()
        assert sign_in(client, w.emails[actor], PASSWORD).status_code == 303
        pages = _crawl(client, ["/", "/tugas-saya", f"/t/{w.tenant_slug}/"])
        assert len(pages) > 10, (actor, list(pages))
        for url, text in pages.items():
            if english_in(text):
                found[f"{url} ({actor})"] = english_in(text)
    # A form sent back with its messages (422) speaks Indonesian too.
    refused = post(client, f"/t/{w.tenant_slug}/hari-libur/", {"tanggal": "kemarin", "jenis": "x"})
    assert refused.status_code == 422
    found["hari-libur 422"] = english_in(visible(refused.get_data(as_text=True))[0])
    found = {k: v for k, v in found.items() if v}
    assert found == {}, found


def test_the_scan_would_notice_english():
    assert english_in("Peran (lane) · Simpan draft") == {"lane", "draft"}
    assert english_in("Set indikator · Jejak audit · Output · No · Status") == set()
