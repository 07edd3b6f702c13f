"""Sign-in, sign-out, the throttle, CSRF and expired sessions, as a browser sees them."""
from portal.auth.models import LoginSession
from portal.extensions import db
from tests.conftest import csrf_token, post, sign_in
from tests.factories import PASSWORD, gen_tree, gen_user


def _setup(app):
    with app.app_context():
        prov, pemda, opd_a, opd_b = gen_tree()
        gen_user("kabid@uji.test", tenant=opd_a, lane_kind="kabid")
        db.session.commit()
        return opd_a.slug, opd_b.slug


def test_sign_in_lands_in_own_tenant(app, client):
    slug_a, _ = _setup(app)
    response = sign_in(client, "kabid@uji.test", PASSWORD)
    assert response.status_code == 303
    page = client.get("/", follow_redirects=True)
    assert f"/t/{slug_a}/" in page.request.path
    assert "Dinas A" in page.get_data(as_text=True)


def test_wrong_password_is_refused_with_message(app, client):
    _setup(app)
    response = sign_in(client, "kabid@uji.test", "salah-sekali")
    assert response.status_code == 422
    assert "Email atau kata sandi salah." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still anonymous: sent to sign-in


def test_throttle_blocks_even_the_right_password(app, client):
    _setup(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert sign_in(client, "kabid@uji.test", "tebakan").status_code == 422
    response = sign_in(client, "KABID@uji.test", PASSWORD)
    assert response.status_code == 422
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)


def test_success_clears_earlier_failures(app, client):
    _setup(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        sign_in(client, "kabid@uji.test", "tebakan")
    assert sign_in(client, "kabid@uji.test", PASSWORD).status_code == 303


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client):
    slug_a, _ = _setup(app)
    sign_in(client, "kabid@uji.test", PASSWORD)
    copied = client.get_cookie("session").value
    assert client.get(f"/t/{slug_a}/").status_code == 200
    assert post(client, "/keluar").status_code == 303
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get(f"/t/{slug_a}/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    with app.app_context():
        assert db.session.query(LoginSession).filter(LoginSession.ended_at.is_(None)).count() == 0


def test_post_without_csrf_token_is_refused(app, client):
    _setup(app)
    sign_in(client, "kabid@uji.test", PASSWORD)
    response = client.post("/keluar")
    assert response.status_code == 400
    assert "token CSRF" in response.get_data(as_text=True)
    assert client.get("/", follow_redirects=False).status_code in (200, 303)  # still signed in


def test_csrf_token_does_not_expire_with_time(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


def test_expired_session_during_htmx_request_redirects_the_browser(app, client):
    slug_a, _ = _setup(app)
    response = client.get(f"/t/{slug_a}/", headers={"HX-Request": "true",
                                                    "HX-Current-URL": f"http://localhost/t/{slug_a}/"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/masuk?next=")
    assert f"/t/{slug_a}/" in response.headers["HX-Redirect"].replace("%2F", "/")


def test_next_parameter_only_follows_local_paths(app, client):
    slug_a, _ = _setup(app)
    token = csrf_token(client)
    response = client.post("/masuk", data={"email": "kabid@uji.test", "password": PASSWORD,
                                           "csrf_token": token, "next": "https://evil.test/"})
    assert response.headers["Location"] == "/"


def test_inactive_user_cannot_sign_in(app, client):
    _setup(app)
    with app.app_context():
        from portal.auth.models import User
        db.session.query(User).update({"is_active": False})
        db.session.commit()
    assert sign_in(client, "kabid@uji.test", PASSWORD).status_code == 422
