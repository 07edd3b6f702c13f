"""Bukti dukung of an indicator in a period: list, upload, download, replace, remove."""
from flask import current_app, g
from flask_login import current_user
from sqlalchemy import select

from portal import web
from portal.access import rule
from portal.extensions import db
from portal.indikator.models import BuktiDukung, IndicatorSet, Indikator, ReportingPeriod
from portal.indikator.views import FRAGMENT_PAGE, opd_only
from portal.problems import Refused
from portal.realisasi import bukti, forms, services
from portal.realisasi.views import bp, load_row, realisasi_url, require_editable
from portal.safe_files import UploadRefused
from portal.tenancy.scope import scoped_get


def _max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


BUKTI = "realisasi/_bukti.html"


def _bukti(period, ind, status=200, error=None, notice=None, error_for=None):
    row = services.row_for(g.tenant, period, ind, current_user)
    return web.render(FRAGMENT_PAGE, BUKTI, status=status, inner=BUKTI, title="Bukti dukung",
                      back=realisasi_url(period, ind), r=row, bukti_error=error, bukti_notice=notice,
                      error_for=error_for)


def _uploaded():
    """The bytes of the uploaded file (at most the limit + 1, enough to tell it is too big)."""
    upload = forms.BuktiForm().upload
    if upload is None:
        return None, None
    return upload.filename, upload.stream.read(_max_bytes() + 1)


def _own_bukti(bukti_id) -> tuple[BuktiDukung, ReportingPeriod, Indikator]:
    """The file, its period and indicator, refused unless the user may change it now."""
    opd_only()
    row = scoped_get(BuktiDukung, g.tenant, bukti_id)
    ind = scoped_get(Indikator, g.tenant, row.indikator_id)
    tahun = scoped_get(IndicatorSet, g.tenant, ind.set_id).tahun
    period = db.session.scalar(select(ReportingPeriod).where(
        ReportingPeriod.tenant_id == g.tenant.id, ReportingPeriod.tahun == tahun,
        ReportingPeriod.triwulan == row.triwulan))
    if period is None:
        raise Refused("Periode pengisian bukti dukung ini belum dibuka.")
    # Bukti dukung is part of the value: who changes it may not review it (cycles.policy).
    require_editable(period, ind)
    return row, period, ind


def _changed(period, ind, bukti_id, result, notice):
    """The list again after a replace or remove (notice() says what was done): 409 when
    someone else already replaced or removed the file."""
    if isinstance(result, bukti.Ended):
        message = result.message
        db.session.rollback()
        return _bukti(period, ind, status=409, error=message, error_for=bukti_id)
    notice = notice()
    db.session.commit()
    return web.in_place(realisasi_url(period, ind), lambda: _bukti(period, ind, notice=notice))


@bp.route("/bukti/<int:periode_id>/<int:indikator_id>/")
@rule("tenant")
def bukti_list(periode_id, indikator_id):
    period, ind = load_row(periode_id, indikator_id)
    return _bukti(period, ind)


@bp.route("/bukti/<int:periode_id>/<int:indikator_id>/", methods=["POST"])
@rule("tenant:enter_data")
def bukti_upload(periode_id, indikator_id):
    period, ind = load_row(periode_id, indikator_id)
    require_editable(period, ind)
    filename, data = _uploaded()
    if filename is None:
        return _bukti(period, ind, status=422, error="Pilih berkas bukti dukung terlebih dahulu.")
    try:
        row = bukti.store(ind, period.triwulan, filename, data, current_user, _max_bytes())
    except UploadRefused as error:
        db.session.rollback()
        return _bukti(period, ind, status=422, error=str(error))
    name = row.filename
    db.session.commit()
    return web.in_place(realisasi_url(period, ind), lambda: _bukti(period, ind, notice=f"Berkas {name} tersimpan."))


@bp.route("/bukti/<int:bukti_id>/unduh")
@rule("tenant")
def bukti_download(bukti_id):
    row = scoped_get(BuktiDukung, g.tenant, bukti_id)
    return web.download(bukti.content(row), row.filename, row.content_type, etag=row.sha256, untrusted=True)


@bp.route("/bukti/<int:bukti_id>/ganti", methods=["POST"])
@rule("tenant:enter_data")
def bukti_replace(bukti_id):
    row, period, ind = _own_bukti(bukti_id)
    filename, data = _uploaded()
    if filename is None:
        return _bukti(period, ind, status=422, error="Pilih berkas pengganti terlebih dahulu.", error_for=row.id)
    try:
        result = bukti.replace(row, filename, data, current_user, _max_bytes())
    except UploadRefused as error:
        db.session.rollback()
        return _bukti(period, ind, status=422, error=str(error), error_for=bukti_id)
    return _changed(period, ind, bukti_id, result, lambda: f"Berkas {row.filename} diganti dengan {result.filename}.")


@bp.route("/bukti/<int:bukti_id>/hapus", methods=["POST"])
@rule("tenant:enter_data")
def bukti_remove(bukti_id):
    row, period, ind = _own_bukti(bukti_id)
    result = bukti.remove(row, current_user)
    return _changed(period, ind, bukti_id, result,
                    lambda: f"Berkas {row.filename} dihapus dari daftar (tetap tercatat di riwayat).")
