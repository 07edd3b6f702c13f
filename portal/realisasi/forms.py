"""The realisasi form of one row (WTForms, the design's form library)."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import Optional


class RealisasiForm(FlaskForm):
    """One realisasi row as submitted. What the value means depends on the indicator
    (angka, pembilang/penyebut, predikat), so `services.read_realisasi` reads `typed()`
    into a RealisasiInput; `revision` is the revision (optimistic-lock counter) the browser loaded (0: no row yet)."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST of the app already (form field or X-CSRFToken)

    nilai = StringField(default="")
    pembilang = StringField(default="")
    penyebut = StringField(default="")
    predikat = StringField(default="")
    tidak_berlaku = StringField(default="")
    faktor_pendorong = StringField(default="")
    faktor_penghambat = StringField(default="")
    tindak_lanjut = StringField(default="")
    revision = IntegerField(default=0, validators=[Optional()])

    def typed(self) -> dict[str, str]:
        return {name: field.data or "" for name, field in self._fields.items() if name != "revision"}

    @property
    def loaded_revision(self) -> int:
        return self.revision.data or 0
