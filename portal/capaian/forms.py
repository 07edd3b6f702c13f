"""The pengaturan capaian form: the rule for negative indicators and the kategori scale.

The template keeps its own markup (field names as below); the class only reads and
checks. CSRFProtect already checks every POST of the app, so the form does not again.
A scale of the tenant's own is written one kategori a line; the domain function
`settings.parse_kategori` reads it.
"""
from decimal import Decimal, InvalidOperation

from wtforms import StringField, ValidationError
from wtforms.validators import AnyOf

from portal.capaian import settings
from portal.capaian.rules import NEGATIVE_RULES
from portal.form_fields import Form, PostedForm


class SettingsForm(PostedForm):
    negative_rule = StringField(default="", validators=[AnyOf(list(NEGATIVE_RULES), "Pilih rumus indikator negatif.")])
    skala = StringField(default="", validators=[AnyOf(["bawaan", "khusus"], "Pilih skala kategori.")])
    nama_skala = StringField(default="")
    kategori = StringField(default="")

    scale = None  # the tenant's own KategoriScale, when `skala` is "khusus" and it reads

    def validate_kategori(self, field):
        if self.skala.data == "khusus":
            self.scale, problems = settings.parse_kategori(self.nama_skala.data, field.data)
            if problems:
                raise ValidationError(" ".join(problems))


class PlausibilityForm(PostedForm):
    """The plausibility thresholds of data entry: factors like "3" or "2,5" (more than 1)."""

    target = StringField(default="")
    sebelumnya = StringField(default="")

    values: dict | None = None  # {name: Decimal} once valid

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        values = {}
        for name in settings.PLAUSIBILITY_DEFAULTS:
            field = self[name]
            text = (field.data or "").strip().replace(".", "").replace(",", ".")
            try:
                value = Decimal(text)
                if not value.is_finite() or not Decimal(1) < value <= Decimal(1000):
                    raise InvalidOperation
            except InvalidOperation:
                field.errors = [*field.errors, "Tulis angka lebih dari 1 dan paling banyak 1.000, misalnya 3 atau 2,5."]
                ok = False
                continue
            values[name] = value
        self.values = values if ok else None
        return ok


class SavedQuery(Form):
    """`?tersimpan=` after a save: the page says the settings were saved (GET, no CSRF)."""

    class Meta:
        csrf = False

    tersimpan = StringField(default="")
