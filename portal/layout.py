"""What the base template shows: who is signed in, which tenant, the switcher, the nav."""
from dataclasses import dataclass

from flask import g, url_for
from flask_login import current_user

from portal import rls
from portal.tenancy import services
from portal.tenancy.lanes import Capability


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    capability: Capability


# The tenant navigation, in order. An entry shows when the user holds its capability
# in the current tenant (the route checks it again on the server).
NAV: list[NavEntry] = [
    NavEntry("SOP", "sop.index", Capability.VIEW),
    NavEntry("Siklus", "cycles.index", Capability.VIEW),
    NavEntry("Indikator", "indikator.index", Capability.VIEW),
    NavEntry("Realisasi", "realisasi.index", Capability.VIEW),
    NavEntry("Hari libur", "calendar.index", Capability.VIEW),
    NavEntry("Pemantauan", "oversight.matrix", Capability.OVERSEE),
    NavEntry("Organisasi", "home.organisation", Capability.VIEW),
    NavEntry("Kelola instansi", "onboarding.manage", Capability.MANAGE_TENANT),
    NavEntry("Orang", "onboarding.people", Capability.MANAGE_TENANT),
    NavEntry("Kesiapan", "onboarding.readiness", Capability.MANAGE_TENANT),
    NavEntry("Ekspor", "exports.index", Capability.VIEW),
]


def nav_items(caps) -> list[dict]:
    return [{"label": e.label, "url": url_for(e.endpoint)} for e in NAV if e.capability in caps]


def context() -> dict:
    if not current_user.is_authenticated:
        return {"switch_tenants": [], "current_tenant": None, "caps": frozenset(), "Capability": Capability}
    tenant = getattr(g, "tenant", None)
    with rls.across_tenants():  # the switcher offers tenants of other families too
        switch_tenants = services.switchable_tenants(current_user)
    return {
        "switch_tenants": switch_tenants,
        "current_tenant": tenant,
        "caps": getattr(g, "capabilities", frozenset()),
        "nav_items": nav_items(getattr(g, "capabilities", frozenset())) if tenant else [],
        "my_lanes": services.memberships_in(current_user, tenant) if tenant else [],
        "Capability": Capability,
    }
