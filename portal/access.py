"""Every route declares who may call it; one guard enforces it before the view runs.

Rules:
  "public"            anyone, signed in or not
  "signed_in"         any signed-in user
  "platform"          a platform admin (everyone else gets 404: the page does not exist for them)
  "tenant"            may see the tenant in the URL (a lane in it or above it)
  "tenant:<cap>"      holds capability <cap> in the tenant in the URL

A route without a rule is refused (and the access-matrix test names it). A tenant the
user may not see answers 404, exactly like one that does not exist.
"""
from flask import abort, current_app, g, request
from flask_login import current_user

from portal import rls, web
from portal.tenancy import scope
from portal.tenancy import services as tenancy
from portal.tenancy.lanes import Capability

# Flask's own endpoints that need no declaration.
BUILTIN_PUBLIC = {"static"}


def rule(spec: str, across_tenants: bool = False):
    """Declare the access rule of a view. `across_tenants=True`: the view works across
    every tenant by design (sign-in, one-time links): its request gets row-level
    security's "every tenant" scope (portal/rls.py) instead of none."""
    _parse(spec)

    def mark(view):
        view.access_rule = spec
        view.across_tenants = across_tenants
        return view

    return mark


def _parse(spec: str) -> tuple[str, Capability | None]:
    kind, _, cap = spec.partition(":")
    if kind not in {"public", "signed_in", "platform", "tenant"} or (cap and kind != "tenant"):
        raise ValueError(f"unknown access rule {spec!r}")
    return kind, Capability(cap) if cap else None


def rule_of(endpoint: str) -> str | None:
    if endpoint in BUILTIN_PUBLIC:
        return "public"
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def load_tenant(endpoint, values):
    """URL value preprocessor: /t/<tenant_slug>/... loads the tenant once per request."""
    g.tenant = None
    if values and "tenant_slug" in values:
        g.tenant_slug = values.pop("tenant_slug")


def add_tenant_slug(endpoint, values):
    """URL defaults: url_for inside a tenant page keeps the tenant."""
    if "tenant_slug" in values or getattr(g, "tenant", None) is None:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "tenant_slug"):
        values["tenant_slug"] = g.tenant.slug


def enforce():
    """before_request: apply the endpoint's rule, and give the request its row-level
    security scope (portal/rls.py): "public" none (unless declared across tenants),
    "signed_in" the families of the person's own tenants, "platform" every tenant,
    "tenant..." the family of the tenant in the URL. The tenant tree is read for the
    decision across tenants: this check is what decides which tenant a request may see."""
    if request.endpoint is None:
        return None  # routing already failed: 404/405 follow
    spec = rule_of(request.endpoint)
    if spec is None:
        current_app.logger.error("route %s declares no access rule", request.endpoint)
        abort(403)
    kind, cap = _parse(spec)
    if getattr(current_app.view_functions.get(request.endpoint), "across_tenants", False):
        rls.enter_every_tenant()
    if kind == "public":
        return None
    if not current_user.is_authenticated:
        return web.to_login()
    rls.enter_user(current_user.id)
    if kind == "signed_in":
        _enter_own_tenants(current_user)
        return None
    if kind == "platform":
        if not current_user.is_platform_admin:
            abort(404)
        rls.enter_every_tenant()
        return None
    slug = getattr(g, "tenant_slug", None)
    with rls.across_tenants():
        tenant = tenancy.tenant_by_slug(slug) if slug else None
        if tenant is None:
            abort(404)
        caps = tenancy.capabilities(current_user, tenant)
        if Capability.VIEW not in caps:
            abort(404)
        if cap is not None and cap not in caps:
            abort(403)
        family = scope.family_ids(tenant) if rls.enforced() else []
    g.tenant = tenant
    g.capabilities = caps
    if rls.enforced():
        rls.enter_scope(family)  # rows of other pemdas are invisible from here on
    return None


def _enter_own_tenants(user) -> None:
    """A page without a tenant in its URL (the personal inbox, the start page, the own
    account) sees the families of the tenants the person holds a lane in."""
    if not rls.enforced() or rls.scope() == rls.EVERY_TENANT:
        return
    if user.is_platform_admin:
        rls.enter_every_tenant()
        return
    with rls.across_tenants():
        family = {i for tenant in tenancy.home_tenants(user) for i in scope.family_ids(tenant)}
    rls.enter_scope(family)
