"""Operations: health that tells the truth, and Redis going down as a deployment meets it
(a real redis-server of the test's own, stopped and started again): readiness names it,
sign-in goes on with the throttle counting on this machine, an export started meanwhile
is kept and runs once Redis is back, without a restart of anything."""
import os
import time

import pytest

from portal.jobs import queue
from tests.conftest import post, sign_in
from tests.exports_world import SIGNED_OPD, sign_triwulan_ii
from tests.redis_server import RedisServer, free_port

FORM = {"jenis": "provinsi", "tahun": "2026", "periode": "triwulan-2", "draf": "y"}


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def app_config(redis_server, tmp_path):
    return {"REDIS_URL": redis_server.url, "HUEY_URL": redis_server.url, "RATELIMIT_STORAGE_URI": redis_server.url,
            "RATELIMIT_FALLBACK_FILE": str(tmp_path / "ratelimit.sqlite3"), "JOB_SWEEP_SECONDS": 1,
            "HUEY_NAME": f"uji-ops-{os.getpid()}-{tmp_path.name}"}


def test_liveness_answers_and_readiness_checks_everything(client, redis_server):
    live = client.get("/sehat")
    assert live.status_code == 200 and live.json["status"] == "ok"
    ready = client.get("/siap")
    assert ready.status_code == 200, ready.json
    assert ready.json["status"] == "ready" and ready.json["down"] == []
    assert set(ready.json["checks"]) == {"database", "redis", "queue"}
    assert ready.headers["Cache-Control"] == "no-store"


def test_readiness_names_a_database_that_does_not_answer(tmp_path):
    from portal import create_app
    from tests.conftest import _config

    app = create_app(_config(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/tidak_ada",
                             HUEY_FILE=str(tmp_path / "huey.sqlite3")))
    client = app.test_client()
    assert client.get("/sehat").status_code == 200  # the process answers: no restart would help
    ready = client.get("/siap")
    assert ready.status_code == 503 and ready.json["down"] == ["database"]
    assert ready.json["pesan"].startswith("Tidak siap: Basis data tidak dapat dihubungi")


def _wrong(client, email):
    return sign_in(client, email, "salah-sekali")


def test_redis_down_sign_in_goes_on_and_an_export_waits_for_the_queue(demo, redis_server):
    with demo.app_context():
        sign_triwulan_ii()
        from portal.extensions import db

        db.session.remove()
    redis_server.stop()

    admin = demo.test_client()
    ready = admin.get("/siap")
    assert ready.status_code == 503
    assert "redis" in ready.json["down"] and "queue" in ready.json["down"]
    assert f"Redis redis://127.0.0.1:{redis_server.port}/0 tidak dapat dihubungi" in ready.json["pesan"]
    assert admin.get("/sehat").status_code == 200

    # Sign-in works; the throttle counts in this machine's file meanwhile (README).
    assert sign_in(admin, "koordinator@jatim.test").status_code == 303
    guesser = demo.test_client()
    answers = [_wrong(guesser, "admin@pasuruan.test") for _ in range(6)]
    assert [a.status_code for a in answers] == [422] * 6
    assert all("Email atau kata sandi salah." in a.get_data(as_text=True) for a in answers[:5])
    assert "Terlalu banyak percobaan masuk" in answers[5].get_data(as_text=True)

    # An export started now is kept, and the page says it waits for the queue.
    with demo.app_context():
        from tests import cycle_driver

        province = cycle_driver.tenant(SIGNED_OPD).parent.parent.slug
    started = post(admin, f"/t/{province}/ekspor/", FORM)
    assert started.status_code == 303
    job_url = started.headers["Location"]
    page = admin.get(job_url).get_data(as_text=True)
    assert 'data-status="antri"' in page
    assert "Antrean pekerja latar sedang tidak dapat dihubungi" in page and "akan disusun otomatis" in page

    # Redis is back; a worker (its sweep) takes the job without anyone starting it again.
    redis_server.start()
    worker = queue.ThreadedWorker(demo)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            fragment = admin.get(job_url, headers={"HX-Request": "true"}).get_data(as_text=True)
            if 'data-status="selesai"' in fragment:
                break
            assert time.monotonic() < deadline, fragment
            time.sleep(0.3)
        assert "Antrean pekerja latar sedang tidak dapat dihubungi" not in fragment
        assert admin.get(job_url + "/unduh").status_code == 200
        assert admin.get("/siap").status_code == 200
    finally:
        worker.stop()
