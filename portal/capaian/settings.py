"""A tenant's capaian options and the rule snapshot frozen on an indicator-year.

The options are data per tenant (IndicatorSettings): the rule for negative
indicators (default (2T - R) / T or the regional T / R) and the kategori scale
(default Permendagri 86/2017). An OPD without its own row follows its pemda; a
pemda without one follows the defaults. When an indicator's PK target is set, the
options in force are copied onto it (Indikator.rules) and used for that year from
then on, whatever the tenant changes later.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from portal.capaian.kategori import KATEGORI_PERMENDAGRI_86_2017, OPINI_BPK, PREDIKAT_SAKIP, Band, KategoriScale
from portal.capaian.models import IndicatorSettings
from portal.capaian.rules import RuleSet
from portal.columns import utcnow
from portal.extensions import db
from portal.tenancy.models import Tenant
from portal.tenancy.services import chain

NEGATIVE_RULE_LABELS = {
    "default": "Bawaan: (2T - R) / T × 100, minimal 0",
    "inverse": "Pilihan daerah: T / R × 100",
}
PREDIKAT_SCALES = {"opini_bpk": OPINI_BPK, "predikat_sakip": PREDIKAT_SAKIP}
PREDIKAT_LABELS = {"opini_bpk": "Opini BPK (WTP, WDP, TW, TMP)", "predikat_sakip": "Predikat SAKIP (AA … D)"}


@dataclass(frozen=True)
class Effective:
    """The options in force for a tenant and where they come from."""

    rules: RuleSet
    source: Tenant | None  # None: the portal's defaults
    row: IndicatorSettings | None

    @property
    def source_label(self) -> str:
        return self.source.name if self.source else "pengaturan bawaan portal"


def effective(tenant: Tenant) -> Effective:
    """The options of the nearest tenant (this one, then its pemda) that has its own."""
    ids = [t.id for t in chain(tenant)[:2]]
    rows = {r.tenant_id: r for r in db.session.scalars(
        select(IndicatorSettings).where(IndicatorSettings.tenant_id.in_(ids)))}
    for t in chain(tenant)[:2]:
        row = rows.get(t.id)
        if row is not None:
            kategori = KategoriScale.from_dict(row.kategori) if row.kategori else KATEGORI_PERMENDAGRI_86_2017
            return Effective(RuleSet(negative_rule=row.negative_rule, kategori=kategori), t, row)
    return Effective(RuleSet(), None, None)


# Plausibility of data entry (as DHIS2's min-max): a realisasi more than `target` times
# off its target, or `sebelumnya` times off the previous triwulan, asks the enterer to
# confirm it with a note. 3 lets a cumulative indicator grow from TW I to TW II freely
# and still catches 12.500 typed for 12,5.
PLAUSIBILITY_DEFAULTS = {"target": Decimal(3), "sebelumnya": Decimal(3)}
PLAUSIBILITY_LABELS = {"target": "Kali lipat dari target (atau sepertiganya)",
                       "sebelumnya": "Kali lipat dari triwulan sebelumnya (atau sepertiganya)"}


def plausibility(tenant: Tenant) -> dict[str, Decimal]:
    """The tenant's plausibility thresholds (its own, its pemda's, else the defaults)."""
    row = effective(tenant).row
    own = (row.plausibility or {}) if row is not None else {}
    return {key: Decimal(str(own.get(key, default))) for key, default in PLAUSIBILITY_DEFAULTS.items()}


def save_plausibility(tenant: Tenant, user, thresholds: dict[str, Decimal]) -> IndicatorSettings:
    """Store the tenant's own plausibility thresholds (factors > 1)."""
    row = db.session.scalar(select(IndicatorSettings).where(IndicatorSettings.tenant_id == tenant.id))
    if row is None:
        inherited = effective(tenant).rules
        row = IndicatorSettings(tenant_id=tenant.id, negative_rule=inherited.negative_rule,
                                kategori=None if inherited.kategori == KATEGORI_PERMENDAGRI_86_2017
                                else inherited.kategori.to_dict())
        db.session.add(row)
    row.plausibility = {key: str(value) for key, value in thresholds.items()}
    row.updated_at = utcnow()
    row.updated_by_id = user.id if user is not None else None
    db.session.flush()
    return row


def snapshot(tenant: Tenant, skala_predikat: str | None = None) -> dict:
    """What Indikator.rules freezes: the RuleSet plus the tenant's options as chosen."""
    eff = effective(tenant)
    data = {
        "ruleset": eff.rules.to_dict(),
        "opsi": {
            "negative_rule": eff.rules.negative_rule,
            "negative_rule_label": NEGATIVE_RULE_LABELS[eff.rules.negative_rule],
            "kategori": eff.rules.kategori.name,
            "sumber": eff.source.slug if eff.source else "bawaan",
        },
    }
    if skala_predikat:
        data["skala_predikat"] = PREDIKAT_SCALES[skala_predikat].to_dict()
    return data


def rules_from_snapshot(data: dict | None) -> RuleSet | None:
    if not data:
        return None
    return RuleSet.from_dict(data["ruleset"])


# Kategori bands as a user types them: one per line, "Label: lower bound" from the
# highest band down, the last line a label alone (everything below).
def parse_kategori(name: str, text: str) -> tuple[KategoriScale | None, list[str]]:
    errors: list[str] = []
    bands: list[Band] = []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) < 2:
        return None, ["Tulis minimal dua kategori, satu per baris."]
    for number, line in enumerate(lines, 1):
        label, sep, bound = line.rpartition(":") if ":" in line else (line, "", "")
        label = label.strip()
        if not sep:
            if number != len(lines):
                errors.append(f"Baris {number}: tulis \"Nama kategori: batas bawah\" "
                              "(hanya baris terakhir tanpa batas).")
            bands.append(Band(line.strip(), None))
            continue
        try:
            lower = Decimal(bound.strip().replace(",", "."))
            if not lower.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors.append(f"Baris {number}: batas bawah {bound.strip()!r} bukan angka.")
            continue
        bands.append(Band(label, lower))
    if errors:
        return None, errors
    if bands[-1].lower is not None:
        return None, ["Baris terakhir adalah kategori terendah: tulis labelnya saja, tanpa batas."]
    try:
        return KategoriScale(name.strip() or "Skala daerah", tuple(bands)), []
    except ValueError as error:
        return None, [str(error)]


def kategori_text(scale: KategoriScale) -> str:
    out = []
    for band in scale.bands:
        out.append(band.label if band.lower is None else f"{band.label}: {band.lower.normalize():f}")
    return "\n".join(out)


def save(tenant: Tenant, user, negative_rule: str, kategori: KategoriScale | None) -> IndicatorSettings:
    """Store the tenant's own options (kategori None: the default scale)."""
    row = db.session.scalar(select(IndicatorSettings).where(IndicatorSettings.tenant_id == tenant.id))
    if row is None:
        row = IndicatorSettings(tenant_id=tenant.id)
        db.session.add(row)
    row.negative_rule = negative_rule
    row.kategori = None if kategori is None or kategori == KATEGORI_PERMENDAGRI_86_2017 else kategori.to_dict()
    row.updated_at = utcnow()
    row.updated_by_id = user.id if user is not None else None
    db.session.flush()
    return row
