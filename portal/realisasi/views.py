"""Pengisian realisasi: the rows of the open period, each edited and saved in place.

The routes of the area live here and in bukti_views.py, on this one blueprint (the URL
paths are those the indicator pages always had: /t/<tenant>/realisasi/, /bukti/)."""
from flask import Blueprint, abort, g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.capaian import plausibility
from portal.cycles import review
from portal.extensions import db
from portal.indikator import periods
from portal.indikator import services as indicator_services
from portal.indikator import views as indicator_views
from portal.indikator.models import IndicatorSet, Indikator, ReportingPeriod
from portal.indikator.views import FRAGMENT_PAGE, opd_only
from portal.problems import Conflict, Refused
from portal.realisasi import forms, services
from portal.tenancy.lanes import Level
from portal.tenancy.scope import scoped_get

bp = Blueprint("realisasi", __name__, url_prefix="/t/<tenant_slug>")
bp.context_processor(indicator_views.helpers)
bp.register_error_handler(413, indicator_views.body_too_large)


def realisasi_url(period, ind=None) -> str:
    url = url_for("realisasi.index", periode=period.id)
    return url + (f"#realisasi-{ind.id}" if ind is not None else "")


@bp.route("/realisasi/")
@rule("tenant")
def index():
    tenant = g.tenant
    all_periods = periods.periods_of(tenant) if tenant.level == Level.OPD else []
    wanted = forms.PeriodQuery(request.args).periode.data
    period = next((p for p in all_periods if p.id == wanted), None) if wanted else periods.default_period(all_periods)
    if wanted and period is None:
        abort(404)
    unit_ids = services.realisasi_unit_ids(current_user, tenant)
    rows = services.rows_for(tenant, period, current_user, unit_ids=unit_ids) if period else []
    tset = indicator_services.set_of_year(tenant, period.tahun) if period else None
    progress = services.progress(tenant, period, current_user, rows) if period and unit_ids else None
    return web.render("realisasi/index.html", tenant=tenant, periods=all_periods, period=period, rows=rows,
                      groups=services.grouped(rows), tset=tset, my_units=bool(unit_ids), progress=progress)


def load_row(periode_id, indikator_id) -> tuple[ReportingPeriod, Indikator]:
    """The period and indicator of a row of this tenant's page (404 when they do not
    belong together)."""
    opd_only()
    period = scoped_get(ReportingPeriod, g.tenant, periode_id)
    ind = scoped_get(Indikator, g.tenant, indikator_id)
    if scoped_get(IndicatorSet, g.tenant, ind.set_id).tahun != period.tahun:
        abort(404)
    return period, ind


def require_editable(period, ind, lock=services.ASK) -> None:
    """Refused (403) unless the user may change the row's value and bukti dukung now."""
    if refusal := services.refusal(current_user, g.tenant, ind, period, lock):
        if lock is not None and services.lock_of(ind, period):
            raise services.Locked(refusal)  # under review or signed: say so, not "Akses ditolak"
        raise Refused(refusal)


ROW = "realisasi/_row.html"


def _row(period, ind, editing=False, errors=None, typed=None, status=200, message=None, revision=None,
         saved=False, resubmitted=False, flags=None, confirm_key=""):
    row = services.row_for(g.tenant, period, ind, current_user)
    current = row.current
    return web.render(
        FRAGMENT_PAGE, ROW, status=status, inner=ROW, title="Pengisian realisasi", back=realisasi_url(period, ind),
        r=row, editing=editing and row.editable, errors=errors or {}, typed=typed, message=message,
        revision=revision if revision is not None else (current.revision if current else 0), saved=saved,
        resubmitted=resubmitted, flags=flags or [], confirm_key=confirm_key)


@bp.route("/realisasi/<int:periode_id>/<int:indikator_id>/")
@rule("tenant")
def show(periode_id, indikator_id):
    period, ind = load_row(periode_id, indikator_id)
    return _row(period, ind)


@bp.route("/realisasi/<int:periode_id>/<int:indikator_id>/ubah")
@rule("tenant:enter_data")
def edit(periode_id, indikator_id):
    period, ind = load_row(periode_id, indikator_id)
    require_editable(period, ind)
    return _row(period, ind, editing=True)


@bp.route("/realisasi/<int:periode_id>/<int:indikator_id>/", methods=["POST"])
@rule("tenant:enter_data")
def save(periode_id, indikator_id):
    period, ind = load_row(periode_id, indikator_id)
    # Who may: here (403). Whether a cycle holds the value (submitted, signed): checked by
    # save_realisasi under the cycle's lock, a 409 naming who did it.
    require_editable(period, ind, lock=None)
    services.hold(ind, period.triwulan)  # first: no plausibility question about a value that cannot be saved
    form = forms.RealisasiForm()
    values, errors = forms.read_realisasi(form.typed(), ind)
    revision = form.loaded_revision
    if errors:
        db.session.rollback()
        return _row(period, ind, editing=True, errors=errors, typed=form.typed(), status=422, revision=revision)
    flags = services.plausibility_flags(ind, period.triwulan, values, form.value_typed(ind), revision)
    if flags:
        codes, note = form.confirmation(ind)
        if not plausibility.confirmed(flags, codes, note):
            db.session.rollback()
            errors = {"catatan_kewajaran": "Tulis catatan mengapa nilai ini benar."} if codes and not note else {}
            return _row(period, ind, editing=True, errors=errors, typed=form.typed(), status=422, revision=revision,
                        flags=flags, confirm_key=form.confirmation_key(ind, plausibility.codes(flags)))
        values.plausibility_flags, values.plausibility_note = plausibility.codes(flags), note
    result = services.save_realisasi(ind, period.triwulan, current_user, values, revision)
    if isinstance(result, services.Conflict):
        message, latest = result.message, result.row.revision
        db.session.rollback()
        return _row(period, ind, editing=True, typed=form.typed(), status=409, message=message, revision=latest)
    db.session.commit()
    return web.in_place(realisasi_url(period, ind), lambda: _row(period, ind, saved=True))


@bp.route("/realisasi/<int:periode_id>/<int:indikator_id>/ajukan", methods=["POST"])
@rule("tenant:enter_data")
def resubmit(periode_id, indikator_id):
    """A returned value, corrected on this page, goes back to the review that returned it
    (the cycle's own submit: the same checks as on the cycle page)."""
    period, ind = load_row(periode_id, indikator_id)
    item = services.returned_items(g.tenant, period, [ind.id]).get(ind.id)
    if item is None:
        raise Conflict("Indikator ini tidak sedang dikembalikan; tidak ada yang perlu diajukan kembali.")
    review.submit([item], current_user)  # a CycleError is answered by errors.py (422, or 403 if refused)
    db.session.commit()
    return web.in_place(realisasi_url(period, ind), lambda: _row(period, ind, resubmitted=True))
