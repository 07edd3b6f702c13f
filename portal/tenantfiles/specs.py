"""What the tenant files say, as plain data, before anything touches the database."""
from dataclasses import dataclass, field

from portal.tenancy.lanes import Level


@dataclass
class LaneSpec:
    key: str
    name: str
    kind: str


@dataclass
class UnitSpec:
    key: str
    name: str


@dataclass
class GrantSpec:
    lane: str
    unit: str | None = None


@dataclass
class PersonSpec:
    email: str
    name: str
    nip: str = ""
    password: str = ""
    grants: list[GrantSpec] = field(default_factory=list)
    file: str = ""
    line: int = 0


@dataclass
class TenantSpec:
    level: Level
    slug: str
    name: str
    short_name: str = ""
    kind: str = ""
    parent_slug: str | None = None
    lanes: list[LaneSpec] = field(default_factory=list)
    units: list[UnitSpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    sop_path: str | None = None    # relative to the tenants folder
    template_paths: list[str] = field(default_factory=list)  # provinsi: its SOP template library
    file: str = ""
    line: int = 0
    parent_line: int = 0


@dataclass
class Bundle:
    """Everything in a tenants folder, validated and ready to apply."""

    tenants: list[TenantSpec] = field(default_factory=list)   # parents before children
    platform_admins: list[PersonSpec] = field(default_factory=list)
    sops: dict = field(default_factory=dict)                  # path -> SOP document spec
    indicator_files: list = field(default_factory=list)       # read by tenantfiles.indicator_reader
