"""The sign-in throttle slows guessing without locking out the owner; a wrong email costs
as much time as a wrong password; parallel tries are counted exactly, in every storage
the workers can share."""
import os
import secrets
import statistics
import threading
import time

import pytest

from portal.auth import throttle
from portal.extensions import db
from tests.conftest import CSRF_META
from tests.factories import PASSWORD, gen_tree, gen_user

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


def _people(app):
    with app.app_context():
        prov, pemda, opd, _ = gen_tree()
        gen_user("kepala@uji.test", tenant=opd, lane_kind="kepala")
        gen_user("kabid@uji.test", tenant=opd, lane_kind="kabid")
        db.session.commit()


def _browser(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _try(client, email, password):
    page = client.get("/masuk").get_data(as_text=True)
    token = CSRF_META.search(page).group(1)
    return client.post("/masuk", data={"email": email, "password": password, "csrf_token": token})


def test_guessing_from_one_address_does_not_lock_out_the_owner_elsewhere(app):
    _people(app)
    attacker = _browser(app, "10.0.0.66")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _try(attacker, "kepala@uji.test", "tebakan").status_code == 422
    refused = _try(attacker, "kepala@uji.test", "tebakan-lagi")
    assert "Terlalu banyak percobaan" in refused.get_data(as_text=True)
    # The Kepala, at the office, signs in with her password as usual.
    assert _try(_browser(app, "10.0.0.7"), "kepala@uji.test", PASSWORD).status_code == 303


@pytest.mark.parametrize("app_config", [{"LOGIN_ADDRESS_LIMIT": "5 per 10 minutes"}], indirect=True)
def test_spraying_many_accounts_from_one_address_is_stopped(app):
    _people(app)
    office = _browser(app, "10.0.0.8")
    for _ in range(8):  # successful sign-ins do not count
        assert _try(office, "kabid@uji.test", PASSWORD).status_code == 303
        office.post("/keluar", headers={"X-CSRFToken": CSRF_META.search(
            office.get("/tugas-saya").get_data(as_text=True)).group(1)})
    sprayer = _browser(app, "10.0.0.66")
    for n in range(5):
        assert _try(sprayer, f"orang{n}@uji.test", "Rahasia2026").status_code == 422
    response = _try(sprayer, "kepala@uji.test", "Rahasia2026")
    assert response.status_code == 429
    assert "dari alamat ini" in response.get_data(as_text=True)
    assert _try(_browser(app, "10.0.0.7"), "kepala@uji.test", PASSWORD).status_code == 303


@pytest.mark.parametrize("app_config", [{"LOGIN_ACCOUNT_LIMIT": "3 per hour"}], indirect=True)
def test_guessing_spread_over_addresses_stops_but_the_owners_browser_still_signs_in(app):
    _people(app)
    owner = _browser(app, "10.0.0.7")
    assert _try(owner, "kepala@uji.test", PASSWORD).status_code == 303  # her browser, remembered
    owner.post("/keluar", headers={"X-CSRFToken": CSRF_META.search(
        owner.get("/tugas-saya").get_data(as_text=True)).group(1)})
    for n in range(3):
        assert _try(_browser(app, f"10.0.1.{n}"), "kepala@uji.test", "tebakan").status_code == 422
    stranger = _try(_browser(app, "10.0.1.99"), "kepala@uji.test", PASSWORD)
    assert stranger.status_code == 422
    assert "Terlalu banyak percobaan" in stranger.get_data(as_text=True)
    owner.environ_base["REMOTE_ADDR"] = "10.0.2.1"  # the same laptop, at home
    assert _try(owner, "kepala@uji.test", PASSWORD).status_code == 303


@pytest.mark.parametrize("app_config", [{"PASSWORD_HASH_METHOD": "pbkdf2:sha256:150000"}], indirect=True)
def test_an_unknown_email_costs_as_much_time_as_a_known_one(app):
    _people(app)

    def timed(email):
        client = _browser(app, "10.0.3.1")
        page = client.get("/masuk").get_data(as_text=True)
        token = CSRF_META.search(page).group(1)
        started = time.perf_counter()
        response = client.post("/masuk", data={"email": email, "password": "salah", "csrf_token": token})
        assert response.status_code == 422
        return time.perf_counter() - started

    # Alternate, so that load on the machine hits both alike.
    known, unknown = [], []
    for n in range(6):
        known.append(timed("kepala@uji.test" if n % 2 else "kabid@uji.test"))
        unknown.append(timed(f"tidak-ada-{n}@uji.test"))
    ratio = statistics.median(unknown) / statistics.median(known)
    # Before: 1 ms against 100 ms (ratio 0.01). Loose bounds: the machine may be busy.
    assert 0.5 < ratio < 2.0, f"known {known}, unknown {unknown}"


def _storages():
    return ["memory://", "portal+sqlite", "redis"]


@pytest.mark.parametrize("storage", _storages())
def test_parallel_tries_are_counted_exactly(app, storage, tmp_path):
    """40 tries at once on one account from one address: exactly LOGIN_MAX_FAILURES
    passwords are checked, whatever storage the workers share."""
    if storage == "portal+sqlite":
        storage = f"portal+sqlite://{tmp_path / 'ratelimit.sqlite3'}"
    elif storage == "redis":
        storage = REDIS_URL
        try:
            import redis
            redis.Redis.from_url(REDIS_URL).ping()
        except Exception as error:  # noqa: BLE001
            if os.environ.get("CI"):  # .ci/run starts Redis: missing there is a failure, not a skip
                pytest.fail(f"Redis tidak dapat dihubungi di CI: {error}")
            pytest.skip(f"Redis tidak dapat dihubungi: {error}")
    app.config["RATELIMIT_STORAGE_URI"] = storage
    app.config["LOGIN_ADDRESS_LIMIT"] = "1000 per minute"  # only the per-account count here
    app.config["RATELIMIT_FALLBACK_FILE"] = str(tmp_path / "fallback.sqlite3")
    throttle.init_app(app)  # as the factory does: Redis gets its fallback file behind it
    throttle.limiter.storage.reset()
    _people(app)
    clients = []
    for _ in range(40):
        client = _browser(app, "10.0.4.4")
        token = CSRF_META.search(client.get("/masuk").get_data(as_text=True)).group(1)
        clients.append((client, token))
    barrier = threading.Barrier(len(clients))
    answers = []

    def attempt(client, token):
        barrier.wait()
        response = client.post("/masuk", data={"email": "kepala@uji.test", "password": "tebakan",
                                               "csrf_token": token})
        answers.append(response.get_data(as_text=True))

    threads = [threading.Thread(target=attempt, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = sum("Email atau kata sandi salah" in text for text in answers)
    throttled = sum("Terlalu banyak percobaan" in text for text in answers)
    assert (checked, throttled) == (app.config["LOGIN_MAX_FAILURES"], 40 - app.config["LOGIN_MAX_FAILURES"])


@pytest.mark.parametrize("app_config", [{"LOGIN_ACCOUNT_LIMIT": "3 per hour"}], indirect=True)
def test_successful_sign_ins_do_not_use_up_the_account_limit(app):
    _people(app)
    for n in range(6):  # six new browsers (no device cookie), each with the right password
        assert _try(_browser(app, f"10.0.5.{n}"), "kepala@uji.test", PASSWORD).status_code == 303


# ---------------------------------------------------------------- no owner locked out (issue 17, point 4)

def _storage_uri(storage, tmp_path):
    """The production default without REDIS_URL (a SQLite file shared by the workers), or
    the real Redis."""
    if storage == "redis":
        try:
            import redis
            redis.Redis.from_url(REDIS_URL).ping()
        except Exception as error:  # noqa: BLE001
            if os.environ.get("CI"):
                pytest.fail(f"Redis tidak dapat dihubungi di CI: {error}")
            pytest.skip(f"Redis tidak dapat dihubungi: {error}")
        return REDIS_URL
    return f"portal+sqlite://{tmp_path / 'ratelimit.sqlite3'}"


def _office(app, storage, tmp_path):
    """An office of one pemda behind one NAT address; emails unique to this run, so that
    another run sharing the Redis server counts its own tries."""
    app.config["RATELIMIT_STORAGE_URI"] = _storage_uri(storage, tmp_path)
    app.config["RATELIMIT_FALLBACK_FILE"] = str(tmp_path / "fallback.sqlite3")
    throttle.init_app(app)  # as the factory does: Redis gets its fallback file behind it
    run = f"{os.getpid()}-{time.monotonic_ns()}"
    with app.app_context():
        prov, pemda, opd, _ = gen_tree()
        people = {who: gen_user(f"{who}-{run}@uji.test", tenant=opd, lane_kind=kind).email
                  for who, kind in (("kepala", "kepala"), ("kabid", "kabid"), ("staf", "staf"))}
        db.session.commit()
    # Addresses of this run too (Redis keeps the counts of earlier runs for the window).
    people["net"] = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    return people


def _sign_out(client):
    client.post("/keluar", headers={"X-CSRFToken": CSRF_META.search(
        client.get("/tugas-saya").get_data(as_text=True)).group(1)})


@pytest.mark.parametrize("storage", ["portal+sqlite", "redis"])
def test_wrong_passwords_at_the_office_address_never_lock_the_owners_browser_out(app, storage, tmp_path):
    """Before: 6 wrong passwords from the office address, then the Kepala's own browser
    with its device cookie answered 422 "Coba lagi dalam 15 menit"."""
    people = _office(app, storage, tmp_path)
    kepala = _browser(app, f"{people['net']}.10")
    assert _try(kepala, people["kepala"], PASSWORD).status_code == 303  # her browser, remembered
    _sign_out(kepala)
    colleague = _browser(app, f"{people['net']}.10")  # another PC behind the same NAT address
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        assert _try(colleague, people["kepala"], "tebakan-rekan").status_code == 422
    assert "Terlalu banyak percobaan" in _try(colleague, people["kepala"], PASSWORD).get_data(as_text=True)
    # Her own browser, at the same address: never held by the address's count.
    assert _try(kepala, people["kepala"], PASSWORD).status_code == 303
    # The guesser elsewhere is still held; the Kabid's first sign-in from the office is not.
    assert _try(_browser(app, f"{people['net']}.10"), people["kabid"], PASSWORD).status_code == 303


@pytest.mark.parametrize("storage", ["portal+sqlite", "redis"])
def test_spraying_from_the_office_address_does_not_refuse_colleagues_right_passwords(app, storage, tmp_path):
    """Before: 31 failed sign-ins to made-up emails from one address answered 429 to every
    colleague there, right passwords included."""
    app.config["LOGIN_ADDRESS_LIMIT"] = "30 per 10 minutes"
    people = _office(app, storage, tmp_path)
    browsers = {}
    for who in ("kepala", "kabid"):
        browsers[who] = _browser(app, f"{people['net']}.20")
        assert _try(browsers[who], people[who], PASSWORD).status_code == 303
        _sign_out(browsers[who])
    sprayer = _browser(app, f"{people['net']}.20")
    statuses = [_try(sprayer, f"karangan-{n}-{people['staf']}", "Rahasia2026").status_code for n in range(31)]
    assert statuses[:30] == [422] * 30 and statuses[30] == 429
    # Each colleague's own browser: a typo is counted for her account only, then she signs in.
    assert _try(browsers["kepala"], people["kepala"], "salah-ketik").status_code == 422
    assert _try(browsers["kepala"], people["kepala"], PASSWORD).status_code == 303
    assert _try(browsers["kabid"], people["kabid"], PASSWORD).status_code == 303
    # From elsewhere nobody is held by that address's count.
    assert _try(_browser(app, f"{people['net']}.99"), people["staf"], PASSWORD).status_code == 303
    # A browser with no device cookie at the sprayed address waits out the window: the
    # price of stopping a spray (README: Sign-in throttle).
    assert _try(_browser(app, f"{people['net']}.20"), people["staf"], PASSWORD).status_code == 429


@pytest.mark.parametrize("storage", ["portal+sqlite", "redis"])
def test_the_owners_browser_still_guesses_slowly_per_device(app, storage, tmp_path):
    """A copied device cookie is not a free pass: its own tries back off like an address's,
    while other addresses and other browsers are not held by them."""
    people = _office(app, storage, tmp_path)
    owner = _browser(app, f"{people['net']}.30")
    assert _try(owner, people["kabid"], PASSWORD).status_code == 303
    _sign_out(owner)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _try(owner, people["kabid"], "lupa-lagi").status_code == 422
    assert "Terlalu banyak percobaan" in _try(owner, people["kabid"], PASSWORD).get_data(as_text=True)
    assert _try(_browser(app, f"{people['net']}.30"), people["kabid"], PASSWORD).status_code == 303
