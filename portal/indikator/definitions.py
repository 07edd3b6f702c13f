"""Indicator definitions are versioned, not overwritten: once an indicator's capaian
rules are frozen with its PK target, a change of what the capaian is computed from
needs a reason, and every changed field is audited (old → new, who, in which lane, why).
Signed figures keep their own record (portal.signing), so no edit changes what was signed.

The rules of a definition's values live here too, shared by the web form, the XLSX
import and tenant files: a number as the columns hold it (`number`) and the cross-field
rules of a target (`target_problems`).
"""
from decimal import Decimal

from sqlalchemy import select

from portal.audit import services as audit
from portal.auth.models import Membership
from portal.capaian.kategori import PredikatTidakValid, format_angka
from portal.capaian.settings import PREDIKAT_SCALES
from portal.capaian.values import BELUM_DIISI, AngkaTidakValid, parse_angka
from portal.extensions import db
from portal.indikator.models import Indikator, Sasaran
from portal.tenancy.models import Lane, Tenant, Unit

POLARITAS_LABELS = {"positif": "Positif", "negatif": "Negatif"}
SIFAT_LABELS = {"kumulatif": "Kumulatif", "nilai_akhir": "Nilai akhir", "rata_rata": "Rata-rata"}
JENIS_LABELS = {"angka": "Angka", "rentang": "Rentang (batas bawah–atas)", "predikat": "Predikat"}

MAX_INTEGER_DIGITS = {4: 14, 2: 18}  # Numeric(18, 4) and Numeric(20, 2)


def number(raw: str, *, places: int = 4, negative: bool = True) -> tuple[Decimal | None, str | None]:
    """Parse "1.234,5" (blank: None) as a column of `places` decimals holds it.
    Returns (value, message)."""
    try:
        value = parse_angka(raw or "")
    except AngkaTidakValid:
        return None, "Bukan angka. Gunakan koma untuk desimal, misalnya 12,5 atau 1.234,5."
    if value is BELUM_DIISI:
        return None, None
    if value < 0 and not negative:
        return None, "Nilai tidak boleh negatif."
    if value.as_tuple().exponent < -places:
        return None, f"Maksimal {places} angka di belakang koma."
    if abs(value) >= Decimal(10) ** MAX_INTEGER_DIGITS[places]:
        return None, "Angka terlalu besar."
    return value, None


def target_problems(v: dict) -> dict:
    """Cross-field rules of a target (shared by the form, the XLSX import and tenant files).
    Puts the predikat target in its scale's spelling, and clears the predikat fields of
    a target that is not a predikat."""
    errors = {}
    jenis = v.get("jenis_target")
    if jenis == "rentang":
        lo, hi = v.get("target_bawah"), v.get("target_atas")
        if (lo is None) != (hi is None):
            errors["target_atas" if hi is None else "target_bawah"] = "Isi batas bawah dan batas atas rentang."
        elif lo is not None and lo > hi:
            errors["target_bawah"] = "Batas bawah melebihi batas atas."
    elif v.get("target_bawah") is not None or v.get("target_atas") is not None:
        errors["target_bawah"] = "Batas rentang hanya untuk jenis target rentang."
    if jenis == "predikat":
        scale = PREDIKAT_SCALES.get(v.get("skala_predikat") or "")
        if scale is None:
            errors["skala_predikat"] = "Pilih skala predikat."
        elif v.get("target_predikat"):
            try:
                v["target_predikat"] = scale.canonical(v["target_predikat"])
            except PredikatTidakValid:
                errors["target_predikat"] = f"Predikat tidak dikenal; pilihan: {', '.join(scale.levels)}."
        if v.get("pakai_rasio"):
            errors["pakai_rasio"] = "Indikator predikat tidak diisi sebagai pembilang/penyebut."
    else:
        v["skala_predikat"] = None
        v["target_predikat"] = None
    if not v.get("satuan") and jenis != "predikat":
        errors["satuan"] = "Satuan wajib diisi."
    return errors

# What the capaian is computed from: once the rules are frozen with the PK target, a change
# of these needs a reason (it changes the figures of every period still open).
RULE_FIELDS = ("satuan", "polaritas", "sifat", "jenis_target", "target_pk", "target_tw1", "target_tw2", "target_tw3",
               "target_tw4", "target_bawah", "target_atas", "skala_predikat", "target_predikat", "pakai_rasio")
FIELD_LABELS = {
    "sasaran_id": "Sasaran", "unit_id": "Unit", "kode": "Kode", "nama": "Nama", "is_iku": "IKU",
    "definisi": "Definisi operasional", "satuan": "Satuan", "sumber_data": "Sumber data", "polaritas": "Polaritas",
    "sifat": "Sifat agregasi", "jenis_target": "Jenis target", "baseline": "Baseline", "target_pk": "Target PK",
    "target_tw1": "Target s.d. TW I", "target_tw2": "Target s.d. TW II", "target_tw3": "Target s.d. TW III",
    "target_tw4": "Target s.d. TW IV", "target_renstra": "Target akhir Renstra", "target_bawah": "Batas bawah",
    "target_atas": "Batas atas", "skala_predikat": "Skala predikat", "target_predikat": "Target predikat",
    "pakai_rasio": "Pembilang/penyebut", "boleh_negatif": "Boleh negatif",
}
REASON_NEEDED = ("Aturan capaian indikator ini sudah dibekukan bersama target PK: tulis alasan perubahan {fields}. "
                 "Angka yang sudah disahkan tidak berubah; periode yang masih terbuka dihitung dengan definisi baru.")


def changes(ind: Indikator, values: dict, fields) -> list[tuple[str, object, object]]:
    """The fields a save would change: (name, old, new)."""
    return [(name, getattr(ind, name), values[name]) for name in fields
            if not _same_value(getattr(ind, name), values[name])]


def _same_value(old, new) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return old is not None and new is not None and Decimal(old) == Decimal(new)
    return (old or None) == (new or None) if isinstance(old, str) or isinstance(new, str) else old == new


def reason_problem(ind: Indikator | None, changed, reason: str) -> str | None:
    """Why the save needs a reason (frozen rules and a rule field changed), or None."""
    if ind is None or ind.rules is None or (reason or "").strip():
        return None
    fields = [FIELD_LABELS[name] for name, _, _ in changed if name in RULE_FIELDS]
    return REASON_NEEDED.format(fields=", ".join(fields)) if fields else None


def audit_changes(tenant: Tenant, user, ind: Indikator, changed, action: str, reason: str, created: bool) -> None:
    lane, why = _lanes(tenant, user), (reason or "").strip()
    if created:
        audit.record(tenant, user, action, "indikator", ind.id, lane=lane, indikator_id=ind.id,
                     field="indikator baru", new=f"{ind.kode} {ind.nama}", reason=why)
    for name, old, new in changed:
        audit.record(tenant, user, action, "indikator", ind.id, lane=lane, indikator_id=ind.id,
                     field=FIELD_LABELS[name], old=_shown(name, old), new=_shown(name, new), reason=why)


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "(kosong)"
    if name == "polaritas":
        return POLARITAS_LABELS.get(value, value)
    if name == "sifat":
        return SIFAT_LABELS.get(value, value)
    if name == "jenis_target":
        return JENIS_LABELS.get(value, value)
    if name == "unit_id":
        unit = db.session.get(Unit, value)
        return unit.name if unit else str(value)
    if name == "sasaran_id":
        sasaran = db.session.get(Sasaran, value)
        return f"{sasaran.kode} {sasaran.nama}" if sasaran else str(value)
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, Decimal):
        d = value.normalize() if value != 0 else Decimal(0)
        return format_angka(d, None)
    return str(value)


def _lanes(tenant: Tenant, user) -> str:
    if user is None:
        return ""
    return ", ".join(dict.fromkeys(db.session.scalars(
        select(Lane.name).join(Membership, Membership.lane_id == Lane.id)
        .where(Membership.user_id == user.id, Membership.tenant_id == tenant.id))))
