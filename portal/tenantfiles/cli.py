"""flask tenants load <folder>"""
import sys

import click
from flask.cli import with_appcontext

from portal import rls
from portal.extensions import db
from portal.tenantfiles.apply import ApplyError, apply_bundle
from portal.tenantfiles.reader import read_folder

tenants_cli = click.Group("tenants", help="Definisi instansi deklaratif (folder tenants/).")


def load_folder(folder: str):
    """Validate the whole folder, then apply it in one transaction.
    Returns (report, problems); with problems nothing was changed."""
    bundle, problems = read_folder(folder)
    if problems:
        return None, [str(p) for p in problems]
    with rls.across_tenants():  # the loader writes every tenant of the folder
        return _apply(bundle)


def _apply(bundle):
    try:
        report = apply_bundle(bundle)
        db.session.commit()
    except ApplyError as error:
        db.session.rollback()
        return None, [str(error)]
    except Exception:
        db.session.rollback()
        raise
    return report, []


@tenants_cli.command("load")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@with_appcontext
def load_command(folder):
    """Create or update the tenants defined in FOLDER (idempotent)."""
    report, problems = load_folder(folder)
    if problems:
        click.echo(f"Tidak ada yang diubah: {len(problems)} masalah ditemukan.", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    if report.empty and report.kept:
        click.echo("Tidak ada perubahan dari berkas; yang diubah di browser dipertahankan:")
        for line in report.kept:
            click.echo(f"  = {line}")
        return
    if report.empty:
        click.echo("Tidak ada perubahan: database sudah sesuai dengan berkas.")
        return
    click.echo(f"Dibuat: {len(report.created)}, diubah: {len(report.changed)}")
    for line in report.created:
        click.echo(f"  + {line}")
    for line in report.changed:
        click.echo(f"  ~ {line}")
    for line in report.kept:
        click.echo(f"  = {line}")
