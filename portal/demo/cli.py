"""flask demo: the newcomer's one command after installing. Migrates the database, loads
the demo tenants of tenants/ and the year in progress (year.py), prints where to look
(the same table as the README's "Sign in as ... to see ...") and serves the portal.
`--reset` starts from an empty database (only one that holds nothing but demo accounts)."""
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import MetaData, select
from werkzeug.serving import run_simple

from portal import rls
from portal.auth.models import Membership, User
from portal.demo import timeline, year
from portal.extensions import db
from portal.jobs import queue
from portal.tenantfiles.cli import load_folder

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO_PASSWORD = "demo-sakip"
DEMO_DOMAIN = ".test"  # every demo account's e-mail ends so (tenants/)


@dataclass(frozen=True)
class Look:
    email: str
    who: str
    what: str
    path: str


# Where to look: the README's table says the same (tests/test_demo_year.py compares them).
WHERE_TO_LOOK = (
    Look("staf.kesmas@dinkes.mojokerto.test", "Staf, Dinkes Kab. Mojokerto",
         "Tugas saya: realisasi yang dikembalikan dengan alasannya; perbaiki di halaman Realisasi dan ajukan kembali",
         "/t/kab-mojokerto-dinkes/realisasi/"),
    Look("kabid.rehsos@dinsos.blitar.test", "Kepala Bidang, Dinsos Kota Blitar",
         "Tugas saya: validasi data triwulan berjalan, sudah lewat Mutu Baku", "/tugas-saya"),
    Look("kepala@dinkes.pasuruan.test", "Kepala, Dinkes Kota Pasuruan",
         "Tugas saya: pengesahan triwulan berjalan (angka, capaian, kategori)", "/tugas-saya"),
    Look("kadis@dinkes.mojokerto.test", "Kepala Dinas, Dinkes Kab. Mojokerto",
         "Siklus yang disahkan (TW I revisi 2); Ekspor: Formulir Pengukuran Kinerja yang disahkan",
         "/t/kab-mojokerto-dinkes/ekspor/"),
    Look("koordinator@jatim.test", "Koordinator SAKIP Provinsi Jawa Timur",
         "Pemantauan: matriks berwarna dan tugas terlambat; perbandingan IKK antar kab/kota dengan grafik",
         "/t/jawa-timur/pemantauan/"),
    Look("koordinator@jatim.test", "Koordinator SAKIP Provinsi Jawa Timur",
         "Ekspor: konsolidasi provinsi yang sudah selesai, siap diunduh", "/t/jawa-timur/ekspor/"),
)


def where_to_look() -> str:
    lines = [f"Di mana melihat (kata sandi semua akun: {DEMO_PASSWORD}):"]
    for look in WHERE_TO_LOOK:
        lines.append(f"  {look.email:36} {look.path}")
        lines.append(f"  {'':36} {look.who}: {look.what}")
    return "\n".join(lines)


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


def reset_database() -> None:
    """Drop every table (the schema is made again by the migrations), refused when the
    database holds an account that is not a demo one."""
    tables = MetaData()
    tables.reflect(db.engine)
    if User.__tablename__ in tables.tables:
        with rls.across_tenants():
            strangers = [e for e in db.session.scalars(select(User.email)) if not e.endswith(DEMO_DOMAIN)]
        db.session.remove()
        if strangers:
            raise click.ClickException(f"Basis data ini berisi akun di luar demo ({strangers[0]}, ...); "
                                       "--reset hanya mengosongkan basis data demo.")
    tables.drop_all(db.engine)


def prepare() -> year.Report | None:
    """Tenants of tenants/ and the year in progress (None: it was made before)."""
    with rls.across_tenants():
        report, problems = load_folder(str(ROOT / "tenants"))
        if problems:
            raise click.ClickException("Berkas tenants/ bermasalah:\n" + "\n".join(problems))
        click.echo(f"Instansi demo dimuat ({len(report.created)} dibuat, {len(report.changed)} diubah).")
        now = timeline.utcnow()
        made = None
        p = year.plan(timeline.today(now), now)
        if year.exists(p):
            click.echo(f"Tahun berjalan demo ({p.tahun}) sudah ada; --reset untuk membuatnya ulang per hari ini.")
        else:
            made = year.build(p.today, now)
        db.session.remove()
    return made


@click.command("demo")
@click.option("--port", default=5000, show_default=True, help="Port yang dicoba lebih dulu.")
@click.option("--no-serve", is_flag=True, help="Siapkan basis data saja, tanpa menjalankan server.")
@click.option("--reset", is_flag=True, help="Kosongkan basis data demo lalu buat ulang semuanya per hari ini.")
@with_appcontext
def demo_command(port, no_serve, reset):
    """Siapkan basis data demo (migrasi, tenants/, tahun berjalan) lalu jalankan portal."""
    started = time.monotonic()
    if reset:
        reset_database()
        click.echo("Basis data demo dikosongkan.")
    upgrade()
    made = prepare()
    if made is not None:
        click.echo(f"Tahun berjalan {made.plan.tahun} dibuat (TW {made.plan.current} berjalan) "
                   f"dalam {time.monotonic() - started:.1f} detik:")
        for line in made.lines:
            click.echo(f"  {line}")
    with rls.across_tenants():
        click.echo(f"\nAkun demo (kata sandi semua: {DEMO_PASSWORD}):")
        for email, _name, lanes in demo_accounts():
            click.echo(f"  {email:45} {lanes}")
    click.echo("\n" + where_to_look())
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
