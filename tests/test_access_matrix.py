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

import sqlalchemy as sa

from portal.access import _parse, rule_of
from portal.extensions import db
from portal.tenancy.lanes import KIND_CAPABILITIES, KIND_CAPABILITIES_BELOW, Capability, LaneKind
from tests import world as world_module
from tests.conftest import sign_in
from tests.factories import PASSWORD

# Status codes that mean "refused".
REFUSED = {401, 403, 404, 405}
# The domain refused the input or the state (a conflict, invalid input, an invitation
# link that is used or expired): nothing may change.
DECLINED = {409, 410, 422}


def _snapshot(app) -> str:
    """A digest of every row of every table (except sign-in bookkeeping)."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in {"login_session", "login_failure"}:
                continue
            rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{rows!r}".encode())
        db.session.remove()
    return digest.hexdigest()


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


def _reset(app):
    """Empty every table (an allowed request may have changed or deleted the sample rows).
    The audit log refuses DELETE, so PostgreSQL truncates and SQLite starts afresh."""
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            db.drop_all()
            db.create_all()
        db.session.remove()


def _request(app, w, url_rule, method, actor):
    client = app.test_client()
    if actor != "anonymous":
        assert sign_in(client, w.emails[actor], PASSWORD).status_code == 303, actor
    headers = {"X-CSRFToken": w.csrf(client)} if method != "GET" else {}
    return client.open(w.url_for(app, url_rule), method=method, headers=headers, data={})


def test_access_matrix(app):
    failures = []
    w = world_module.build(app)
    for url_rule, method in _routes(app):
        spec = rule_of_in(app, url_rule.endpoint)
        # Refused actors first (the world stays as built); each allowed request may change
        # the world, so it is rebuilt after every one.
        actors = sorted(ACTORS, key=lambda a: _expected_allowed(spec, a))
        for actor in actors:
            allowed = _expected_allowed(spec, actor)
            before = _snapshot(app) if (method != "GET" or not allowed) else None
            response = _request(app, w, url_rule, method, actor)
            status = response.status_code
            url = w.url_for(app, url_rule)
            if allowed:
                ok = status < 400 or status in DECLINED
            elif actor == "anonymous":
                ok = status in (302, 303) and "/masuk" in response.headers.get("Location", "")
            elif actor == "foreign" or "tenant_slug" not in url_rule.arguments:
                ok = status == 404
            else:
                ok = status == 403
            changed = before is not None and _snapshot(app) != before
            if changed and (not allowed or status in DECLINED):
                failures.append(f"{method} {url} as {actor}: refused ({status}) but the database changed")
            if not ok:
                failures.append(f"{method} {url} as {actor}: status {status}, rule {spec!r}, "
                                f"expected {'allowed' if allowed else 'refused'}")
            if changed:
                _reset(app)
                w = world_module.build(app)
    assert failures == [], "\n".join(failures)
