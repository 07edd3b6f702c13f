"""A draft made from a whole document (a pasted or uploaded step table): a new SOP of
the tenant, or a new version of one of its SOPs."""
from portal.audit import services as audit
from portal.extensions import db
from portal.sop import services
from portal.sop.document import SopDocument
from portal.sop.models import Sop, SopVersion
from portal.tenancy import admin
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant


def draft_from_document(tenant: Tenant, user, doc: SopDocument, sop: Sop | None = None,
                        create_lanes: bool = False) -> SopVersion:
    if sop is not None:
        existing = services.draft_of(sop)
        if existing is not None:
            raise services.SopError(f"SOP ini sudah memiliki draf (versi {existing.number}); "
                                    "selesaikan atau terbitkan draf itu lebih dulu.")
        based_on = services.latest_published(sop)
    else:
        sop = Sop(tenant_id=tenant.id, key=services.unique_key(tenant, doc.nama))
        db.session.add(sop)
        db.session.flush()
        based_on = None
    version = services.new_version(sop, doc, user.id if user else None, based_on=based_on)
    db.session.flush()
    audit.record(tenant, user, "sop.tempel", "sop_version", version.id,
                 new=f"{doc.nama}: {len(doc.lanes)} pelaksana, {len(doc.steps)} langkah (versi {version.number})")
    if create_lanes and tenant.level == Level.OPD:
        admin.lanes_from_sop(tenant, user, version)
    return version
