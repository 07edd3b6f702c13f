"""Reading typed form input (Indonesian numbers) into values, with a message per field.

Each reader takes the submitted mapping and returns (values, errors): values hold what
could be read, errors map a field name to a message in Bahasa Indonesia. The typed
text itself is echoed back by the templates, so a user never loses what they typed.
"""
from collections.abc import Mapping
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import StringField, ValidationError
from wtforms.validators import DataRequired

from portal.capaian.kategori import PredikatTidakValid
from portal.capaian.settings import PREDIKAT_SCALES
from portal.capaian.values import BELUM_DIISI, AngkaTidakValid, parse_angka
from portal.indikator.models import JENIS_TARGET, POLARITAS, SIFAT

MAX_INTEGER_DIGITS = {4: 14, 2: 18}  # Numeric(18, 4) and Numeric(20, 2)

POLARITAS_LABELS = {"positif": "Positif", "negatif": "Negatif"}
SIFAT_LABELS = {"kumulatif": "Kumulatif", "nilai_akhir": "Nilai akhir", "rata_rata": "Rata-rata"}
JENIS_LABELS = {"angka": "Angka", "rentang": "Rentang (batas bawah–atas)", "predikat": "Predikat"}


def text(form: Mapping, name: str, max_len: int) -> str:
    return (form.get(name) or "").strip()[:max_len]


def checked(form: Mapping, name: str) -> bool:
    return (form.get(name) or "") not in ("", "0", "off", "false")


def number(raw: str, *, places: int = 4, negative: bool = True) -> tuple[Decimal | None, str | None]:
    """Parse "1.234,5" (blank: None). Returns (value, message)."""
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


def _number_field(form, name, errors, values, **kw):
    value, message = number(form.get(name) or "", **kw)
    if message:
        errors[name] = message
    values[name] = value


def indicator_input(form: Mapping, unit_ids: set[int], sasaran_ids: set[int]) -> tuple[dict, dict]:
    """The fields of an Indikator row."""
    errors: dict[str, str] = {}
    v: dict = {
        "kode": text(form, "kode", 30),
        "nama": text(form, "nama", 500),
        "is_iku": checked(form, "is_iku"),
        "definisi": (form.get("definisi") or "").strip()[:5000],
        "satuan": text(form, "satuan", 60),
        "sumber_data": text(form, "sumber_data", 300),
        "polaritas": form.get("polaritas") or "",
        "sifat": form.get("sifat") or "",
        "jenis_target": form.get("jenis_target") or "angka",
        "pakai_rasio": checked(form, "pakai_rasio"),
        "boleh_negatif": checked(form, "boleh_negatif"),
        "skala_predikat": form.get("skala_predikat") or None,
        "target_predikat": text(form, "target_predikat", 20) or None,
    }
    if not v["kode"]:
        errors["kode"] = "Kode indikator wajib diisi."
    if not v["nama"]:
        errors["nama"] = "Nama indikator wajib diisi."
    if v["polaritas"] not in POLARITAS:
        errors["polaritas"] = "Pilih polaritas: positif atau negatif."
    if v["sifat"] not in SIFAT:
        errors["sifat"] = "Pilih sifat agregasi."
    if v["jenis_target"] not in JENIS_TARGET:
        errors["jenis_target"] = "Pilih jenis target."
    v["sasaran_id"] = _id(form.get("sasaran_id"), sasaran_ids)
    if v["sasaran_id"] is None:
        errors["sasaran_id"] = "Pilih sasaran strategis."
    raw_unit = form.get("unit_id") or ""
    v["unit_id"] = _id(raw_unit, unit_ids) if raw_unit else None
    if raw_unit and v["unit_id"] is None:
        errors["unit_id"] = "Unit tidak dikenal."
    for name in ("baseline", "target_pk", "target_tw1", "target_tw2", "target_tw3", "target_tw4",
                 "target_renstra", "target_bawah", "target_atas"):
        _number_field(form, name, errors, v, negative=v["boleh_negatif"])
    errors.update(target_problems(v))
    return v, errors


def target_problems(v: dict) -> dict:
    """Cross-field rules of a target (shared by the form, the XLSX import and tenant files)."""
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


def _id(raw, allowed: set[int]) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value in allowed else None


def program_input(form: Mapping, program_ids: set[int]) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    v: dict = {"kode": text(form, "kode", 40), "nama": text(form, "nama", 500)}
    raw_parent = form.get("parent_id") or ""
    v["parent_id"] = _id(raw_parent, program_ids) if raw_parent else None
    if raw_parent and v["parent_id"] is None:
        errors["parent_id"] = "Program induk tidak dikenal."
    v["level"] = "kegiatan" if v["parent_id"] else "program"
    if not v["kode"]:
        errors["kode"] = "Kode wajib diisi."
    if not v["nama"]:
        errors["nama"] = "Nama wajib diisi."
    for name in ("pagu", "realisasi_tw1", "realisasi_tw2", "realisasi_tw3", "realisasi_tw4"):
        _number_field(form, name, errors, v, places=2, negative=False)
    return v, errors


def reason(form: Mapping) -> str:
    """The reason given for changing a definition whose rules are frozen (Alasan perubahan)."""
    return (form.get("alasan") or "").strip()[:2000]


# -- WTForms classes (the design's form library); the readers above move here one by one --

def _trimmed(max_len: int):
    return lambda value: (value or "").strip()[:max_len]


class _Form(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every POST of the app already (form field or X-CSRFToken)

    def first_errors(self) -> dict[str, str]:
        """{field: its first message}, the shape the row templates show."""
        return {name: messages[0] for name, messages in self.errors.items()}


class YearForm(_Form):
    """A new year's indicator set."""

    tahun = StringField(default="", filters=[_trimmed(20)])

    def validate_tahun(self, field):
        try:
            year = int(field.data)
        except ValueError:
            raise ValidationError("Tahun wajib diisi dengan angka, misalnya 2026.") from None
        if not 2000 <= year <= 2100:
            raise ValidationError("Tahun harus antara 2000 dan 2100.")
        self.year = year


class SasaranForm(_Form):
    kode = StringField(default="", filters=[_trimmed(30)], validators=[DataRequired("Kode sasaran wajib diisi.")])
    nama = StringField(default="", filters=[_trimmed(500)], validators=[DataRequired("Nama sasaran wajib diisi.")])

    @property
    def values(self) -> dict:
        return {"kode": self.kode.data, "nama": self.nama.data}
