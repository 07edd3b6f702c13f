"""Every registered route, requested as everyone who might try it.

Each route must declare a rule (portal.access.rule). For each route and method the test
asks as anonymous, as every lane of the tenant in the URL, as the pemda admin and the
coordinator above it, and as a user of a foreign tenant; it asserts the status and, for
every refused request, that the database did not change.

A 409 or 422 is not "allowed": it is the domain refusing the (empty) request for its
input or state, so like a refusal it must leave the database as it was. Who may act in a
cycle is answered 403 by portal/cycles/policy.py and the cycle routes declare the
capability it checks, so a pemda admin or coordinator allowed to review or sign would
show here as a failure (the full lane x action matrix is tests/test_cycle_policy.py).
"""
import hashlib
import sqlite3

import sqlalchemy as sa

from portal.access import _parse, rule_of
from portal.extensions import db
from portal.tenancy.lanes import KIND_CAPABILITIES, KIND_CAPABILITIES_BELOW, Capability, LaneKind
from tests import world as world_module
from tests.conftest import sign_in, sqlite_copy, truncate_postgres
from tests.factories import PASSWORD

# Status codes that mean "refused".
REFUSED = {401, 403, 404, 405}
# The domain refused the input or the state (a conflict, invalid input, an invitation
# link that is used or expired): nothing may change.
DECLINED = {409, 410, 422}


class Snapshots:
    """Exact change detection for "a refusal changes nothing", at one digest per check.

    A digest covers every row of every table (except sign-in bookkeeping). The digest of
    the world before a request is the one taken after the previous request when nothing
    was committed since, so each checked request costs one digest, not two. On SQLite a
    dedicated read-only connection asks `PRAGMA data_version`, which changes exactly when
    another connection committed to the file: while it stays the same the digest cannot
    have changed and is not recomputed. On PostgreSQL the server digests every table in
    one query (md5 over the text of every row, sorted), one round trip per check.
    """

    SKIP = {"login_session", "login_failure"}

    def __init__(self, app):
        self.app = app
        with app.app_context():
            self.dialect = db.engine.dialect.name
            self.tables = [t.name for t in db.metadata.sorted_tables if t.name not in self.SKIP]
            database = db.engine.url.database
        self.conn = sqlite3.connect(database, isolation_level=None) if self.dialect == "sqlite" else None
        self.version = None
        self.digest = None

    def close(self):
        if self.conn is not None:
            self.conn.close()

    def _version(self):
        return self.conn.execute("PRAGMA data_version").fetchone()[0] if self.conn is not None else None

    def _compute(self) -> str:
        if self.conn is not None:
            digest = hashlib.sha256()
            for name in self.tables:
                rows = sorted(self.conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                digest.update(f"{name}:{rows!r}".encode())
            return digest.hexdigest()
        parts = " UNION ALL ".join(
            f"SELECT {i} AS n, md5(coalesce(string_agg(snap_row::text, chr(10) ORDER BY snap_row::text), '')) AS d "
            f'FROM "{name}" snap_row' for i, name in enumerate(self.tables))
        with self.app.app_context():
            with db.engine.connect() as conn:
                rows = conn.exec_driver_sql(f"SELECT string_agg(d, ',' ORDER BY n) FROM ({parts}) s").scalar()
        return rows

    def current(self) -> str:
        """The digest of the database now: the last one while nothing can have changed."""
        if self.digest is None or (self.conn is not None and self._version() != self.version):
            return self.refresh()
        return self.digest

    def refresh(self) -> str:
        """The digest after a request (SQLite: recomputed only when something was committed)."""
        version = self._version()
        if self.digest is None or self.conn is None or version != self.version:
            self.digest = self._compute()
            self.version = version
        return self.digest

    def unchecked(self):
        """After a request nobody checked: SQLite's data_version tells whether it wrote,
        PostgreSQL cannot, so the next check digests afresh."""
        if self.conn is None:
            self.digest = None

    def forget(self):
        self.digest = None


def _routes(app):
    out = []
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint == "static":
            continue
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            out.append((url_rule, method))
    return out


def test_every_route_declares_an_access_rule(app):
    missing = [r.endpoint for r, _ in _routes(app) if rule_of_in(app, r.endpoint) is None]
    assert missing == [], f"routes without an access rule: {missing}"


def rule_of_in(app, endpoint):
    with app.test_request_context():
        return rule_of(endpoint)


def _expected_allowed(spec: str, actor: str) -> bool:
    kind, cap = _parse(spec)
    if kind == "public":
        return True
    if actor == "anonymous":
        return False
    if kind == "signed_in":
        return True
    if kind == "platform":
        return False  # no actor of the matrix is a platform admin
    if actor == "foreign":
        return False
    if actor in ("pemda_admin", "coordinator"):
        caps = KIND_CAPABILITIES_BELOW[LaneKind(actor)]
    else:
        caps = KIND_CAPABILITIES[LaneKind(actor)]
    return Capability.VIEW in caps and (cap is None or cap in caps)


ACTORS = ["anonymous", "foreign", "pemda_admin", "coordinator"] + [
    k.value for k in LaneKind if k not in (LaneKind.PEMDA_ADMIN, LaneKind.COORDINATOR)]


class World:
    """The world of tests/world.py, built once and put back after a request changed it.

    SQLite keeps a copy of the freshly built file and restores it with SQLite's backup
    API (page for page the world as built). PostgreSQL empties every table (the audit log
    refuses DELETE, so it truncates) and builds the world again.
    """

    def __init__(self, app, tmp_path):
        self.app = app
        self.w = world_module.build(app)
        with app.app_context():
            self.sqlite = db.engine.dialect.name == "sqlite"
            self.path = db.engine.url.database
        self.template = None
        if self.sqlite:
            self.template = str(tmp_path / "world.sqlite3")
            self._copy(self.path, self.template)

    def _copy(self, source, target):
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        sqlite_copy(source, target)

    def reset(self):
        if self.sqlite:
            self._copy(self.template, self.path)
            return
        truncate_postgres(self.app)
        self.w = world_module.build(self.app)


class Clients:
    """A test client per actor, signed in once and reused while its sign-in lives.

    Any request that starts, ends or removes a sign-in session (a logout, a person
    removed, an invitation accepted) makes every client sign in again, and so does a
    reset of the world.
    """

    def __init__(self, app, world):
        self.app, self.world = app, world
        self.clients = {}
        self.sessions = None

    def _sessions(self):
        with self.app.app_context():
            rows = db.session.execute(sa.text("SELECT id, ended_at FROM login_session ORDER BY id")).all()
            db.session.remove()
        return [tuple(row) for row in rows]

    def get(self, actor):
        """(client, CSRF token) of the actor."""
        if actor not in self.clients:
            w = self.world.w
            client = self.app.test_client()
            if actor != "anonymous":
                assert sign_in(client, w.emails[actor], PASSWORD).status_code == 303, actor
            self.clients[actor] = (client, w.csrf(client))
            self.sessions = self._sessions()
        return self.clients[actor]

    def after_request(self):
        if self.clients and self._sessions() != self.sessions:
            self.clients.clear()

    def forget(self):
        self.clients.clear()


def test_access_matrix(app, tmp_path):
    failures = []
    world = World(app, tmp_path)
    clients = Clients(app, world)
    snapshots = Snapshots(app)
    try:
        for url_rule, method in _routes(app):
            spec = rule_of_in(app, url_rule.endpoint)
            # Refused actors first (the world stays as built); each allowed request may
            # change the world, so it is put back after every one that did.
            actors = sorted(ACTORS, key=lambda a: _expected_allowed(spec, a))
            for actor in actors:
                allowed = _expected_allowed(spec, actor)
                checked = method != "GET" or not allowed
                client, token = clients.get(actor)
                url = world.w.url_for(app, url_rule)  # a rebuilt world has other slugs
                before = snapshots.current() if checked else None
                headers = {"X-CSRFToken": token} if method != "GET" else {}
                response = client.open(url, method=method, headers=headers, data={})
                status = response.status_code
                if allowed:
                    ok = status < 400 or status in DECLINED
                elif actor == "anonymous":
                    ok = status in (302, 303) and "/masuk" in response.headers.get("Location", "")
                elif actor == "foreign" or "tenant_slug" not in url_rule.arguments:
                    ok = status == 404
                else:
                    ok = status == 403
                changed = checked and snapshots.refresh() != before
                if not checked:
                    snapshots.unchecked()
                if changed and (not allowed or status in DECLINED):
                    failures.append(f"{method} {url} as {actor}: refused ({status}) but the database changed")
                if not ok:
                    failures.append(f"{method} {url} as {actor}: status {status}, rule {spec!r}, "
                                    f"expected {'allowed' if allowed else 'refused'}")
                if changed:
                    world.reset()
                    clients.forget()
                    snapshots.forget()
                else:
                    clients.after_request()
    finally:
        snapshots.close()
    assert failures == [], "\n".join(failures)


SHEET_NAMING_OTHERS = ("nama,NIP,email,peran,unit\n"
                       "Nama Ketikan Satu,,foreign@matrix.test,Lane staf,Bidang Satu\n"
                       "Nama Ketikan Dua,,platform@matrix.test,Lane staf,Bidang Satu\n")


def test_people_sheets_naming_other_tenants_accounts_and_platform_admins(app):
    """Every actor posts a people sheet naming another pemda's account and a platform
    admin (issue 25): those who may manage people get invitations and nothing else (no
    membership, no account changed, no name of theirs shown); everyone else is refused
    and nothing changes."""
    import io

    from tests.factories import gen_user

    w = world_module.build(app)
    with app.app_context():
        gen_user("platform@matrix.test", name="Admin Platform Rahasia", is_platform_admin=True)
        db.session.commit()

    def accounts():
        with app.app_context():
            rows = db.session.execute(sa.text(
                "SELECT u.email, u.name, u.nip, u.jabatan, u.password_hash, m.tenant_id, m.lane_id FROM user_account u "
                "LEFT JOIN membership m ON m.user_id = u.id WHERE u.email IN "
                "('foreign@matrix.test', 'platform@matrix.test') ORDER BY 1, 6, 7")).all()
            db.session.remove()
        return [tuple(r) for r in rows]

    before = accounts()
    failures = []
    for actor in ACTORS:
        client = app.test_client()
        if actor != "anonymous":
            assert sign_in(client, w.emails[actor], PASSWORD).status_code == 303, actor
        token = w.csrf(client)
        response = client.post(f"/t/{w.tenant_slug}/orang/impor", headers={"X-CSRFToken": token},
                               data={"berkas": (io.BytesIO(SHEET_NAMING_OTHERS.encode()), "orang.csv")},
                               content_type="multipart/form-data")
        allowed = _expected_allowed("tenant:manage_tenant", actor)
        expected = (303,) if allowed else ((302, 303) if actor == "anonymous" else (404,) if actor == "foreign"
                                          else (403,))
        if response.status_code not in expected:
            failures.append(f"{actor}: {response.status_code}, expected {expected}")
        if accounts() != before:
            failures.append(f"{actor}: an account named by the sheet changed")
        if allowed:
            page = client.get(f"/t/{w.tenant_slug}/orang/").get_data(as_text=True)
            for secret in ("Admin Platform Rahasia", "Dinas Asing"):
                if secret in page:
                    failures.append(f"{actor}: the people page shows {secret!r}")
            with app.app_context():
                db.session.execute(sa.text("UPDATE join_invitation SET ended_at = created_at "
                                           "WHERE email LIKE '%@matrix.test' AND ended_at IS NULL "
                                           "AND email != 'diundang@matrix.test'"))
                db.session.commit()
    assert failures == [], "\n".join(failures)


# Whose unsigned figures each actor gets in an OPD's export "with drafts"
# (portal/cycles/policy.py draft_scope; README "Decisions"): the OPD's reviewers, signer
# and planners and the overseers above see every unit's drafts; a Kabid or Staf his own
# unit's only (IK-1 is Bidang Satu's, where the world's Kabid and Staf work; IK-2 another
# unit's).
DRAFTS_SHOWN = {
    "kepala": {"IK-1", "IK-2"}, "sekretaris": {"IK-1", "IK-2"}, "perencana": {"IK-1", "IK-2"},
    "tim_sakip": {"IK-1", "IK-2"}, "pemda_admin": {"IK-1", "IK-2"}, "coordinator": {"IK-1", "IK-2"},
    "kabid": {"IK-1"}, "staf": {"IK-1"},
}
DRAFT_VALUES = {"IK-1": 50, "IK-2": 70}  # TW I values, unsigned


def _second_unit_indicator(app, world) -> None:
    from portal.indikator.models import Indikator, Realisasi
    from portal.tenancy.models import Tenant, Unit

    with app.app_context():
        opd = db.session.scalar(sa.select(Tenant).where(Tenant.slug == world.tenant_slug))
        first = db.session.scalar(sa.select(Indikator).where(Indikator.tenant_id == opd.id, Indikator.kode == "IK-1"))
        unit = Unit(tenant_id=opd.id, key="bidang-2", name="Bidang Dua", position=2)
        db.session.add(unit)
        db.session.flush()
        ind = Indikator(tenant_id=opd.id, set_id=first.set_id, sasaran_id=first.sasaran_id, unit_id=unit.id,
                        kode="IK-2", nama="Indikator bidang dua", satuan="%", polaritas="positif",
                        sifat="nilai_akhir", target_pk=100, target_tw1=100, position=2)
        db.session.add(ind)
        db.session.flush()
        db.session.add(Realisasi(tenant_id=opd.id, indikator_id=ind.id, triwulan=1, nilai=70))
        db.session.commit()


def _draft_rows_shown(data: bytes) -> set[str]:
    import io

    import openpyxl

    rows = [[c.value for c in row] for ws in openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets
            for row in ws.iter_rows()]
    shown = set()
    for kode, value in DRAFT_VALUES.items():
        for row in rows:
            if kode in row and any(isinstance(c, (int, float)) and c == value for c in row):
                shown.add(kode)
    return shown


def test_who_may_export_drafts(app):
    world = world_module.build(app)
    _second_unit_indicator(app, world)
    form = {"jenis": "formulir", "tahun": "2026", "periode": "triwulan-1", "draf": "y"}
    url = f"/t/{world.tenant_slug}/ekspor/"
    for actor, expected in DRAFTS_SHOWN.items():
        client = app.test_client()
        assert sign_in(client, world.emails[actor], PASSWORD).status_code == 303
        page = client.get(url).get_data(as_text=True)
        assert 'name="draf"' in page, actor
        assert ('data-testid="draft-units"' in page) == (expected != set(DRAFT_VALUES)), actor
        response = client.post(url, data=form, headers={"X-CSRFToken": world.csrf(client)})
        assert response.status_code == 200, (actor, response.status_code)
        assert _draft_rows_shown(response.data) == expected, actor
        # Without drafts nobody gets an unsigned figure.
        plain = client.post(url, data={**form, "draf": ""}, headers={"X-CSRFToken": world.csrf(client)})
        assert _draft_rows_shown(plain.data) == set(), actor
    client = app.test_client()
    sign_in(client, world.emails["foreign"], PASSWORD)
    assert client.post(url, data=form, headers={"X-CSRFToken": world.csrf(client)}).status_code == 404


def test_the_print_view_of_an_unsigned_cycle_shows_the_drafts_the_policy_allows(app):
    """The browser's print view before sign-off shows the same drafts as the export "with
    drafts" (draft_scope): a Kabid or Staf his own unit's figures only."""
    world = world_module.build(app)
    _second_unit_indicator(app, world)
    with app.app_context():
        url = next(f"/t/{world.tenant_slug}{r.rule.split('<tenant_slug>', 1)[1]}" for r in app.url_map.iter_rules()
                   if r.endpoint == "exports.print_view")
    url = url.replace("<int:cycle_id>", str(world.params["cycle_id"])).replace("<dokumen>", "formulir")
    for actor, expected in DRAFTS_SHOWN.items():
        client = app.test_client()
        assert sign_in(client, world.emails[actor], PASSWORD).status_code == 303
        response = client.get(url)
        assert response.status_code == 200, (actor, response.status_code)
        page = response.get_data(as_text=True)
        shown = {kode for kode, value in DRAFT_VALUES.items() if f'<td class="fnum">{value},00%</td>' in page}
        assert shown == expected, actor
