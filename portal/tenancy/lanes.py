"""Lane kinds and what each may do.

A tenant names its lanes as its SOP does ("Kepala Dinas", "Kepala PD", "Kadis"); what a
lane may do follows from its kind alone, so renaming a lane never changes a permission.
"""
from enum import StrEnum


class Level(StrEnum):
    PROVINSI = "provinsi"
    PEMDA = "pemda"
    OPD = "opd"


LEVEL_LABELS = {Level.PROVINSI: "Provinsi", Level.PEMDA: "Pemerintah Daerah", Level.OPD: "Perangkat Daerah"}
PARENT_LEVEL = {Level.PEMDA: Level.PROVINSI, Level.OPD: Level.PEMDA}


class LaneKind(StrEnum):
    KEPALA = "kepala"
    SEKRETARIS = "sekretaris"
    PERENCANA = "perencana"
    KABID = "kabid"
    TIM_SAKIP = "tim_sakip"
    STAF = "staf"
    PEMDA_ADMIN = "pemda_admin"
    COORDINATOR = "coordinator"


KIND_LABELS = {
    LaneKind.KEPALA: "Kepala Perangkat Daerah",
    LaneKind.SEKRETARIS: "Sekretaris",
    LaneKind.PERENCANA: "Jabatan Fungsional Perencana",
    LaneKind.KABID: "Kepala Bidang",
    LaneKind.TIM_SAKIP: "Tim SAKIP",
    LaneKind.STAF: "Staf",
    LaneKind.PEMDA_ADMIN: "Admin SAKIP Pemda",
    LaneKind.COORDINATOR: "Koordinator SAKIP Provinsi",
}

# The tenant level a lane of each kind belongs to.
KIND_LEVEL = {
    LaneKind.KEPALA: Level.OPD,
    LaneKind.SEKRETARIS: Level.OPD,
    LaneKind.PERENCANA: Level.OPD,
    LaneKind.KABID: Level.OPD,
    LaneKind.TIM_SAKIP: Level.OPD,
    LaneKind.STAF: Level.OPD,
    LaneKind.PEMDA_ADMIN: Level.PEMDA,
    LaneKind.COORDINATOR: Level.PROVINSI,
}

# Kinds that are always held for a unit (a Kabid is a Kabid *of a unit*).
UNIT_KINDS = frozenset({LaneKind.KABID, LaneKind.STAF})


class Capability(StrEnum):
    VIEW = "view"                    # see the tenant's pages
    ENTER_DATA = "enter_data"        # submit realisasi and bukti dukung for own unit
    REVIEW = "review"                # validate / verify / return
    SIGN = "sign"                    # sign off and lock; reopen
    MANAGE_SOP = "manage_sop"        # edit and publish SOP drafts
    MANAGE_TENANT = "manage_tenant"  # units, lanes, people, indicator sets
    OVERSEE = "oversee"              # read across the tenants below


# What a lane of each kind may do in its own tenant.
KIND_CAPABILITIES = {
    LaneKind.KEPALA: {Capability.VIEW, Capability.SIGN, Capability.REVIEW},
    LaneKind.SEKRETARIS: {Capability.VIEW, Capability.REVIEW, Capability.MANAGE_SOP},
    LaneKind.PERENCANA: {Capability.VIEW, Capability.REVIEW, Capability.MANAGE_SOP, Capability.MANAGE_TENANT},
    LaneKind.KABID: {Capability.VIEW, Capability.ENTER_DATA},
    LaneKind.TIM_SAKIP: {Capability.VIEW, Capability.REVIEW},
    LaneKind.STAF: {Capability.VIEW, Capability.ENTER_DATA},
    LaneKind.PEMDA_ADMIN: {Capability.VIEW, Capability.OVERSEE, Capability.MANAGE_SOP, Capability.MANAGE_TENANT},
    LaneKind.COORDINATOR: {Capability.VIEW, Capability.OVERSEE, Capability.MANAGE_SOP, Capability.MANAGE_TENANT},
}

# What a lane grants in the tenants *below* its own (pemda admin over its OPDs,
# coordinator over the pemda of the province and their OPDs). Oversight is reading
# and administration, never entering, reviewing or signing an OPD's data.
KIND_CAPABILITIES_BELOW = {
    LaneKind.PEMDA_ADMIN: {Capability.VIEW, Capability.OVERSEE, Capability.MANAGE_SOP, Capability.MANAGE_TENANT},
    LaneKind.COORDINATOR: {Capability.VIEW, Capability.OVERSEE, Capability.MANAGE_SOP, Capability.MANAGE_TENANT},
}

ALL_CAPABILITIES = frozenset(Capability)
