"""Indicator sets of an OPD: the list of years, a year's sasaran and indikator.

The routes of the area live in views.py and the *_views.py modules beside it, all on
this one blueprint; each loads (tenant-scoped), checks, calls one service, commits once,
and renders a page or the fragment htmx asked for.
"""
from flask import Blueprint, abort, current_app, g, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.capaian.figures import angka, waktu
from portal.capaian.settings import PREDIKAT_LABELS
from portal.extensions import db
from portal.indikator import copying, definitions, forms, services
from portal.indikator.models import IndicatorSet, Sasaran
from portal.safe_files import size_text
from portal.tenancy.lanes import Capability, Level
from portal.tenancy.scope import scoped_get

bp = Blueprint("indikator", __name__, url_prefix="/t/<tenant_slug>")


@bp.context_processor
def helpers():
    """What the indicator and realisasi templates use (both blueprints register it)."""
    return {"angka": angka, "waktu": waktu,
            "can_manage": Capability.MANAGE_TENANT in getattr(g, "capabilities", frozenset()),
            "POLARITAS_LABELS": definitions.POLARITAS_LABELS, "SIFAT_LABELS": definitions.SIFAT_LABELS,
            "JENIS_LABELS": definitions.JENIS_LABELS, "predikat_labels": PREDIKAT_LABELS,
            "size_text": size_text, "max_upload": current_app.config.get("UPLOAD_MAX_BYTES", 10 << 20)}


@bp.errorhandler(413)
def body_too_large(error):
    """A request body over MAX_CONTENT_LENGTH (an XLSX import, a bukti dukung upload): werkzeug
    stops reading it; say why plainly."""
    max_bytes = int(current_app.config.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
    return web.refusal(413, "Berkas terlalu besar", f"Berkas terlalu besar. Ukuran maksimal "
                       f"{size_text(max_bytes)}; perkecil atau pisahkan berkasnya, lalu unggah lagi.")


def opd_only():
    if g.tenant.level != Level.OPD:
        abort(404)


def own_set(set_id) -> IndicatorSet:
    return scoped_get(IndicatorSet, g.tenant, set_id)


# A row or panel edited in place is also a page of its own (a plain request, no JavaScript):
# this page wraps the fragment named `inner`, in a table when `in_table`.
FRAGMENT_PAGE = "indikator/fragment_page.html"


def save_row(form, save, again, done):
    """The save of a row edited on the set page: `form.read()` gives (values, errors),
    `save(values)` gives (row, errors). Refused: roll back and answer `again(errors,
    typed)` (a 422); saved: commit and answer `done(row)`."""
    values, errors = form.read()
    row = None
    if not errors:
        row, errors = save(values)
    if errors:
        db.session.rollback()
        return again(errors, form.typed())
    db.session.commit()
    return done(row)


# -- the years --------------------------------------------------------------------------

@bp.route("/indikator/")
@rule("tenant")
def index():
    tenant = g.tenant
    sets = services.sets_of(tenant) if tenant.level == Level.OPD else []
    return web.render("indikator/index.html", tenant=tenant, sets=sets, errors={}, typed={},
                      copy_sources=copying.sources(tenant))


@bp.route("/indikator/", methods=["POST"])
@rule("tenant:manage_tenant")
def create_set():
    tenant = g.tenant
    form = forms.YearForm()
    result = form.tahun.errors[0] if not form.validate() else services.create_set(tenant, form.year, current_user)
    if isinstance(result, str):
        db.session.rollback()
        return web.render("indikator/index.html", status=422, tenant=tenant, sets=services.sets_of(tenant),
                          errors={"tahun": result}, typed=form.typed())
    db.session.commit()
    return web.see_other(url_for("indikator.set_page", set_id=result.id))


# -- one year ---------------------------------------------------------------------------

@bp.route("/indikator/<int:set_id>/")
@rule("tenant")
def set_page(set_id):
    opd_only()
    tset = own_set(set_id)
    return web.render("indikator/set.html", tenant=g.tenant, ov=services.overview(g.tenant, tset),
                      new_sasaran={}, errors={})


@bp.route("/indikator/<int:set_id>/sasaran", methods=["POST"])
@rule("tenant:manage_tenant")
def sasaran_create(set_id):
    opd_only()
    tset = own_set(set_id)
    return save_row(
        forms.SasaranForm(), lambda values: services.save_sasaran(tset, None, values),
        lambda errors, typed: web.render("indikator/set.html", status=422, tenant=g.tenant,
                                         ov=services.overview(g.tenant, tset), new_sasaran=typed, errors=errors),
        lambda sasaran: web.see_other(url_for("indikator.set_page", set_id=tset.id) + f"#sasaran-{sasaran.id}"))


def _sasaran(sasaran_id) -> tuple[Sasaran, IndicatorSet]:
    opd_only()
    sasaran = scoped_get(Sasaran, g.tenant, sasaran_id)
    return sasaran, scoped_get(IndicatorSet, g.tenant, sasaran.set_id)


SASARAN_HEAD = "indikator/_sasaran_head.html"


def _sasaran_head(sasaran, tset, editing=False, errors=None, typed=None, status=200, message=None):
    return web.render(FRAGMENT_PAGE, SASARAN_HEAD, status=status, inner=SASARAN_HEAD, title="Sasaran strategis",
                      back=url_for("indikator.set_page", set_id=tset.id),
                      sasaran=sasaran, tset=tset, editing=editing, errors=errors or {},
                      typed=typed or {}, message=message)


@bp.route("/indikator/sasaran/<int:sasaran_id>/")
@rule("tenant")
def sasaran_row(sasaran_id):
    sasaran, tset = _sasaran(sasaran_id)
    return _sasaran_head(sasaran, tset)


@bp.route("/indikator/sasaran/<int:sasaran_id>/ubah")
@rule("tenant:manage_tenant")
def sasaran_edit(sasaran_id):
    sasaran, tset = _sasaran(sasaran_id)
    return _sasaran_head(sasaran, tset, editing=True)


@bp.route("/indikator/sasaran/<int:sasaran_id>/", methods=["POST"])
@rule("tenant:manage_tenant")
def sasaran_update(sasaran_id):
    sasaran, tset = _sasaran(sasaran_id)
    return save_row(
        forms.SasaranForm(), lambda values: services.save_sasaran(tset, sasaran, values),
        lambda errors, typed: _sasaran_head(*_sasaran(sasaran_id), editing=True, errors=errors, typed=typed,
                                            status=422),  # (sasaran, tset) loaded again after the rollback
        lambda _: web.in_place(url_for("indikator.set_page", set_id=tset.id) + f"#sasaran-{sasaran.id}",
                               lambda: _sasaran_head(sasaran, tset)))


@bp.route("/indikator/sasaran/<int:sasaran_id>/hapus", methods=["POST"])
@rule("tenant:manage_tenant")
def sasaran_delete(sasaran_id):
    sasaran, tset = _sasaran(sasaran_id)
    message = services.delete_sasaran(sasaran)
    if message:
        db.session.rollback()
        sasaran, tset = _sasaran(sasaran_id)
        return _sasaran_head(sasaran, tset, status=422, message=message)
    db.session.commit()
    return web.see_other(url_for("indikator.set_page", set_id=tset.id))
