"""The SOP forms the routes read: new SOP, copy a template, paste or import a file, move a
row, and the editor's header, lane and step.

Templates keep their own markup (field names as below); these classes only read and check.
CSRFProtect already checks every POST of the app, so the forms do not again. The editor's
forms give clean values (`clean()`), or raise `editing.FieldErrors` with the message of
each refused field; what needs the version itself (its lanes, its earlier steps, the
revision) `sop/editing.py` checks.
"""
import re
from datetime import date
from decimal import Decimal

from flask import request
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.capaian.values import AngkaTidakValid, parse_angka
from portal.form_fields import CheckBox, PostedForm, UploadForm, strip_text
from portal.sop import editing, paste
from portal.sop.document import HEADER_LISTS, Meaning, Repeat, Symbol, TimeUnit


class _Form(PostedForm):
    def shown(self, name: str, default: str = "") -> str:
        """What the page shows again in field `name`: what was sent, else `default`."""
        raw = getattr(self[name], "raw_data", None)
        return raw[0] if raw else default

    def posted(self):
        """This form when something was posted (a refused save shows it again), else None."""
        return self if any(field.raw_data is not None for field in self) else None


class _Upload(UploadForm, _Form):
    """A form with one file (`berkas`)."""


class NewSopForm(_Form):
    nama = StringField(default="", filters=[strip_text])

    @property
    def name(self) -> str:
        return self.nama.data or "Pengukuran Kinerja"


class CloneForm(_Form):
    tujuan = StringField(default="")  # the slug of the tenant the template is copied to


class ImportForm(_Upload):
    """An SOP file (.yaml) to import; `sop/library.py` reads and checks its content."""


class MoveForm(_Form):
    arah = StringField(default="")

    @property
    def direction(self) -> int:
        return -1 if self.arah.data == "naik" else 1


class PasteForm(_Upload):
    tabel = StringField(default="")
    nama = StringField(default="")
    sop_id = StringField(default="")  # the SOP the draft revises; empty: a new SOP
    aksi = StringField(default="")  # "simpan" makes the draft, "terbitkan" publishes it too; else a preview
    buat_peran = StringField(default="")

    @property
    def save(self) -> bool:
        return self.aksi.data in ("simpan", "terbitkan")

    @property
    def publish(self) -> bool:
        return self.aksi.data == "terbitkan"

    @property
    def create_lanes(self) -> bool:
        return self.buat_peran.data == "1"

    @staticmethod
    def corrections(text: str) -> paste.Fixes:
        """The preview's corrections: fields per lane and step (kind_<i>, nama_pelaksana_<i>,
        symbol_<no>, meaning_<no>, pelaksana_<no>), as many as the table has, so read from
        the submitted fields; the lane ticks only when they were made for this `text`."""
        return paste.corrections(request.form, text)


# ---------------------------------------------------------------- the editor

def _text(label: str, limit: int, required: bool = False, field=StringField, extra=()):
    """A stripped text field with the editor's messages: required, at most `limit` characters."""
    validators = [DataRequired(f"{label} wajib diisi.")] if required else []
    validators.append(Length(max=limit, message=f"{label} terlalu panjang (maksimal {limit} karakter)."))
    return field(label, default="", filters=[strip_text], validators=[*validators, *extra])


def _one_of(values, message: str, blank_ok: bool = False):
    allowed = {str(v) for v in values}

    def check(form, field):
        if not (blank_ok and not field.data) and field.data not in allowed:
            raise ValidationError(message)
    return check


def _nip_digits(form, field):
    if field.data and not re.fullmatch(r"[0-9 ]+", field.data[:30]):
        raise ValidationError("NIP hanya berisi angka.")


class _Typed(Field):
    """A value typed as text: None when blank, else `parse(text)` (its ValueError is the
    field's message)."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = self.parse(text) if text else None

    def parse(self, text: str):
        raise NotImplementedError


class DateText(_Typed):
    """An optional date typed as TTTT-BB-HH (the browser's date input)."""

    def parse(self, text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError as error:
            raise ValueError(f"{self.label.text} bukan tanggal yang valid (TTTT-BB-HH).") from error


class Lines(TextAreaField):
    """One item a line (blank lines dropped), each at most 1000 characters."""

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        self.data = [line.strip() for line in (text or "").splitlines() if line.strip()]

    def pre_validate(self, form):
        if any(len(item) > 1000 for item in self.data or []):
            raise ValidationError(f"{self.label.text}: satu butir maksimal 1000 karakter.")


class Chosen(Field):
    """Every value sent under the name (checkboxes), in the order sent."""

    def process_formdata(self, valuelist):
        self.data = list(valuelist)


class WaktuAmount(_Typed):
    """How long a step takes, Indonesian notation ("1,5")."""

    def parse(self, text: str) -> Decimal:
        try:
            amount = parse_angka(text)
        except AngkaTidakValid as error:
            raise ValueError("Waktu harus berupa angka, misalnya 30 atau 1,5.") from error
        if not isinstance(amount, Decimal) or amount <= 0:
            raise ValueError("Waktu harus lebih dari 0.")
        if amount >= Decimal("100000000"):
            raise ValueError("Waktu terlalu besar.")
        return amount


class _EditorForm(_Form):
    revision = StringField(default="")  # the row's revision when the form was loaded

    @property
    def expected_revision(self) -> int:
        try:
            return int(self.revision.data)
        except (TypeError, ValueError):
            return -1  # never a row's revision: answered as a stale save

    def _checked(self) -> None:
        """Raise `editing.FieldErrors` (one message a field, the last found) unless valid."""
        if not self.validate():
            raise editing.FieldErrors({name: messages[-1] for name, messages in self.errors.items()})


class HeaderForm(_EditorForm):
    nama = _text("Nama SOP", 300, required=True)
    nomor = _text("Nomor SOP", 120)
    tanggal_pembuatan = DateText("Tanggal pembuatan")
    tanggal_revisi = DateText("Tanggal revisi")
    tanggal_efektif = DateText("Tanggal efektif")
    tanggal_pengesahan = DateText("Tanggal pengesahan")
    disahkan_nama = _text("Nama pengesah", 200)
    disahkan_nip = _text("NIP", 30, extra=[_nip_digits])
    disahkan_jabatan = _text("Jabatan", 200)
    disahkan_pangkat = _text("Pangkat/golongan", 120)

    def clean(self) -> editing.Header:
        self._checked()
        return editing.Header(
            nama=self.nama.data, nomor=self.nomor.data, tanggal_pembuatan=self.tanggal_pembuatan.data,
            tanggal_revisi=self.tanggal_revisi.data, tanggal_efektif=self.tanggal_efektif.data,
            tanggal_pengesahan=self.tanggal_pengesahan.data, disahkan_nama=self.disahkan_nama.data,
            disahkan_nip=self.disahkan_nip.data, disahkan_jabatan=self.disahkan_jabatan.data,
            disahkan_pangkat=self.disahkan_pangkat.data,
            lists={key: self[key].data for key, _ in HEADER_LISTS})


for _key, _label in HEADER_LISTS:  # one textarea a list, after the fields above
    setattr(HeaderForm, _key, Lines(_label, default=list))


class LaneForm(_EditorForm):
    name = _text("Nama pelaksana", 200, required=True)
    kind = StringField(default="", filters=[strip_text],
                       validators=[_one_of(editing.OPD_LANE_KINDS, "Pilih jenis peran pelaksana.")])

    def clean(self) -> tuple[str, str]:
        """(name, kind)."""
        self._checked()
        return self.name.data, self.kind.data


class StepForm(_EditorForm):
    kegiatan = _text("Kegiatan", 2000, required=True, field=TextAreaField)
    kelengkapan = _text("Kelengkapan", 1000)
    output = _text("Output", 1000)
    keterangan = _text("Keterangan", 1000)
    lanes = Chosen(default=list)
    symbol = StringField(default="", validators=[_one_of(Symbol, "Pilih simbol.")])
    meaning = StringField(default="", validators=[_one_of(Meaning, "Pilih makna sistem.")])
    waktu_unit = StringField(default="", validators=[_one_of(TimeUnit, "Pilih satuan waktu.")])
    repeat = StringField(default="", validators=[_one_of(Repeat, "Pilih pengulangan.", blank_ok=True)])
    waktu_amount = WaktuAmount()
    return_to = StringField(default="", filters=[strip_text])
    output_wajib = CheckBox(default=False)

    def clean(self) -> editing.StepValues:
        self._checked()
        return editing.StepValues(
            kegiatan=self.kegiatan.data, kelengkapan=self.kelengkapan.data, output=self.output.data,
            keterangan=self.keterangan.data, lane_keys=self.lanes.data, symbol=self.symbol.data,
            meaning=self.meaning.data, waktu_unit=self.waktu_unit.data, waktu_amount=self.waktu_amount.data,
            repeat=self.repeat.data or None, return_to=self.return_to.data, output_wajib=self.output_wajib.data)
