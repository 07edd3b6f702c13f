"""Bukti dukung of an indicator in a period: list, upload, download, replace, remove."""
from flask import current_app, g, request
from flask_login import current_user
from sqlalchemy import select

from portal import web
from portal.access import rule
from portal.cycles import policy
from portal.extensions import db
from portal.indicators import entry, evidence
from portal.indicators.entry_views import _load, entry_url
from portal.indicators.models import BuktiDukung, IndicatorSet, Indikator, ReportingPeriod
from portal.indicators.views import FRAGMENT_PAGE, bp, opd_only
from portal.problems import Refused
from portal.tenancy.scope import scoped_get


def _max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


@bp.errorhandler(413)
def body_too_large(error):
    """A request body over MAX_CONTENT_LENGTH: werkzeug stops reading it; say why plainly."""
    return web.refusal(413, "Berkas terlalu besar", f"Berkas terlalu besar. Ukuran maksimal "
                       f"{evidence.size_text(_max_bytes())}; perkecil atau pisahkan berkasnya, lalu unggah lagi.")

BUKTI = "indicators/_bukti.html"


def _bukti(period, ind, status=200, error=None, notice=None, error_for=None):
    row = entry.row_for(g.tenant, period, ind, current_user)
    return web.render(FRAGMENT_PAGE, BUKTI, status=status, inner=BUKTI, title="Bukti dukung",
                      back=entry_url(period, ind), r=row, bukti_error=error, bukti_notice=notice, error_for=error_for)


def _uploaded():
    """The bytes of the uploaded file (at most the limit + 1, enough to tell it is too big)."""
    upload = request.files.get("berkas")
    if upload is None or not upload.filename:
        return None, None
    return upload.filename, upload.stream.read(_max_bytes() + 1)


def _own_bukti(bukti_id) -> tuple[BuktiDukung, ReportingPeriod | None, Indikator]:
    opd_only()
    row = scoped_get(BuktiDukung, g.tenant, bukti_id)
    ind = scoped_get(Indikator, g.tenant, row.indikator_id)
    tahun = scoped_get(IndicatorSet, g.tenant, ind.set_id).tahun
    period = db.session.scalar(select(ReportingPeriod).where(
        ReportingPeriod.tenant_id == g.tenant.id, ReportingPeriod.tahun == tahun,
        ReportingPeriod.triwulan == row.triwulan))
    return row, period, ind


def _refusal(period, ind) -> str | None:
    if period is None:
        return "Periode pengisian bukti dukung ini belum dibuka."
    # Bukti dukung is part of the value: who changes it may not review it (cycles.policy).
    return (entry.may_enter(entry.entry_unit_ids(current_user, g.tenant), ind, period)
            or policy.entry_strand_refusal(current_user, g.tenant, ind, period))


@bp.route("/bukti/<int:periode_id>/<int:indikator_id>/")
@rule("tenant")
def bukti_list(periode_id, indikator_id):
    period, ind = _load(periode_id, indikator_id)
    return _bukti(period, ind)


@bp.route("/bukti/<int:periode_id>/<int:indikator_id>/", methods=["POST"])
@rule("tenant:enter_data")
def bukti_upload(periode_id, indikator_id):
    period, ind = _load(periode_id, indikator_id)
    if refusal := _refusal(period, ind):
        raise Refused(refusal)
    filename, data = _uploaded()
    if filename is None:
        return _bukti(period, ind, status=422, error="Pilih berkas bukti dukung terlebih dahulu.")
    try:
        row = evidence.store(ind, period.triwulan, filename, data, current_user, _max_bytes())
    except evidence.BuktiError as error:
        db.session.rollback()
        return _bukti(period, ind, status=422, error=str(error))
    name = row.filename
    db.session.commit()
    return web.in_place(entry_url(period, ind), lambda: _bukti(period, ind, notice=f"Berkas {name} tersimpan."))


@bp.route("/bukti/<int:bukti_id>/unduh")
@rule("tenant")
def bukti_download(bukti_id):
    row = scoped_get(BuktiDukung, g.tenant, bukti_id)
    return web.download(evidence.content(row), row.filename, row.content_type, etag=row.sha256, untrusted=True)


@bp.route("/bukti/<int:bukti_id>/ganti", methods=["POST"])
@rule("tenant:enter_data")
def bukti_replace(bukti_id):
    row, period, ind = _own_bukti(bukti_id)
    if refusal := _refusal(period, ind):
        raise Refused(refusal)
    filename, data = _uploaded()
    if filename is None:
        return _bukti(period, ind, status=422, error="Pilih berkas pengganti terlebih dahulu.", error_for=row.id)
    try:
        result = evidence.replace(row, filename, data, current_user, _max_bytes())
    except evidence.BuktiError as error:
        db.session.rollback()
        return _bukti(period, ind, status=422, error=str(error), error_for=bukti_id)
    if isinstance(result, evidence.Ended):
        message = result.message
        db.session.rollback()
        return _bukti(period, ind, status=409, error=message, error_for=bukti_id)
    notice = f"Berkas {row.filename} diganti dengan {result.filename}."
    db.session.commit()
    return web.in_place(entry_url(period, ind), lambda: _bukti(period, ind, notice=notice))


@bp.route("/bukti/<int:bukti_id>/hapus", methods=["POST"])
@rule("tenant:enter_data")
def bukti_remove(bukti_id):
    row, period, ind = _own_bukti(bukti_id)
    if refusal := _refusal(period, ind):
        raise Refused(refusal)
    result = evidence.remove(row, current_user)
    if isinstance(result, evidence.Ended):
        message = result.message
        db.session.rollback()
        return _bukti(period, ind, status=409, error=message, error_for=bukti_id)
    notice = f"Berkas {row.filename} dihapus dari daftar (tetap tercatat di riwayat)."
    db.session.commit()
    return web.in_place(entry_url(period, ind), lambda: _bukti(period, ind, notice=notice))
