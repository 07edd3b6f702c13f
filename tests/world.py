"""A small world for route-level tests: one OPD with a person in every lane, the pemda
admin and coordinator above it, a foreign OPD, and sample rows for URL parameters."""
import re
from dataclasses import dataclass, field

from portal.extensions import db
from portal.tenancy.lanes import LaneKind
from tests.factories import gen_tenant, gen_tree, gen_user, grant

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class World:
    tenant_slug: str
    foreign_slug: str
    emails: dict
    params: dict = field(default_factory=dict)   # URL variable -> value in the own tenant

    def url_for(self, app, url_rule) -> str:
        values = {}
        for name in url_rule.arguments:
            if name == "tenant_slug":
                values[name] = self.tenant_slug
            elif name in self.params:
                values[name] = self.params[name]
            else:
                raise AssertionError(f"tests/world.py has no sample value for URL variable {name!r} "
                                     f"({url_rule.rule}); add one to World.params")
        with app.test_request_context():
            from flask import url_for
            return url_for(url_rule.endpoint, **values)

    @staticmethod
    def csrf(client) -> str:
        page = client.get("/", follow_redirects=True).get_data(as_text=True)
        return CSRF_META.search(page).group(1)


SAMPLE_BUILDERS = []  # functions (app, opd) -> dict of URL params; areas register theirs


def build(app) -> World:
    with app.app_context():
        prov, pemda, opd, sibling = gen_tree()
        foreign_pemda = gen_tenant("pemda", parent=gen_tenant("provinsi"), kind="kota")
        foreign = gen_tenant("opd", parent=foreign_pemda, name="Dinas Asing")
        from portal.tenancy.models import Lane, Unit
        db.session.add(Lane(tenant=foreign, key="kabid", name="Kabid", kind="kabid"))
        db.session.add(Unit(tenant=foreign, key="b", name="Bidang"))
        db.session.flush()
        emails = {}
        for kind in LaneKind:
            if kind in (LaneKind.PEMDA_ADMIN, LaneKind.COORDINATOR):
                continue
            emails[kind.value] = gen_user(f"{kind.value}@matrix.test", tenant=opd, lane_kind=kind.value).email
        emails["pemda_admin"] = gen_user("pemda_admin@matrix.test", tenant=pemda, lane_kind="pemda_admin").email
        emails["coordinator"] = gen_user("coordinator@matrix.test", tenant=prov, lane_kind="coordinator").email
        stranger = gen_user("foreign@matrix.test")
        grant(stranger, foreign, "kabid")
        emails["foreign"] = stranger.email
        params = {}
        for builder in SAMPLE_BUILDERS:
            params.update(builder(opd))
        db.session.commit()
        return World(opd.slug, foreign.slug, emails, params)
