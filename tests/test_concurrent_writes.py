"""Concurrent writers that read first and write later must all succeed (no
"database is locked"), on SQLite as on PostgreSQL."""
import threading
import time

from sqlalchemy import func, select

from portal import database
from portal.auth.models import LoginFailure
from portal.extensions import db


def test_concurrent_read_then_write_transactions_all_commit(app):
    errors, threads = [], []

    def writer(n):
        token = database.mark_request_kind(True)
        try:
            with app.app_context():
                for i in range(10):
                    seen = db.session.scalar(select(func.count(LoginFailure.id)))  # read first ...
                    time.sleep(0.002)
                    db.session.add(LoginFailure(email=f"w{n}-{i}@uji.test", remote_addr=str(seen)))  # ... then write
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            database.reset_request_kind(token)

    for n in range(8):
        threads.append(threading.Thread(target=writer, args=(n,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginFailure.id))) == 80


def test_concurrent_sign_ins_over_http(app):
    """Eight people signing in at once through the real request path."""
    from tests.conftest import sign_in
    from tests.factories import PASSWORD, gen_tree, gen_user

    with app.app_context():
        _, _, opd, _ = gen_tree()
        emails = [gen_user(tenant=opd, lane_kind="staf").email for _ in range(8)]
        db.session.commit()
    statuses = []

    def go(email):
        statuses.append(sign_in(app.test_client(), email, PASSWORD).status_code)

    threads = [threading.Thread(target=go, args=(e,)) for e in emails]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303] * 8
