"""Pengisian realisasi: the rows of the open period, each edited and saved in place."""
from flask import abort, g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.cycles import policy, review
from portal.extensions import db
from portal.indicators import entry, forms
from portal.indicators.models import IndicatorSet, Indikator, ReportingPeriod
from portal.indicators.views import FRAGMENT_PAGE, bp, opd_only
from portal.problems import Conflict, Refused
from portal.tenancy.scope import scoped_get


def entry_url(period, ind=None) -> str:
    url = url_for("indicators.entry_page", periode=period.id)
    return url + (f"#realisasi-{ind.id}" if ind is not None else "")


@bp.route("/realisasi/")
@rule("tenant")
def entry_page():
    tenant = g.tenant
    periods = entry.periods_of(tenant) if tenant.level == "opd" else []
    wanted = request.args.get("periode", type=int)
    period = next((p for p in periods if p.id == wanted), None) if wanted else entry.default_period(periods)
    if wanted and period is None:
        abort(404)
    unit_ids = entry.entry_unit_ids(current_user, tenant)
    rows = entry.rows_for(tenant, period, current_user, unit_ids=unit_ids) if period else []
    tset = entry.set_of_year(tenant, period.tahun) if period else None
    return web.render("indicators/realisasi.html", tenant=tenant, periods=periods, period=period, rows=rows,
                      groups=entry.grouped(rows), tset=tset, my_units=bool(unit_ids))


def _load(periode_id, indikator_id) -> tuple[ReportingPeriod, Indikator]:
    opd_only()
    period = scoped_get(ReportingPeriod, g.tenant, periode_id)
    ind = scoped_get(Indikator, g.tenant, indikator_id)
    if scoped_get(IndicatorSet, g.tenant, ind.set_id).tahun != period.tahun:
        abort(404)
    return period, ind

ROW = "indicators/_realisasi_row.html"


def _row(period, ind, editing=False, errors=None, typed=None, status=200, message=None, revision=None,
         saved=False, resubmitted=False):
    row = entry.row_for(g.tenant, period, ind, current_user)
    current = row.current
    return web.render(
        FRAGMENT_PAGE, ROW, status=status, inner=ROW, title="Pengisian realisasi", back=entry_url(period, ind),
        r=row, editing=editing and row.editable, errors=errors or {}, typed=typed, message=message,
        revision=revision if revision is not None else (current.revision if current else 0), saved=saved,
        resubmitted=resubmitted)


@bp.route("/realisasi/<int:periode_id>/<int:indikator_id>/")
@rule("tenant")
def entry_row(periode_id, indikator_id):
    period, ind = _load(periode_id, indikator_id)
    return _row(period, ind)


@bp.route("/realisasi/<int:periode_id>/<int:indikator_id>/ubah")
@rule("tenant:enter_data")
def entry_edit(periode_id, indikator_id):
    period, ind = _load(periode_id, indikator_id)
    refusal = entry.may_enter(entry.entry_unit_ids(current_user, g.tenant), ind, period) or \
        policy.entry_strand_refusal(current_user, g.tenant, ind, period)
    if refusal:
        raise Refused(refusal)
    return _row(period, ind, editing=True)


@bp.route("/realisasi/<int:periode_id>/<int:indikator_id>/", methods=["POST"])
@rule("tenant:enter_data")
def entry_save(periode_id, indikator_id):
    period, ind = _load(periode_id, indikator_id)
    refusal = entry.may_enter(entry.entry_unit_ids(current_user, g.tenant), ind, period) or \
        policy.entry_strand_refusal(current_user, g.tenant, ind, period)
    if refusal:
        raise Refused(refusal)
    form = forms.RealisasiForm()
    values, errors = entry.read_entry(form.typed(), ind)
    revision = form.revision
    if errors:
        db.session.rollback()
        return _row(period, ind, editing=True, errors=errors, typed=request.form, status=422, revision=revision)
    result = entry.save_entry(ind, period.triwulan, current_user, values, revision)
    if isinstance(result, entry.Conflict):
        message, latest = result.message, result.row.revision
        db.session.rollback()
        return _row(period, ind, editing=True, typed=request.form, status=409, message=message, revision=latest)
    db.session.commit()
    return web.in_place(entry_url(period, ind), lambda: _row(period, ind, saved=True))


@bp.route("/realisasi/<int:periode_id>/<int:indikator_id>/ajukan", methods=["POST"])
@rule("tenant:enter_data")
def entry_resubmit(periode_id, indikator_id):
    """A returned value, corrected on this page, goes back to the review that returned it
    (the cycle's own submit: the same checks as on the cycle page)."""
    period, ind = _load(periode_id, indikator_id)
    item = entry.returned_items(g.tenant, period, [ind.id]).get(ind.id)
    if item is None:
        raise Conflict("Indikator ini tidak sedang dikembalikan; tidak ada yang perlu diajukan kembali.")
    review.submit([item], current_user)  # a CycleError is answered by errors.py (422, or 403 if refused)
    db.session.commit()
    return web.in_place(entry_url(period, ind), lambda: _row(period, ind, resubmitted=True))
