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
    ACT = "act"                      # do the cycle steps the SOP gives the lane (start, mark done)
    ENTER_DATA = "enter_data"        # enter and submit realisasi and bukti dukung for own unit
    REVIEW = "review"                # validate / verify / return, where the SOP's step names the lane
    SIGN = "sign"                    # sign off and lock; reopen; approve the OPD's SOP
    MANAGE_SOP = "manage_sop"        # edit and publish SOP drafts
    MANAGE_TENANT = "manage_tenant"  # units, lanes, people, indicator sets
    OVERSEE = "oversee"              # read across the tenants below


# What a lane of each kind may do in its own tenant.
KIND_CAPABILITIES = {
    LaneKind.KEPALA: {Capability.VIEW, Capability.ACT, Capability.SIGN, Capability.REVIEW},
    LaneKind.SEKRETARIS: {Capability.VIEW, Capability.ACT, Capability.REVIEW, Capability.MANAGE_SOP},
    LaneKind.PERENCANA: {Capability.VIEW, Capability.ACT, Capability.REVIEW, Capability.MANAGE_SOP,
                         Capability.MANAGE_TENANT},
    # A Kabid reviews where the SOP says so (Kota Blitar: he validates his own field's data).
    LaneKind.KABID: {Capability.VIEW, Capability.ACT, Capability.ENTER_DATA, Capability.REVIEW},
    LaneKind.TIM_SAKIP: {Capability.VIEW, Capability.ACT, Capability.REVIEW},
    LaneKind.STAF: {Capability.VIEW, Capability.ACT, Capability.ENTER_DATA},
    LaneKind.PEMDA_ADMIN: {Capability.VIEW, Capability.OVERSEE, Capability.MANAGE_SOP, Capability.MANAGE_TENANT},
    LaneKind.COORDINATOR: {Capability.VIEW, Capability.OVERSEE, Capability.MANAGE_SOP, Capability.MANAGE_TENANT},
}

# What a lane grants in the tenants *below* its own (pemda admin over its OPDs,
# coordinator over the pemda of the province and their OPDs). Oversight is reading
# and administration, never acting in a cycle, entering, reviewing or signing an OPD's
# data (portal/cycles/policy.py checks the capabilities above and nothing else).
KIND_CAPABILITIES_BELOW = {
    LaneKind.PEMDA_ADMIN: {Capability.VIEW, Capability.OVERSEE, Capability.MANAGE_SOP, Capability.MANAGE_TENANT},
    LaneKind.COORDINATOR: {Capability.VIEW, Capability.OVERSEE, Capability.MANAGE_SOP, Capability.MANAGE_TENANT},
}

ALL_CAPABILITIES = frozenset(Capability)


def kinds_with(capability: Capability) -> frozenset[str]:
    """The lane kinds (values) whose holders have `capability` in their own tenant."""
    return frozenset(k.value for k, caps in KIND_CAPABILITIES.items() if capability in caps)

# Kinds whose holders sign or administer: granting such a lane, changing such a lane's
# kind, or resetting the account of someone who holds one is for an administrator above
# the tenant (pemda admin, coordinator, platform admin), never for a peer inside it.
PRIVILEGED_KINDS = frozenset(
    kind.value for kind, caps in KIND_CAPABILITIES.items()
    if caps & {Capability.SIGN, Capability.MANAGE_TENANT})
