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
from portal.tenancy import services as tenancy
from portal.tenancy.lanes import Capability

# Flask's own endpoints that need no declaration.
BUILTIN_PUBLIC = {"static"}


def rule(spec: str):
    """Declare the access rule of a view."""
    _parse(spec)

    def mark(view):
        view.access_rule = spec
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
    """before_request: apply the endpoint's rule."""
    if request.endpoint is None:
        return None  # routing already failed: 404/405 follow
    spec = rule_of(request.endpoint)
    if spec is None:
        current_app.logger.error("route %s declares no access rule", request.endpoint)
        abort(403)
    kind, cap = _parse(spec)
    if kind == "public":
        return None
    if not current_user.is_authenticated:
        return web.to_login()
    if kind == "signed_in":
        return None
    if kind == "platform":
        if not current_user.is_platform_admin:
            abort(404)
        return None
    slug = getattr(g, "tenant_slug", None)
    tenant = tenancy.tenant_by_slug(slug) if slug else None
    if tenant is None:
        abort(404)
    caps = tenancy.capabilities(current_user, tenant)
    if Capability.VIEW not in caps:
        abort(404)
    if cap is not None and cap not in caps:
        abort(403)
    g.tenant = tenant
    g.capabilities = caps
    rls.enter_tenant(tenant)  # PostgreSQL: rows of other pemdas are invisible from here on
    return None
