"""The sign-off form: the Kepala confirms on the server, not only in the browser."""
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from portal.form_fields import Form

CONFIRM_TEXT = ("Saya telah memeriksa realisasi, capaian dan kategori semua indikator di atas dan mengesahkannya "
                "sebagai angka final periode ini.")


class SignOffForm(Form):
    class Meta:
        csrf = False  # CSRFProtect checks every POST of the app already (form field or X-CSRFToken)

    konfirmasi = BooleanField(CONFIRM_TEXT, validators=[DataRequired(
        "Centang pernyataan bahwa Anda telah memeriksa nilai-nilai di atas sebelum mengesahkan.")])
    # The fingerprint of the figures shown (portal.signing.preview): what is signed is what was seen.
    sidik = HiddenField()
