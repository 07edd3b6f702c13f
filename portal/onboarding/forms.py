"""Forms of the onboarding pages (Flask-WTF: CSRF checked, values parsed)."""
from flask_wtf.file import FileField
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Optional

from portal.form_fields import Form, PageYearField

COPY_YEAR = "Isi tahun dengan angka, misalnya 2027."


class TenantForm(Form):
    name = StringField("Nama", validators=[DataRequired("Isi nama.")])
    short_name = StringField("Nama singkat", validators=[Optional()])
    slug = StringField("Slug (alamat)", validators=[Optional()])
    kind = StringField("Jenis", validators=[Optional()])


class UnitForm(Form):
    name = StringField("Nama unit", validators=[DataRequired("Isi nama unit.")])


class LaneForm(Form):
    name = StringField("Nama peran (sesuai SOP)", validators=[DataRequired("Isi nama peran.")])
    kind = SelectField("Jenis peran", choices=[])


class StatusForm(Form):
    """The switch on or off of a tenant, unit or person: `aktif` is "1" to switch on."""

    aktif = HiddenField()

    @property
    def active(self) -> bool:
        return self.aktif.data == "1"


class UnitEditForm(StatusForm):
    """One unit's row: its new name, or (from the row's own button) `aktif`."""

    name = StringField(default="")

    @property
    def switching(self) -> bool:
        """The switch button was pressed (`aktif` posted at all), not the rename."""
        return bool(self.aktif.raw_data)


class LaneEditForm(Form):
    """One lane's row: name and kind (the kind the service checks; built with the lane's
    kind as `kind=`, which stays when none is posted)."""

    name = StringField(default="")
    kind = StringField()


class PersonForm(Form):
    nama = StringField("Nama", validators=[DataRequired("Isi nama.")])
    nip = StringField("NIP", validators=[Optional()])
    jabatan = StringField("Jabatan", validators=[Optional()])
    email = EmailField("Email", validators=[DataRequired("Isi email.")])
    lanes = SelectMultipleField("Peran (boleh lebih dari satu)", choices=[],
                                validators=[DataRequired("Pilih paling sedikit satu peran.")])
    unit = SelectField("Unit", choices=[], validate_choice=False)


class SheetForm(Form):
    berkas = FileField("Berkas XLSX atau CSV")

    @property
    def upload(self):
        """The uploaded sheet, or None when no file was chosen."""
        data = self.berkas.data
        return data if data is not None and data.filename else None


class CopySetForm(Form):
    """Start a year's indicator set from a copy: the source set and the new year."""

    sumber = StringField()
    tahun = IntegerField(validators=[InputRequired(COPY_YEAR)])


class YearQuery(Form):
    """`?tahun=` of a page (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    tahun = PageYearField()


class SetPasswordForm(Form):
    password = PasswordField("Kata sandi baru", validators=[DataRequired("Isi kata sandi.")])
    repeat = PasswordField("Ulangi kata sandi baru", validators=[DataRequired("Ulangi kata sandi.")])


class AcceptForm(Form):
    """Accepting an invitation while signed in: the button alone (CSRF checked)."""


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Kata sandi saat ini", validators=[DataRequired("Isi kata sandi saat ini.")])


class ForgotForm(Form):
    email = EmailField("Email", validators=[DataRequired("Isi alamat email.")])

    @property
    def address(self) -> str:
        """The email as the request limit counts it: trimmed, in lower case."""
        return (self.email.data or "").strip().lower()
