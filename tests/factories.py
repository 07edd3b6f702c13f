"""Small builders for test data, with keyword overrides."""
import itertools

from portal.auth.models import Membership, User
from portal.extensions import db
from portal.tenancy.models import Lane, Tenant, Unit

_seq = itertools.count(1)
PASSWORD = "rahasia-123"


def gen_tenant(level="opd", parent=None, **kw) -> Tenant:
    n = next(_seq)
    tenant = Tenant(level=level, parent=parent, slug=kw.pop("slug", f"{level}-{n}"),
                    name=kw.pop("name", f"{level.upper()} Uji {n}"), **kw)
    db.session.add(tenant)
    db.session.flush()
    return tenant


def gen_tree():
    """provinsi → pemda → two OPDs, each with a unit and the usual lanes."""
    prov = gen_tenant("provinsi", name="Provinsi Uji")
    pemda = gen_tenant("pemda", parent=prov, name="Kota Uji", kind="kota")
    opd_a = gen_tenant("opd", parent=pemda, name="Dinas A")
    opd_b = gen_tenant("opd", parent=pemda, name="Dinas B")
    for opd in (opd_a, opd_b):
        for position, kind in enumerate(["kepala", "sekretaris", "perencana", "kabid", "tim_sakip", "staf"], 1):
            db.session.add(Lane(tenant=opd, key=kind, name=f"Lane {kind}", kind=kind, position=position))
        db.session.add(Unit(tenant=opd, key="bidang-1", name="Bidang Satu", position=1))
    db.session.add(Lane(tenant=pemda, key="admin", name="Admin Pemda", kind="pemda_admin"))
    db.session.add(Lane(tenant=prov, key="koordinator", name="Koordinator", kind="coordinator"))
    db.session.flush()
    return prov, pemda, opd_a, opd_b


def gen_user(email=None, *, tenant=None, lane_kind=None, password=PASSWORD, **kw) -> User:
    n = next(_seq)
    user = User(email=email or f"user{n}@uji.test", name=kw.pop("name", f"Pengguna {n}"), **kw)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if tenant is not None and lane_kind is not None:
        grant(user, tenant, lane_kind)
    return user


def grant(user, tenant, lane_kind, unit=None) -> Membership:
    lane = next(lane for lane in tenant.lanes if lane.kind == lane_kind)
    if unit is None and lane_kind in ("kabid", "staf") and tenant.units:
        unit = tenant.units[0]
    membership = Membership(user=user, tenant_id=tenant.id, lane_id=lane.id, unit_id=unit.id if unit else None)
    db.session.add(membership)
    db.session.flush()
    return membership
