"""`flask --app wsgi backup`: one file holding everything the portal keeps.

Bukti dukung and step outputs are blobs in the database, so the database is the whole
backup. PostgreSQL: `pg_dump --format=custom` (restore with pg_restore, README
"Production"), run as the tables' owner (the app role is bound by row-level security
and would dump nothing of the tenants); pg_dump must be at least the server's major
version, checked first. SQLite: the SQLite backup API (a consistent copy while the
portal runs). The command prints the file, its size and SHA-256.
"""
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess

import click
from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from portal import clock, rls
from portal.extensions import db


class BackupRefused(click.ClickException):
    pass


def libpq_url(uri: str) -> str:
    """The SQLAlchemy URL as libpq (pg_dump, pg_restore, psql) reads it."""
    return make_url(uri).set(drivername="postgresql").render_as_string(hide_password=False)


def tool_major(tool: str) -> int:
    path = shutil.which(tool)
    if path is None:
        raise BackupRefused(f"{tool} tidak ditemukan (apt-get install postgresql-client-<versi server>).")
    found = re.search(r"(\d+)(?:\.\d+)?", subprocess.run([path, "--version"], capture_output=True, text=True,
                                                          check=True).stdout)
    return int(found.group(1))


def server_major() -> int:
    return int(db.session.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def check_versions(tool: str = "pg_dump") -> tuple[int, int]:
    mine, server = tool_major(tool), server_major()
    if mine < server:
        raise BackupRefused(f"{tool} versi {mine} lebih lama dari server PostgreSQL versi {server}: "
                            f"pasang postgresql-client-{server}.")
    return mine, server


def sha256_of(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def backup_postgresql(uri: str, target: str) -> None:
    check_versions("pg_dump")
    done = subprocess.run(["pg_dump", "--format=custom", "--file", target, "--dbname", libpq_url(uri)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupRefused(f"pg_dump gagal: {done.stderr.strip()}")


def backup_sqlite(path: str, target: str) -> None:
    source, copy = sqlite3.connect(path), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()


def backup(target: str | None = None) -> str:
    """Write the backup; its path."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    stamp = clock.to_wib(clock.now()).strftime("%Y%m%d-%H%M%S")  # WIB, like every time shown
    postgres = uri.startswith("postgresql")
    if target is None:
        folder = os.path.join(current_app.instance_path, "cadangan")
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, f"portal-{stamp}.{'dump' if postgres else 'sqlite3'}")
    if os.path.exists(target):
        raise BackupRefused(f"{target} sudah ada; pilih nama lain (cadangan lama tidak ditimpa).")
    with rls.across_tenants():
        if postgres:
            backup_postgresql(uri, target)
        elif uri.startswith("sqlite:///"):
            backup_sqlite(make_url(uri).database, target)
        else:
            raise BackupRefused(f"Basis data {make_url(uri).drivername} tidak didukung oleh perintah ini.")
    return target


@click.command("backup")
@click.option("--ke", "target", default=None, help="Berkas cadangan (bawaan: instance/cadangan/portal-<waktu>.*).")
def backup_command(target):
    """Cadangkan basis data (termasuk semua berkas bukti dukung) ke satu berkas."""
    path = backup(target)
    click.echo(f"Cadangan tersimpan: {path}")
    click.echo(f"Ukuran: {os.path.getsize(path):,} bait".replace(",", "."))
    click.echo(f"SHA-256: {sha256_of(path)}")
