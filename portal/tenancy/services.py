"""Who may see and do what in which tenant. Plain functions: no request, no session."""
from sqlalchemy import select

from portal.auth.models import Membership, User
from portal.extensions import db
from portal.tenancy.lanes import (
    ALL_CAPABILITIES,
    KIND_CAPABILITIES,
    KIND_CAPABILITIES_BELOW,
    Capability,
    LaneKind,
)
from portal.tenancy.models import Lane, Tenant


def tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def chain(tenant: Tenant) -> list[Tenant]:
    """The tenant and its ancestors, nearest first (OPD, pemda, provinsi)."""
    out = [tenant]
    while out[-1].parent is not None:
        out.append(out[-1].parent)
    return out


def capabilities(user: User, tenant: Tenant) -> frozenset[Capability]:
    """What the user may do in this tenant, from their lanes here and above it."""
    if user.is_platform_admin:
        return ALL_CAPABILITIES
    ids = {t.id for t in chain(tenant)}
    rows = db.session.execute(
        select(Membership.tenant_id, Lane.kind)
        .join(Lane, Lane.id == Membership.lane_id)
        .where(Membership.user_id == user.id, Membership.tenant_id.in_(ids))
    ).all()
    caps: set[Capability] = set()
    for tenant_id, kind in rows:
        table = KIND_CAPABILITIES if tenant_id == tenant.id else KIND_CAPABILITIES_BELOW
        caps |= table.get(LaneKind(kind), set())
    return frozenset(caps)


def administers_from_above(actor: User | None, tenant: Tenant) -> bool:
    """The actor administers this tenant through a lane in a tenant above it (pemda admin
    over its OPDs, coordinator over the province), or is a platform admin. None is the
    command line (tenants/ loader), which is trusted."""
    if actor is None or actor.is_platform_admin:
        return True
    above = [t.id for t in chain(tenant) if t.id != tenant.id]
    if not above:
        return False
    kinds = db.session.scalars(select(Lane.kind).join(Membership, Membership.lane_id == Lane.id)
                               .where(Membership.user_id == actor.id, Membership.tenant_id.in_(above)))
    return any(Capability.MANAGE_TENANT in KIND_CAPABILITIES_BELOW.get(LaneKind(kind), set()) for kind in kinds)


def memberships_in(user: User, tenant: Tenant) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Lane, Lane.id == Membership.lane_id)
            .where(Membership.user_id == user.id, Membership.tenant_id == tenant.id)
            .order_by(Lane.position)
        )
    )


def home_tenants(user: User) -> list[Tenant]:
    """Tenants the user holds a lane in directly (or every top tenant for a platform admin)."""
    if user.is_platform_admin:
        return list(db.session.scalars(select(Tenant).where(Tenant.parent_id.is_(None)).order_by(Tenant.name)))
    return list(
        db.session.scalars(
            select(Tenant)
            .where(Tenant.id.in_(select(Membership.tenant_id).where(Membership.user_id == user.id)))
            .order_by(Tenant.level, Tenant.name)
        )
    )


def switchable_tenants(user: User) -> list[Tenant]:
    """What the tenant switcher offers: the user's own tenants and, where a lane
    oversees, the tenants below (pemda admin: its OPDs)."""
    out: list[Tenant] = []
    for tenant in home_tenants(user):
        out.append(tenant)
        if Capability.OVERSEE in capabilities(user, tenant):
            out.extend(tenant.children)
    seen, unique = set(), []
    for t in out:
        if t.id not in seen:
            seen.add(t.id)
            unique.append(t)
    return unique


def people_of(tenant: Tenant) -> list[Membership]:
    """Memberships of a tenant, lane order, for the tenant page (platform admins are no
    tenant's people: never listed or counted)."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Lane, Lane.id == Membership.lane_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == tenant.id, User.is_platform_admin.is_(False))
            .order_by(Lane.position, Membership.id)
        )
    )
