"""Pengaturan capaian of a tenant: the negative rule and the kategori scale."""
from flask import Blueprint, g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.capaian import forms, settings
from portal.capaian.figures import angka
from portal.capaian.kategori import KATEGORI_PERMENDAGRI_86_2017
from portal.extensions import db
from portal.tenancy.lanes import Capability

bp = Blueprint("capaian", __name__, url_prefix="/t/<tenant_slug>")


@bp.context_processor
def helpers():
    return {"angka": angka, "can_manage": Capability.MANAGE_TENANT in getattr(g, "capabilities", frozenset())}


def _page(status=200, errors=None, typed=None, saved=False, plausibility_errors=None, plausibility_typed=None):
    eff = settings.effective(g.tenant)
    return web.render("capaian/settings.html", status=status, tenant=g.tenant, eff=eff,
                      own=eff.source is not None and eff.source.id == g.tenant.id,
                      labels=settings.NEGATIVE_RULE_LABELS, errors=errors or {}, typed=typed,
                      default_scale=KATEGORI_PERMENDAGRI_86_2017,
                      kategori_text=settings.kategori_text(eff.rules.kategori), saved=saved,
                      thresholds=settings.plausibility(g.tenant), threshold_labels=settings.PLAUSIBILITY_LABELS,
                      p_errors=plausibility_errors or {}, p_typed=plausibility_typed)


@bp.route("/pengaturan-capaian")
@rule("tenant")
def settings_page():
    return _page(saved=bool(forms.SavedQuery(request.args).tersimpan.data))


@bp.route("/pengaturan-capaian", methods=["POST"])
@rule("tenant:manage_tenant")
def settings_save():
    form = forms.SettingsForm()
    if not form.validate():
        return _page(status=422, errors=form.first_errors(), typed=form.typed())
    settings.save(g.tenant, current_user, form.negative_rule.data, form.scale)
    db.session.commit()
    return web.see_other(url_for("capaian.settings_page", tersimpan=1))


@bp.route("/pengaturan-capaian/kewajaran", methods=["POST"])
@rule("tenant:manage_tenant")
def plausibility_save():
    """The tenant's plausibility thresholds (portal/capaian/plausibility.py reads them)."""
    form = forms.PlausibilityForm()
    if not form.validate():
        return _page(status=422, plausibility_errors=form.first_errors(), plausibility_typed=form.typed())
    settings.save_plausibility(g.tenant, current_user, form.values)
    db.session.commit()
    return web.see_other(url_for("capaian.settings_page", tersimpan=1))
