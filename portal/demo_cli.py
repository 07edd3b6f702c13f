"""flask demo: the newcomer's one command after installing. Migrates the SQLite database,
loads the demo tenants, lists the demo sign-ins and serves the portal."""
import socket
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import run_simple

from portal import rls
from portal.auth.models import Membership, User
from portal.extensions import db
from portal.jobs import queue
from portal.tenantfiles.cli import load_folder

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-sakip"


def _free_port(preferred: int) -> int:
    for port in [preferred] + list(range(preferred + 1, preferred + 50)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise click.ClickException("Tidak ada port bebas.")


def demo_accounts() -> list[tuple[str, str, str]]:
    """(email, name, lanes) of every demo person, grouped by tenant order."""
    rows = []
    for user in db.session.scalars(select(User).order_by(User.id)):
        lanes = [f"{m.lane.name}" + (f" ({m.unit.name})" if m.unit else "") + f" · {m.tenant.name}"
                 for m in db.session.scalars(select(Membership).where(Membership.user_id == user.id))]
        rows.append((user.email, user.name, "; ".join(lanes) or "Admin platform"))
    return rows


@click.command("demo")
@click.option("--port", default=5000, show_default=True, help="Port yang dicoba lebih dulu.")
@click.option("--no-serve", is_flag=True, help="Siapkan basis data saja, tanpa menjalankan server.")
@with_appcontext
def demo_command(port, no_serve):
    """Siapkan basis data demo (migrasi + tenants/) lalu jalankan portal."""
    upgrade()
    report, problems = load_folder(str(ROOT / "tenants"))  # across tenants (the loader says so)
    if problems:
        raise click.ClickException("Berkas tenants/ bermasalah:\n" + "\n".join(problems))
    click.echo(f"Instansi demo dimuat ({len(report.created)} dibuat, {len(report.changed)} diubah).")
    click.echo(f"\nAkun demo (kata sandi semua: {DEMO_PASSWORD}):")
    with rls.across_tenants():  # every demo person of every tenant
        accounts = demo_accounts()
    for email, _name, lanes in accounts:
        click.echo(f"  {email:45} {lanes}")
    # End this command's transaction: on SQLite an open one would hold the write lock
    # while the server runs, and every sign-in would wait for it in vain.
    db.session.remove()
    if no_serve:
        return
    port = _free_port(port)
    click.echo(f"\nPortal berjalan di http://127.0.0.1:{port}/  (Ctrl+C untuk berhenti)\n")
    app = current_app._get_current_object()
    # Plain http on this machine only: the cookie cannot be Secure here.
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    # Background jobs (the province export) run in this same process, so this one command
    # serves everything; production runs `flask --app wsgi jobs worker` beside the app servers.
    worker = queue.ThreadedWorker(app)
    worker.start()
    db.session.remove()
    click.echo("Pekerja latar (ekspor besar) berjalan di proses ini.")
    try:
        # Flask ignores app.run() inside a CLI command, so serve with Werkzeug directly.
        run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        worker.stop()
