"""What the reminder pages read: a person's contact and opt-out, the escalation setting,
the task to remind of."""
import re

from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.form_fields import CheckBox, PostedForm, strip_text


def _phone(form, field):
    if field.data and not re.fullmatch(r"\+?[0-9][0-9 ()-]{5,24}", field.data):
        raise ValidationError(f"{field.label.text} hanya berisi angka (boleh diawali +62), misalnya 0812 3456 7890.")


class ContactForm(PostedForm):
    telepon = StringField("Telepon", default="", filters=[strip_text],
                          validators=[Length(max=30, message="Telepon paling banyak 30 karakter."), _phone])
    whatsapp = StringField("WhatsApp", default="", filters=[strip_text],
                           validators=[Length(max=30, message="WhatsApp paling banyak 30 karakter."), _phone])
    tanpa_pengingat = CheckBox(default=False)


class EscalationForm(PostedForm):
    hari = IntegerField("Eskalasi setelah", validators=[
        InputRequired("Isi jumlah hari kerja."), NumberRange(1, 30, "Eskalasi diisi 1 sampai 30 hari kerja.")])


class SendForm(PostedForm):
    tugas = IntegerField(validators=[Optional()])
