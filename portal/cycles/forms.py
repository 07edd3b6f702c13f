"""The cycle forms: what the cycle routes read, as clean values for engine and review.

Templates keep their own markup (field names as below); these classes only read and
check. CSRFProtect already checks every POST of the app, so the forms do not again.
"""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, IntegerField, StringField
from wtforms.validators import InputRequired, Optional

YEAR_OR_PERIOD = "Tahun atau periode tidak valid."


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class IdListField(Field):
    """Checked ids (`name="item"` on several boxes): the numbers among them, others ignored."""

    def process_formdata(self, valuelist):
        self.data = [int(v) for v in valuelist if v.isdecimal()]

    def _value(self):
        return ""


class _Form(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every POST of the app already (form field or X-CSRFToken)


class StartCycleForm(_Form):
    # The year's range is the engine's rule (start_cycle says "Tahun harus antara 2000 dan 2100").
    tahun = IntegerField(validators=[InputRequired(YEAR_OR_PERIOD)])
    nomor = IntegerField(validators=[Optional()])
    jenis = StringField(default="")

    @property
    def number(self) -> int:
        return self.nomor.data or 1


class MarkDoneForm(_Form):
    catatan = StringField(default="", filters=[_strip])
    output = FileField()

    @property
    def upload(self):
        """The uploaded output document, or None when no file was chosen."""
        data = self.output.data
        return data if data is not None and data.filename else None


class DecideForm(_Form):
    keputusan = StringField(default="")
    alasan = StringField(default="")

    @property
    def approved(self) -> bool:
        return self.keputusan.data == "ya"


class ItemsForm(_Form):
    """Submit (ajukan) the checked indicators."""

    item = IdListField(default=list)


class ReopenForm(ItemsForm):
    alasan = StringField(default="")
