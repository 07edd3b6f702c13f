"""The export form: which workbook, year and period, and whether drafts are shown."""

from wtforms import BooleanField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from portal import clock
from portal.form_fields import Form

PERIODS = [SelectChoice(value, label) for value, label in (
    ("triwulan-1", "Triwulan I"), ("triwulan-2", "Triwulan II"), ("triwulan-3", "Triwulan III"),
    ("triwulan-4", "Triwulan IV"), ("semester-1", "Semester I"), ("semester-2", "Semester II"),
    ("tahunan-1", "Tahunan"))]


class ExportForm(Form):
    jenis = SelectField("Berkas", validate_choice=True)
    tahun = IntegerField("Tahun", validators=[InputRequired("Isi tahun."),
                                              NumberRange(2000, 2100, "Tahun antara 2000 dan 2100.")])
    periode = SelectField("Periode", choices=PERIODS, default="triwulan-1",
                          validate_choice=True)
    draf = BooleanField("Sertakan angka yang belum disahkan (ditandai \"DRAF — belum disahkan\")")

    def __init__(self, kinds, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.jenis.choices = [SelectChoice(k.key, k.label) for k in kinds]
        for field in (self.jenis, self.periode):
            field.gettext = lambda s: "Pilih salah satu pilihan."

    @classmethod
    def blank(cls, kinds, period: tuple[int, str, int] | None = None) -> "ExportForm":
        """The form as first shown: the first workbook the tenant may export, for `period`
        (tahun, kind, no: the latest signed or running period) or this year's first triwulan."""
        form = cls(kinds, formdata=None)
        form.tahun.data = period[0] if period else clock.today().year
        if period:
            form.periode.data = f"{period[1]}-{period[2]}"
        form.jenis.data = kinds[0].key if kinds else None
        return form

    @property
    def period(self) -> tuple[str, int]:
        kind, _, no = self.periode.data.partition("-")
        return kind, int(no)
