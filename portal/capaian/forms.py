"""The pengaturan capaian form: the rule for negative indicators and the kategori scale.

The template keeps its own markup (field names as below); the class only reads and
checks. CSRFProtect already checks every POST of the app, so the form does not again.
A scale of the tenant's own is written one kategori a line; the domain function
`settings.parse_kategori` reads it.
"""
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


class SavedQuery(Form):
    """`?tersimpan=` after a save: the page says the settings were saved (GET, no CSRF)."""

    class Meta:
        csrf = False

    tersimpan = StringField(default="")
