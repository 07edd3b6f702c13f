"""A sign-in cookie works only in the browser (and network) that signed in, and not
after SESSION_IDLE_SECONDS without a request; the owner is told why her session ended."""
import time

import sqlalchemy as sa

from portal.auth.models import LoginSession
from portal.extensions import db
from tests.conftest import CSRF_META
from tests.factories import PASSWORD, gen_tree, gen_user

CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; rv:133.0) Gecko/20100101 Firefox/133.0"


def _browser(app, address="10.0.0.7", agent=CHROME):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    return client


def _signed_in(app):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("kepala@uji.test", tenant=opd, lane_kind="kepala")
        db.session.commit()
        slug = opd.slug
    owner = _browser(app)
    token = CSRF_META.search(owner.get("/masuk").get_data(as_text=True)).group(1)
    response = owner.post("/masuk", data={"email": "kepala@uji.test", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert owner.get(f"/t/{slug}/").status_code == 200
    return owner, f"/t/{slug}/"


def _steal(app, owner, **where):
    thief = _browser(app, **where)
    thief.set_cookie("session", owner.get_cookie("session").value)
    return thief


def _to_sign_in(response):
    return response.status_code == 302 and "/masuk" in response.headers["Location"]


def _end_reasons(app):
    with app.app_context():
        return db.session.scalars(sa.select(LoginSession.ended_reason)).all()


def test_a_stolen_cookie_in_another_browser_is_refused_and_the_owner_is_told(app):
    owner, home = _signed_in(app)
    thief = _steal(app, owner, address="10.0.0.7", agent=FIREFOX)
    assert _to_sign_in(thief.get(home))
    assert _end_reasons(app) == ["browser"]
    # The owner's next page sends her to sign in, saying why.
    response = owner.get(home)
    assert _to_sign_in(response)
    page = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert "dipakai dari peramban atau jaringan lain" in page


def test_a_stolen_cookie_from_another_network_is_refused(app):
    owner, home = _signed_in(app)
    assert _to_sign_in(_steal(app, owner, address="203.0.113.9").get(home))
    assert _end_reasons(app) == ["browser"]


def test_moving_within_the_office_network_keeps_the_session(app):
    owner, home = _signed_in(app)
    owner.environ_base["REMOTE_ADDR"] = "10.0.0.42"
    assert owner.get(home).status_code == 200


def test_an_idle_session_ends(app):
    owner, home = _signed_in(app)
    with owner.session_transaction() as cookie:
        cookie["_seen"] = int(time.time()) - app.config["SESSION_IDLE_SECONDS"] - 5
    response = owner.get(home)
    assert _to_sign_in(response)
    assert _end_reasons(app) == ["idle"]
    assert "tidak ada aktivitas" in owner.get(response.headers["Location"]).get_data(as_text=True)


def test_an_active_session_stays_until_its_lifetime(app):
    owner, home = _signed_in(app)
    with owner.session_transaction() as cookie:
        cookie["_seen"] = int(time.time()) - app.config["SESSION_IDLE_SECONDS"] + 120
    assert owner.get(home).status_code == 200
    assert _end_reasons(app) == [""]
