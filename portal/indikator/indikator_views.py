"""Indikator and Program/Kegiatan rows of a year, edited in place row by row."""
from flask import g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.capaian.settings import PREDIKAT_LABELS, PREDIKAT_SCALES
from portal.extensions import db
from portal.indikator import forms, services
from portal.indikator.models import IndicatorSet, Indikator, ProgramKegiatan
from portal.indikator.views import FRAGMENT_PAGE, bp, opd_only, own_set, save_row
from portal.tenancy.scope import scoped_get

INDIKATOR_ROW = "indikator/_indikator_row.html"
PROGRAM_ROW = "indikator/_program_row.html"


def _indikator_row(tset, ind=None, editing=False, errors=None, typed=None, status=200, message=None,
                   sasaran_id=None):
    tenant = g.tenant
    return web.render(
        FRAGMENT_PAGE, INDIKATOR_ROW, status=status, inner=INDIKATOR_ROW, in_table=True, title="Indikator kinerja",
        back=url_for("indikator.set_page", set_id=tset.id),
        tset=tset, ind=ind, editing=editing, errors=errors or {}, typed=typed, message=message,
        units=services.units_of(tenant) if editing else [],
        sasaran_list=services.sasaran_of(tenant, tset) if editing else [],
        units_by_id={u.id: u for u in services.units_of(tenant)},
        new_sasaran_id=sasaran_id, predikat_labels=PREDIKAT_LABELS, predikat_scales=PREDIKAT_SCALES)


def _own_indikator(indikator_id) -> tuple[Indikator, IndicatorSet]:
    opd_only()
    ind = scoped_get(Indikator, g.tenant, indikator_id)
    return ind, scoped_get(IndicatorSet, g.tenant, ind.set_id)


def _form(tset) -> forms.IndikatorForm:
    return forms.IndikatorForm({u.id for u in services.units_of(g.tenant)},
                               {s.id for s in services.sasaran_of(g.tenant, tset)})


@bp.route("/indikator/<int:set_id>/baru")
@rule("tenant:manage_tenant")
def indikator_new(set_id):
    opd_only()
    tset = own_set(set_id)
    query = forms.NewRowQuery(request.args)
    sasaran_id = query.sasaran.data
    if query.cancelled:
        return web.in_place(url_for("indikator.set_page", set_id=tset.id), lambda: web.render_fragment(
            "indikator/_indikator_add.html", tset=tset, sasaran_id=sasaran_id))
    return _indikator_row(tset, editing=True, sasaran_id=sasaran_id)


@bp.route("/indikator/<int:set_id>/butir", methods=["POST"])
@rule("tenant:manage_tenant")
def indikator_create(set_id):
    opd_only()
    tset = own_set(set_id)
    form = _form(tset)
    return save_row(
        form, lambda values: services.save_indikator(g.tenant, tset, None, values, current_user),
        lambda errors, typed: _indikator_row(own_set(set_id), editing=True, errors=errors, typed=typed, status=422,
                                             sasaran_id=form.sasaran_id.number),
        lambda ind: web.see_other(url_for("indikator.set_page", set_id=tset.id) + f"#indikator-{ind.id}"))


@bp.route("/indikator/butir/<int:indikator_id>/")
@rule("tenant")
def indikator_row(indikator_id):
    ind, tset = _own_indikator(indikator_id)
    return _indikator_row(tset, ind)


@bp.route("/indikator/butir/<int:indikator_id>/ubah")
@rule("tenant:manage_tenant")
def indikator_edit(indikator_id):
    ind, tset = _own_indikator(indikator_id)
    return _indikator_row(tset, ind, editing=True)


@bp.route("/indikator/butir/<int:indikator_id>/", methods=["POST"])
@rule("tenant:manage_tenant")
def indikator_update(indikator_id):
    ind, tset = _own_indikator(indikator_id)
    before = ind.sasaran_id
    form = _form(tset)

    def again(errors, typed):
        ind, tset = _own_indikator(indikator_id)
        return _indikator_row(tset, ind, editing=True, errors=errors, typed=typed, status=422)

    def done(_):
        url = url_for("indikator.set_page", set_id=tset.id) + f"#indikator-{ind.id}"
        if ind.sasaran_id != before:  # the row moves to another sasaran: the whole page again
            return web.see_other(url)
        return web.in_place(url, lambda: _indikator_row(tset, ind))
    return save_row(
        form, lambda values: services.save_indikator(g.tenant, tset, ind, values, current_user, form.reason),
        again, done)


@bp.route("/indikator/butir/<int:indikator_id>/hapus", methods=["POST"])
@rule("tenant:manage_tenant")
def indikator_delete(indikator_id):
    ind, tset = _own_indikator(indikator_id)
    message = services.delete_indikator(ind)
    if message:
        db.session.rollback()
        ind, tset = _own_indikator(indikator_id)
        return _indikator_row(tset, ind, status=422, message=message)
    db.session.commit()
    return web.see_other(url_for("indikator.set_page", set_id=tset.id))


# -- program / kegiatan ---------------------------------------------------------------------

def _program_row(tset, row=None, editing=False, errors=None, typed=None, status=200, message=None):
    return web.render(
        FRAGMENT_PAGE, PROGRAM_ROW, status=status, inner=PROGRAM_ROW, in_table=True, title="Program/Kegiatan",
        back=url_for("indikator.set_page", set_id=tset.id) + "#program",
        tset=tset, p=services.program_row(row) if row is not None else None, editing=editing,
        errors=errors or {}, typed=typed, message=message,
        programs=services.programs_only(g.tenant, tset) if editing else [],
        sasaran=services.sasaran_of(g.tenant, tset))


def _own_program(program_id) -> tuple[ProgramKegiatan, IndicatorSet]:
    opd_only()
    row = scoped_get(ProgramKegiatan, g.tenant, program_id)
    return row, scoped_get(IndicatorSet, g.tenant, row.set_id)


def _program_form(tset) -> forms.ProgramForm:
    return forms.ProgramForm({p.id for p in services.programs_only(g.tenant, tset)},
                             {s.id for s in services.sasaran_of(g.tenant, tset)})


@bp.route("/indikator/<int:set_id>/program/baru")
@rule("tenant:manage_tenant")
def program_new(set_id):
    opd_only()
    tset = own_set(set_id)
    if forms.NewRowQuery(request.args).cancelled:
        return web.in_place(url_for("indikator.set_page", set_id=tset.id) + "#program",
                            lambda: web.render_fragment("indikator/_program_add.html", tset=tset))
    return _program_row(tset, editing=True)


@bp.route("/indikator/<int:set_id>/program", methods=["POST"])
@rule("tenant:manage_tenant")
def program_create(set_id):
    opd_only()
    tset = own_set(set_id)
    return save_row(
        _program_form(tset), lambda values: services.save_program(tset, None, values),
        lambda errors, typed: _program_row(own_set(set_id), editing=True, errors=errors, typed=typed, status=422),
        lambda row: web.see_other(url_for("indikator.set_page", set_id=tset.id) + f"#program-{row.id}"))


@bp.route("/indikator/program/<int:program_id>/")
@rule("tenant")
def program_row(program_id):
    row, tset = _own_program(program_id)
    return _program_row(tset, row)


@bp.route("/indikator/program/<int:program_id>/ubah")
@rule("tenant:manage_tenant")
def program_edit(program_id):
    row, tset = _own_program(program_id)
    return _program_row(tset, row, editing=True)


@bp.route("/indikator/program/<int:program_id>/", methods=["POST"])
@rule("tenant:manage_tenant")
def program_update(program_id):
    row, tset = _own_program(program_id)
    before = row.parent_id

    def again(errors, typed):
        row, tset = _own_program(program_id)
        return _program_row(tset, row, editing=True, errors=errors, typed=typed, status=422)

    def done(_):
        url = url_for("indikator.set_page", set_id=tset.id) + f"#program-{row.id}"
        if row.parent_id != before:  # the row moves under another program: the whole page again
            return web.see_other(url)
        return web.in_place(url, lambda: _program_row(tset, row))
    return save_row(_program_form(tset), lambda values: services.save_program(tset, row, values), again, done)


@bp.route("/indikator/program/<int:program_id>/hapus", methods=["POST"])
@rule("tenant:manage_tenant")
def program_delete(program_id):
    row, tset = _own_program(program_id)
    message = services.delete_program(row)
    if message:
        db.session.rollback()
        row, tset = _own_program(program_id)
        return _program_row(tset, row, status=422, message=message)
    db.session.commit()
    return web.see_other(url_for("indikator.set_page", set_id=tset.id) + "#program")
