"""Pengaturan capaian of a tenant: the negative rule and the kategori scale."""
from flask import Blueprint, g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.capaian import settings
from portal.capaian.figures import angka
from portal.capaian.kategori import KATEGORI_PERMENDAGRI_86_2017
from portal.capaian.rules import NEGATIVE_RULES
from portal.extensions import db
from portal.tenancy.lanes import Capability

bp = Blueprint("capaian", __name__, url_prefix="/t/<tenant_slug>")


@bp.context_processor
def helpers():
    return {"angka": angka, "can_manage": Capability.MANAGE_TENANT in getattr(g, "capabilities", frozenset())}


def _page(status=200, errors=None, typed=None, saved=False):
    eff = settings.effective(g.tenant)
    return web.render("indicators/settings.html", status=status, tenant=g.tenant, eff=eff,
                      own=eff.source is not None and eff.source.id == g.tenant.id,
                      labels=settings.NEGATIVE_RULE_LABELS, errors=errors or {}, typed=typed,
                      default_scale=KATEGORI_PERMENDAGRI_86_2017,
                      kategori_text=settings.kategori_text(eff.rules.kategori), saved=saved)


@bp.route("/pengaturan-capaian")
@rule("tenant")
def settings_page():
    return _page(saved=bool(request.args.get("tersimpan")))


@bp.route("/pengaturan-capaian", methods=["POST"])
@rule("tenant:manage_tenant")
def settings_save():
    errors = {}
    negative_rule = request.form.get("negative_rule", "")
    if negative_rule not in NEGATIVE_RULES:
        errors["negative_rule"] = "Pilih rumus indikator negatif."
    scale = None
    if request.form.get("skala") == "khusus":
        scale, problems = settings.parse_kategori(request.form.get("nama_skala", ""),
                                                  request.form.get("kategori", ""))
        if problems:
            errors["kategori"] = " ".join(problems)
    elif request.form.get("skala") != "bawaan":
        errors["skala"] = "Pilih skala kategori."
    if errors:
        return _page(status=422, errors=errors, typed=request.form)
    settings.save(g.tenant, current_user, negative_rule, scale)
    db.session.commit()
    return web.see_other(url_for("capaian.settings_page", tersimpan=1))
