from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Isi alamat email.")])
    password = PasswordField("Kata sandi", validators=[DataRequired("Isi kata sandi.")])
    next = HiddenField()
