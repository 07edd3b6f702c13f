"""The realisasi forms: one row's value, a bukti dukung file, and `?periode=` of the page.

Templates keep their own markup (field names as below); these classes only read and
check. CSRFProtect already checks every POST of the app, so the forms do not again.
"""
from decimal import ROUND_HALF_UP, Decimal

from wtforms import IntegerField, StringField
from wtforms.validators import Optional

from portal.capaian.figures import predikat_scale
from portal.capaian.kategori import PredikatTidakValid
from portal.capaian.rules import is_percent, value_from_ratio
from portal.form_fields import UNCHECKED, Form, PostedForm, UploadForm
from portal.indikator import definitions
from portal.indikator.models import Indikator
from portal.realisasi.services import RealisasiInput


class RealisasiForm(PostedForm):
    """One realisasi row as submitted. What the value means depends on the indicator
    (angka, pembilang/penyebut, predikat), so `read_realisasi` below reads `typed()`
    into a RealisasiInput; `revision` is the revision (optimistic-lock counter) the browser loaded (0: no row yet)."""

    nilai = StringField(default="")
    pembilang = StringField(default="")
    penyebut = StringField(default="")
    predikat = StringField(default="")
    tidak_berlaku = StringField(default="")
    faktor_pendorong = StringField(default="")
    faktor_penghambat = StringField(default="")
    tindak_lanjut = StringField(default="")
    # The second POST of a value that failed a plausibility check: what was confirmed
    # ("<codes>@<value as typed>") and why the value is right.
    konfirmasi = StringField(default="")
    catatan_kewajaran = StringField(default="")
    revision = IntegerField(default=0, validators=[Optional()])

    def value_typed(self, ind: Indikator) -> str:
        """The value as typed, as the plausibility checks read it ("" for a ratio or predikat)."""
        return "" if ind.pakai_rasio or ind.jenis_target == "predikat" else (self.nilai.data or "").strip()

    def confirmation(self, ind: Indikator) -> tuple[str, str]:
        """(the flag codes confirmed for exactly this typed value, the note)."""
        codes, _, value = (self.konfirmasi.data or "").partition("@")
        if value != self.value_typed(ind) + "|" + (self.pembilang.data or "") + "/" + (self.penyebut.data or ""):
            codes = ""
        return codes, (self.catatan_kewajaran.data or "").strip()[:2000]

    def confirmation_key(self, ind: Indikator, codes: str) -> str:
        return f"{codes}@{self.value_typed(ind)}|{self.pembilang.data or ''}/{self.penyebut.data or ''}"

    @property
    def loaded_revision(self) -> int:
        return self.revision.data or 0


class BuktiForm(UploadForm):
    """A bukti dukung file: a new one, or the replacement of one."""


class PeriodQuery(Form):
    """`?periode=` of the realisasi page: the id of the period shown (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    periode = IntegerField(default=None)


def read_realisasi(form, ind: Indikator) -> tuple[RealisasiInput, dict]:
    """What one row's realisasi form says (a mapping of the typed texts: `RealisasiForm.typed()`,
    or a test's dict), read under the indicator's definition: value (or pembilang/penyebut,
    or predikat), state and texts as a RealisasiInput for `services.save_realisasi`, and a
    message per refused field."""
    errors: dict[str, str] = {}
    e = RealisasiInput(
        tidak_berlaku=(form.get("tidak_berlaku") or "") not in UNCHECKED,
        faktor_pendorong=(form.get("faktor_pendorong") or "").strip()[:5000],
        faktor_penghambat=(form.get("faktor_penghambat") or "").strip()[:5000],
        tindak_lanjut=(form.get("tindak_lanjut") or "").strip()[:5000],
    )
    typed = [form.get(k) or "" for k in ("nilai", "pembilang", "penyebut", "predikat")]
    if e.tidak_berlaku:
        if any(t.strip() for t in typed):
            field_name = "predikat" if ind.jenis_target == "predikat" else (
                "pembilang" if ind.pakai_rasio else "nilai")
            errors[field_name] = "Pilih salah satu: isi nilai, atau centang Tidak berlaku dan kosongkan nilainya."
        return e, errors
    negative = ind.boleh_negatif
    if ind.jenis_target == "predikat":
        raw = (form.get("predikat") or "").strip()
        if raw:
            try:
                e.predikat = predikat_scale(ind).canonical(raw)
            except PredikatTidakValid:
                errors["predikat"] = f"Predikat tidak dikenal; pilihan: {', '.join(predikat_scale(ind).levels)}."
    elif ind.pakai_rasio:
        e.pembilang, msg_a = definitions.number(form.get("pembilang") or "", negative=negative)
        e.penyebut, msg_b = definitions.number(form.get("penyebut") or "", negative=negative)
        if msg_a:
            errors["pembilang"] = msg_a
        if msg_b:
            errors["penyebut"] = msg_b
        if not errors and (e.pembilang is None) != (e.penyebut is None):
            blank = "penyebut" if e.penyebut is None else "pembilang"
            errors[blank] = "Isi pembilang dan penyebut, atau kosongkan keduanya."
        elif not errors and e.penyebut == 0:
            errors["penyebut"] = "Penyebut tidak boleh 0."
        elif not errors and e.penyebut is not None:
            r = value_from_ratio(e.pembilang, e.penyebut, persen=is_percent(ind.satuan))
            e.nilai = r.value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            if abs(e.nilai) >= Decimal(10) ** 14:
                errors["pembilang"] = "Hasil pembilang / penyebut terlalu besar."
    else:
        e.nilai, message = definitions.number(form.get("nilai") or "", negative=negative)
        if message:
            errors["nilai"] = message
    return e, errors
