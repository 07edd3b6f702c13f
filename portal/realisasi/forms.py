"""The realisasi forms: one row's value, a bukti dukung file, and `?periode=` of the page.

Templates keep their own markup (field names as below); these classes only read and
check. CSRFProtect already checks every POST of the app, so the forms do not again.
"""
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import Optional

from portal.form_fields import PostedForm, UploadForm


class RealisasiForm(PostedForm):
    """One realisasi row as submitted. What the value means depends on the indicator
    (angka, pembilang/penyebut, predikat), so `services.read_realisasi` reads `typed()`
    into a RealisasiInput; `revision` is the revision (optimistic-lock counter) the browser loaded (0: no row yet)."""

    nilai = StringField(default="")
    pembilang = StringField(default="")
    penyebut = StringField(default="")
    predikat = StringField(default="")
    tidak_berlaku = StringField(default="")
    faktor_pendorong = StringField(default="")
    faktor_penghambat = StringField(default="")
    tindak_lanjut = StringField(default="")
    revision = IntegerField(default=0, validators=[Optional()])

    @property
    def loaded_revision(self) -> int:
        return self.revision.data or 0


class BuktiForm(UploadForm):
    """A bukti dukung file: a new one, or the replacement of one."""


class PeriodQuery(FlaskForm):
    """`?periode=` of the realisasi page: the id of the period shown (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    periode = IntegerField(default=None)
