from datetime import datetime

from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, StopValidation

from portal.calendar.models import JENIS_LABELS
from portal.form_fields import Form, PageYearField


class TanggalField(DateField):
    """A required date input (YYYY-MM-DD from the browser) that says what is wrong in
    Indonesian: empty and unreadable are different messages."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not raw:
            return
        try:
            self.data = datetime.strptime(raw, "%Y-%m-%d").date()
        except ValueError as error:
            raise ValueError("Tanggal tidak valid; pilih tanggal dari kalender.") from error

    def pre_validate(self, form):
        if not self.process_errors and self.data is None:
            raise StopValidation("Isi tanggal.")


class HariLiburForm(Form):
    tanggal = TanggalField("Tanggal")
    nama = StringField("Nama", validators=[DataRequired("Isi nama hari libur."),
                                           Length(max=200, message="Nama paling panjang 200 karakter.")],
                       render_kw={"placeholder": "misalnya Hari Jadi Kabupaten"})
    jenis = SelectField("Jenis", choices=[SelectChoice(k, v) for k, v in JENIS_LABELS.items()],
                        default="libur_daerah", validate_choice=False,
                        validators=[AnyOf(list(JENIS_LABELS), message="Pilih jenis hari libur.")])


class YearQuery(Form):
    """`?tahun=` of the page (no CSRF: it changes nothing); a year from 2000 to 2100."""

    class Meta:
        csrf = False

    tahun = PageYearField(bounds=(2000, 2100))
