"""Refuse a half-configured production start.

With PORTAL_ENV=production an app server or worker does not start without SECRET_KEY
(shared by every server, at least 32 characters), DATABASE_URL on PostgreSQL, REDIS_URL
(throttle counters and job queue shared by every server), PORTAL_URL (the links in
mails: without it a password link would take its host from the request's Host header,
which the client chooses) and secure cookies; it warns
when the database role owns the tables or bypasses row-level security (the policies
would not bind it) and when PROXY_HOPS is 0. `flask --app wsgi check` prints the same
report in any mode (exit status 1 when production would refuse to start).

Without production mode nothing is refused: the local demo runs on SQLite with a key
kept in instance/.
"""
import os
import sys
from dataclasses import dataclass, field

import click
from flask import Flask, current_app
from sqlalchemy import create_engine, text

MIN_SECRET_LENGTH = 32
MAKE_SECRET = "`python3 -c 'import secrets; print(secrets.token_hex(32))'`"


class RefusedStart(RuntimeError):
    """PORTAL_ENV=production with something missing: the report says what."""


@dataclass
class Report:
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fine: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return ([f"TOLAK: {m}" for m in self.refusals] + [f"PERINGATAN: {m}" for m in self.warnings]
                + [f"OK: {m}" for m in self.fine])

    def text(self) -> str:
        return "\n".join(self.lines())


def production(app: Flask) -> bool:
    return app.config.get("PORTAL_ENV") == "production"


def _role_warnings(url: str) -> tuple[list[str], list[str]]:
    """Whether the role the app connects as is bound by the RLS policies."""
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            who, superuser, bypass = conn.execute(text(
                "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
            owned = conn.execute(text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = ANY (current_schemas(false)) "
                "AND tableowner = current_user")).scalar_one()
    except Exception as error:  # noqa: BLE001 - reported, never fatal: readiness says when it is down
        return [f"Basis data tidak dapat diperiksa ({type(error).__name__}: {error})."], []
    finally:
        engine.dispose()
    warnings = []
    if superuser or bypass:
        warnings.append(f"Peran basis data {who!r} adalah superuser atau BYPASSRLS: kebijakan RLS tidak mengikatnya. "
                        "Sambungkan portal sebagai peran aplikasi (README \"Database roles\").")
    if owned:
        warnings.append(f"Peran basis data {who!r} memiliki {owned} tabel: kebijakan RLS tidak mengikat pemilik tabel. "
                        "Migrasi sebagai pemilik, layani sebagai peran aplikasi (README \"Database roles\").")
    fine = [] if warnings else [f"Peran basis data {who!r} bukan pemilik tabel dan terikat RLS."]
    return warnings, fine


def check(app: Flask, connect: bool = True) -> Report:
    config, report = app.config, Report()
    secret = os.environ.get("SECRET_KEY", "")
    if not secret:
        report.refusals.append("SECRET_KEY belum diisi: setiap server aplikasi harus memakai kunci yang sama "
                               "(tanpa itu sesi dan token CSRF tidak berlaku di server lain).")
    elif len(secret) < MIN_SECRET_LENGTH:
        report.refusals.append(f"SECRET_KEY terlalu pendek ({len(secret)} karakter; paling sedikit "
                               f"{MIN_SECRET_LENGTH}, mis. dari {MAKE_SECRET}).")
    else:
        report.fine.append("SECRET_KEY diisi.")
    url = config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        report.refusals.append("DATABASE_URL harus menunjuk PostgreSQL (postgresql://...); SQLite hanya untuk satu "
                               "mesin dan percobaan.")
    else:
        report.fine.append("DATABASE_URL menunjuk PostgreSQL.")
        if connect:
            warnings, fine = _role_warnings(url)
            report.warnings += warnings
            report.fine += fine
    if not config.get("REDIS_URL"):
        report.refusals.append("REDIS_URL belum diisi: tanpa Redis antrean ekspor dan pembatas percobaan masuk "
                               "hanya berlaku di satu server.")
    else:
        report.fine.append("REDIS_URL diisi.")
    portal_url = config.get("PORTAL_URL", "")
    if not portal_url.startswith("https://"):
        report.refusals.append("PORTAL_URL belum diisi dengan alamat https portal (mis. https://sakip.example.go.id): "
                               "tanpa itu tautan dalam email (undangan, lupa kata sandi, pengingat) mengambil alamat "
                               "dari header permintaan yang dapat dipalsukan.")
    else:
        report.fine.append("PORTAL_URL diisi.")
    if not (config.get("SESSION_COOKIE_SECURE") and config.get("REMEMBER_COOKIE_SECURE")):
        report.refusals.append("Cookie tidak aman (INSECURE_COOKIES=1): di produksi cookie hanya lewat https.")
    else:
        report.fine.append("Cookie hanya lewat https (Secure).")
    if not config.get("PROXY_HOPS"):
        report.warnings.append("PROXY_HOPS=0: di belakang proxy, alamat klien dan https tidak terbaca "
                               "(isi jumlah proxy, dan terima sambungan hanya dari proxy).")
    return report


def _running_check_command() -> bool:
    """`flask ... check` loads the app to print the report, so it must not be refused."""
    return click.get_current_context(silent=True) is not None and "check" in sys.argv[1:]


def enforce(app: Flask) -> None:
    """Called at the end of create_app."""
    if not production(app) or _running_check_command():
        return
    report = check(app)
    for warning in report.warnings:
        app.logger.warning("produksi: %s", warning)
    if report.refusals:
        raise RefusedStart("PORTAL_ENV=production, tetapi konfigurasi belum lengkap; portal tidak dijalankan.\n"
                           + report.text())


@click.command("check")
def check_command():
    """Periksa konfigurasi produksi (sama dengan pemeriksaan saat mulai)."""
    app = current_app._get_current_object()
    report = check(app)
    mode = "produksi" if production(app) else f"{app.config.get('PORTAL_ENV')} (bukan produksi: tidak ada yang ditolak)"
    click.echo(f"PORTAL_ENV: {mode}")
    for line in report.lines():
        click.echo(line)
    if report.refusals and production(app):
        click.echo("Portal tidak akan dijalankan dengan konfigurasi ini.")
        raise SystemExit(1)
    click.echo("Konfigurasi dapat dijalankan." if not report.refusals else "Bukan produksi: dijalankan apa adanya.")
