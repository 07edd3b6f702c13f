from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired

from portal.form_fields import Form


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired("Isi alamat email.")])
    password = PasswordField("Kata sandi", validators=[DataRequired("Isi kata sandi.")])
    next = HiddenField()
