"""The forms of an indicator set: a year, a sasaran, an indikator row, a program/kegiatan
row, the row being added (`?sasaran=`, `?batal=`) and an XLSX import.

Templates keep their own markup (field names as below); these classes only read and
check, with a message in Bahasa Indonesia per field. CSRFProtect already checks every POST
of the app, so the forms do not again. A refused form is shown again with what was typed
(`typed()`), so a user never loses it. The rules of the values themselves (a number as
the columns hold it, a target's cross-field rules) are `portal.indikator.definitions`,
shared with the XLSX import and tenant files.
"""
from wtforms import Field, IntegerField, StringField, ValidationError
from wtforms.validators import AnyOf, DataRequired

from portal.form_fields import CheckBox, Form, PostedForm, UploadForm
from portal.indikator import definitions
from portal.indikator.models import JENIS_TARGET, POLARITAS, SIFAT


def _trimmed(max_len: int):
    return lambda value: (value or "").strip()[:max_len]


def _text(max_len: int, required: str | None = None):
    """Text without surrounding white space, cut at `max_len`; `required`: the message when blank."""
    return StringField(default="", filters=[_trimmed(max_len)],
                       validators=[DataRequired(required)] if required else [])


class Angka(Field):
    """A number typed in Indonesian notation ("1.234,5"; blank: None), as a column with
    `places` decimals holds it; below zero only where the form's `negative_allowed` says so.
    Read when the form is validated."""

    text = ""

    def __init__(self, label=None, validators=None, places: int = 4, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.places = places

    def process_formdata(self, valuelist):
        self.text = valuelist[0] if valuelist else ""

    def pre_validate(self, form):
        self.data, message = definitions.number(self.text, places=self.places, negative=form.negative_allowed)
        if message:
            raise ValidationError(message)

    def _value(self):
        return self.text


class ChosenId(Field):
    """An id chosen in a select: its number, or None when blank or not a number; the form
    checks it is one it offered."""

    text = ""
    number = None  # the number sent, offered or not

    def process_formdata(self, valuelist):
        self.text = valuelist[0] if valuelist else ""
        try:
            self.number = self.data = int(self.text)
        except ValueError:
            self.number = self.data = None

    def _value(self):
        return self.text

    def offered(self, allowed: set[int], message: str, optional: bool = False) -> None:
        """Raise `message` unless the id is one of `allowed` (or nothing was chosen, if `optional`)."""
        if optional and not self.text:
            return
        if self.data not in allowed:
            self.data = None
            raise ValidationError(message)


class YearForm(PostedForm):
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


class SasaranForm(PostedForm):
    kode = _text(30, "Kode sasaran wajib diisi.")
    nama = _text(500, "Nama sasaran wajib diisi.")

    def read(self) -> tuple[dict, dict]:
        """(values for `services.save_sasaran`, {field: message})."""
        self.validate()
        return {"kode": self.kode.data, "nama": self.nama.data}, self.first_errors()


INDIKATOR_NUMBERS = ("baseline", "target_pk", "target_tw1", "target_tw2", "target_tw3", "target_tw4",
                     "target_renstra", "target_bawah", "target_atas")


class IndikatorForm(PostedForm):
    """An Indikator row, checked against the units and sasaran of its tenant and year."""

    kode = _text(30, "Kode indikator wajib diisi.")
    nama = _text(500, "Nama indikator wajib diisi.")
    is_iku = CheckBox()
    definisi = _text(5000)
    satuan = _text(60)
    sumber_data = _text(300)
    polaritas = StringField(default="", validators=[AnyOf(POLARITAS, "Pilih polaritas: positif atau negatif.")])
    sifat = StringField(default="", validators=[AnyOf(SIFAT, "Pilih sifat agregasi.")])
    jenis_target = StringField(default="angka", filters=[lambda value: value or "angka"],
                               validators=[AnyOf(JENIS_TARGET, "Pilih jenis target.")])
    sasaran_id = ChosenId()
    unit_id = ChosenId()
    pakai_rasio = CheckBox()
    boleh_negatif = CheckBox()
    skala_predikat = StringField(default=None, filters=[lambda value: value or None])
    target_predikat = StringField(default=None, filters=[lambda value: _trimmed(20)(value) or None])
    alasan = _text(2000)  # the reason for changing a definition whose rules are frozen (Alasan perubahan)

    def __init__(self, unit_ids: set[int], sasaran_ids: set[int]):
        super().__init__()
        self.unit_ids, self.sasaran_ids = unit_ids, sasaran_ids

    @property
    def negative_allowed(self) -> bool:
        return self.boleh_negatif.data

    def validate_sasaran_id(self, field):
        field.offered(self.sasaran_ids, "Pilih sasaran strategis.")

    def validate_unit_id(self, field):
        field.offered(self.unit_ids, "Unit tidak dikenal.", optional=True)

    def read(self) -> tuple[dict, dict]:
        """(values for `services.save_indikator`, {field: message}); the target's
        cross-field rules are checked too."""
        self.validate()
        errors = self.first_errors()
        values = {name: field.data for name, field in self._fields.items() if name != "alasan"}
        errors.update(definitions.target_problems(values))
        return values, errors

    @property
    def reason(self) -> str:
        return self.alasan.data


class ProgramForm(PostedForm):
    """A Program/Kegiatan row: a kegiatan when it has a program above it."""

    kode = _text(40, "Kode wajib diisi.")
    nama = _text(500, "Nama wajib diisi.")
    parent_id = ChosenId()
    sasaran_id = ChosenId()

    negative_allowed = False

    def __init__(self, program_ids: set[int], sasaran_ids: set[int] = frozenset()):
        super().__init__()
        self.program_ids = program_ids
        self.sasaran_ids = sasaran_ids

    def validate_parent_id(self, field):
        field.offered(self.program_ids, "Program induk tidak dikenal.", optional=True)

    def validate_sasaran_id(self, field):
        field.offered(self.sasaran_ids, "Sasaran strategis tidak dikenal.", optional=True)

    def read(self) -> tuple[dict, dict]:
        """(values for `services.save_program`, {field: message})."""
        self.validate()
        values = {name: field.data for name, field in self._fields.items()}
        values["level"] = "kegiatan" if values["parent_id"] else "program"
        return values, self.first_errors()


PROGRAM_NUMBERS = ("pagu", "realisasi_tw1", "realisasi_tw2", "realisasi_tw3", "realisasi_tw4")

for _name in INDIKATOR_NUMBERS:  # one number field each (Numeric(18, 4))
    setattr(IndikatorForm, _name, Angka())
for _name in PROGRAM_NUMBERS:  # rupiah (Numeric(20, 2))
    setattr(ProgramForm, _name, Angka(places=2))


class NewRowQuery(Form):
    """`?sasaran=` (the sasaran a new indikator row starts under) and `?batal=` (the add
    is cancelled: the add button again) of a new row (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    sasaran = IntegerField(default=None)
    batal = StringField(default="")

    @property
    def cancelled(self) -> bool:
        return bool(self.batal.data)


class ImportForm(UploadForm):
    """A filled XLSX template, and the reason for changing frozen definitions with it."""

    alasan = _text(2000)
