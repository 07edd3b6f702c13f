"""What the base template shows: who is signed in, which tenant, the switcher, the nav."""
from flask import g
from flask_login import current_user

from portal.tenancy import services
from portal.tenancy.lanes import Capability


def context() -> dict:
    if not current_user.is_authenticated:
        return {"switch_tenants": [], "current_tenant": None, "caps": frozenset(), "Capability": Capability}
    tenant = getattr(g, "tenant", None)
    return {
        "switch_tenants": services.switchable_tenants(current_user),
        "current_tenant": tenant,
        "caps": getattr(g, "capabilities", frozenset()),
        "my_lanes": services.memberships_in(current_user, tenant) if tenant else [],
        "Capability": Capability,
    }
