"""Forms of the oversight pages: the matrix filter (GET, no CSRF: it changes nothing)
and the coordinator's indicator references."""
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.form_fields import Form, IdField, IdListField
from portal.oversight.queries import PERIOD_SHORT, STATE_LABELS


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


PERIOD_CHOICES = _choices([("", "Semua periode")] + [(f"{k}-{n}", label) for (k, n), label in PERIOD_SHORT.items()])
STATUS_CHOICES = _choices([("", "Semua status")] + list(STATE_LABELS.items()))
SORT_CHOICES = _choices([("pemda", "Pemerintah daerah, lalu perangkat daerah"), ("nama", "Nama perangkat daerah"),
                         ("terlambat", "Paling banyak terlambat"), ("disahkan", "Paling sedikit disahkan")])
TRIWULAN_CHOICES = _choices([("1", "Triwulan I"), ("2", "Triwulan II"), ("3", "Triwulan III"), ("4", "Triwulan IV")])


class MatrixFilter(Form):
    class Meta:
        csrf = False

    tahun = IntegerField("Tahun", validators=[Optional(), NumberRange(2000, 2100, "Tahun 2000–2100.")])
    periode = SelectField("Periode", choices=PERIOD_CHOICES, default="", validate_choice=True)
    status = SelectField("Status", choices=STATUS_CHOICES, default="")
    terlambat = BooleanField("Hanya yang terlambat")
    urut = SelectField("Urutkan", choices=SORT_CHOICES, default="pemda")


class ReferenceForm(Form):
    kode = StringField("Kode rujukan (IKK/SPM)", validators=[
        DataRequired("Isi kode rujukan, misalnya IKK 2.01 atau SPM-KES-01."),
        Length(max=40, message="Paling banyak 40 karakter.")])
    nama = StringField("Nama indikator", validators=[
        DataRequired("Isi nama indikator rujukan."), Length(max=500, message="Paling banyak 500 karakter.")])
    satuan = StringField("Satuan", validators=[Optional(), Length(max=60, message="Paling banyak 60 karakter.")])
    keterangan = TextAreaField("Keterangan", validators=[Optional(), Length(max=2000)])


class CompareFilter(Form):
    class Meta:
        csrf = False

    tahun = IntegerField("Tahun", validators=[Optional(), NumberRange(2000, 2100, "Tahun 2000–2100.")])
    triwulan = SelectField("Triwulan", choices=TRIWULAN_CHOICES, coerce=int, default=4)
    cari = StringField("Cari indikator", validators=[Optional(), Length(max=100)])


class LinkForm(Form):
    """Link the checked indicators (`indikator` on each box) to a reference; `tahun` is the
    year the page showed, to come back to."""

    indikator = IdListField(default=list)
    tahun = StringField()


class UnlinkForm(Form):
    """Unlink one indicator (its row's button)."""

    indikator = IdField()
