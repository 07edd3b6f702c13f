"""Backup and restore as the README's runbook does it: `flask --app wsgi backup` of a
portal with signed cycles, audit rows and bukti dukung, restored into a fresh database
(pg_restore; for SQLite the file copied into place); every row of every table is
identical, every file's SHA-256 still matches its bytes, and the restored portal serves
the signed page and the bukti as the original did."""
import hashlib
import re
import shutil
import subprocess
import sys

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.auth.models import User
from portal.backup import libpq_url, tool_major
from portal.extensions import db
from portal.indikator.models import FileBlob, Indikator
from portal.realisasi import bukti
from portal.tenantfiles.cli import load_folder
from tests import cycle_driver
from tests.conftest import PG_URL, REQUIRE_PG, ROOT, TENANTS, _config, sign_in
from tests.exports_world import SIGNED_OPD, sign_triwulan_ii

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n% bukti dukung uji cadangan\n"
KABID = "kabid.kesmas@dinkes.mojokerto.test"
VOLATILE = re.compile(r'(<meta name="csrf-token" content=")[^"]+|(name="csrf_token" [^>]*value=")[^"]+|'
                      r'(nonce=")[^"]+|("X-CSRFToken": ")[^"]+')


def _server_url(name: str) -> str:
    return sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def databases(request, tmp_path):
    """(source, target) database URLs: two fresh databases, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'asli.sqlite3'}", f"sqlite:///{tmp_path / 'pulih.sqlite3'}"
        return
    names = [f"ops_backup_src_{tmp_path.name[-8:]}".lower(), f"ops_backup_dst_{tmp_path.name[-8:]}".lower()]
    names = [re.sub(r"[^a-z0-9_]", "_", n) for n in names]
    try:
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as error:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL tidak dapat dihubungi: {error}")
        pytest.skip(f"PostgreSQL tidak dapat dihubungi: {error}")
    yield _server_url(names[0]), _server_url(names[1])
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def _rows(url: str) -> dict[str, list[tuple]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {table.name: [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
                    for table in db.metadata.sorted_tables}
    finally:
        engine.dispose()


def _page(client, url: str) -> str:
    return VOLATILE.sub(lambda m: next(g for g in m.groups() if g), client.get(url).get_data(as_text=True))


def _served(app, bukti_id: int) -> tuple[str, bytes, str]:
    client = app.test_client()
    assert sign_in(client, KABID).status_code == 303
    with app.app_context():
        opd = cycle_driver.tenant(SIGNED_OPD)
        period = next(p for p in cycle_driver.periods.periods_of(opd) if p.triwulan == 2)
        page_url = f"/t/{SIGNED_OPD}/realisasi/?periode={period.id}"
    download = client.get(f"/t/{SIGNED_OPD}/bukti/{bukti_id}/unduh")
    assert download.status_code == 200
    return _page(client, page_url), download.data, download.headers["ETag"]


@pytest.mark.parametrize("databases", ["sqlite", "postgresql"], indirect=True)
def test_a_backup_restores_every_signed_record_audit_row_and_file(databases, tmp_path):
    source, target = databases
    original = create_app(_config(source))
    with original.app_context():
        db.create_all()
        report, problems = load_folder(str(TENANTS))
        assert problems == []
        sign_triwulan_ii()
        opd = cycle_driver.tenant(SIGNED_OPD)
        ind = db.session.scalar(sa.select(Indikator).where(Indikator.tenant_id == opd.id).order_by(Indikator.id))
        kabid = db.session.scalar(sa.select(User).where(User.email == KABID))
        row = bukti.store(ind, 3, "bukti-tw3.pdf", PDF, kabid, 10 * 1024 * 1024)
        db.session.commit()
        bukti_id = row.id
        db.session.remove()
        db.engine.dispose()

    dump = tmp_path / ("portal.dump" if source.startswith("postgresql") else "portal.sqlite3")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": source, "SECRET_KEY": "uji-cadangan", "HOME": str(tmp_path)}
    made = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "backup", "--ke", str(dump)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert f"Cadangan tersimpan: {dump}" in made.stdout
    assert f"SHA-256: {hashlib.sha256(dump.read_bytes()).hexdigest()}" in made.stdout
    again = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "backup", "--ke", str(dump)], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "sudah ada" in again.stderr  # an old backup is never overwritten

    # Restore as the README says: pg_restore into an empty database, or the file copied in place.
    if source.startswith("postgresql"):
        assert tool_major("pg_restore") >= 15
        restored = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq_url(target),
                                   str(dump)], capture_output=True, text=True, timeout=120)
        assert restored.returncode == 0, restored.stderr
    else:
        shutil.copyfile(dump, sa.engine.make_url(target).database)

    before, after = _rows(source), _rows(target)
    assert len(before["signed_figure"]) > 0 and len(before["signed_value"]) > 0
    assert len(before["audit_event"]) > 10 and len(before["bukti_dukung"]) == 1
    for table in before:
        assert after[table] == before[table], f"table {table} differs after the restore"

    copy = create_app(_config(target))
    with copy.app_context():
        for blob in db.session.scalars(sa.select(FileBlob)):
            assert hashlib.sha256(blob.data).hexdigest() == blob.sha256
        db.session.remove()
    # The restored database is still append-only where it was (the triggers came along).
    engine = sa.create_engine(target)
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_event")
    engine.dispose()

    page, data, etag = _served(copy, bukti_id)
    original_page, original_data, original_etag = _served(create_app(_config(source)), bukti_id)
    assert data == original_data == PDF and etag == original_etag == f'"{hashlib.sha256(PDF).hexdigest()}"'
    assert page == original_page and "Disahkan" in page
