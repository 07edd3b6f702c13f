"""Forms of the onboarding pages (Flask-WTF: CSRF checked, values parsed)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Optional


class TenantForm(FlaskForm):
    name = StringField("Nama", validators=[DataRequired("Isi nama.")])
    short_name = StringField("Nama singkat", validators=[Optional()])
    slug = StringField("Slug (alamat)", validators=[Optional()])
    kind = StringField("Jenis", validators=[Optional()])


class UnitForm(FlaskForm):
    name = StringField("Nama unit", validators=[DataRequired("Isi nama unit.")])


class LaneForm(FlaskForm):
    name = StringField("Nama peran (sesuai SOP)", validators=[DataRequired("Isi nama peran.")])
    kind = SelectField("Jenis peran", choices=[])


class StatusForm(FlaskForm):
    aktif = HiddenField()


class PersonForm(FlaskForm):
    nama = StringField("Nama", validators=[DataRequired("Isi nama.")])
    nip = StringField("NIP", validators=[Optional()])
    jabatan = StringField("Jabatan", validators=[Optional()])
    email = EmailField("Email", validators=[DataRequired("Isi email.")])
    lanes = SelectMultipleField("Peran (boleh lebih dari satu)", choices=[],
                                validators=[DataRequired("Pilih paling sedikit satu peran.")])
    unit = SelectField("Unit", choices=[], validate_choice=False)


class SheetForm(FlaskForm):
    berkas = FileField("Berkas XLSX atau CSV")


class SetPasswordForm(FlaskForm):
    password = PasswordField("Kata sandi baru", validators=[DataRequired("Isi kata sandi.")])
    repeat = PasswordField("Ulangi kata sandi baru", validators=[DataRequired("Ulangi kata sandi.")])


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Kata sandi saat ini", validators=[DataRequired("Isi kata sandi saat ini.")])


class ForgotForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Isi alamat email.")])
