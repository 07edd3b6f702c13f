"""The SOP forms the routes read (new SOP, copy a template, paste a step table, move a row).

Templates keep their own markup (field names as below); these classes only read.
CSRFProtect already checks every POST of the app, so the forms do not again.
The editor's header, lane and step forms are still read by `sop/editing.py`.
"""
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField

from portal.sop import paste


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _Form(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every POST of the app already (form field or X-CSRFToken)


class NewSopForm(_Form):
    nama = StringField(default="", filters=[_strip])

    @property
    def name(self) -> str:
        return self.nama.data or "Pengukuran Kinerja"


class CloneForm(_Form):
    tujuan = StringField(default="")  # the slug of the tenant the template is copied to


class MoveForm(_Form):
    arah = StringField(default="")

    @property
    def direction(self) -> int:
        return -1 if self.arah.data == "naik" else 1


class PasteForm(_Form):
    tabel = StringField(default="")
    nama = StringField(default="")
    sop_id = StringField(default="")  # the SOP the draft revises; empty: a new SOP
    aksi = StringField(default="")  # "simpan" makes the draft; anything else previews
    buat_peran = StringField(default="")
    berkas = FileField()

    @property
    def upload(self):
        data = self.berkas.data
        return data if data is not None and data.filename else None

    @property
    def save(self) -> bool:
        return self.aksi.data == "simpan"

    @property
    def create_lanes(self) -> bool:
        return self.buat_peran.data == "1"

    @staticmethod
    def corrections() -> tuple[dict, dict, dict]:
        """The preview's corrections: one field per lane and step (kind_<i>, symbol_<no>,
        meaning_<no>), as many as the table has, so read from the submitted fields."""
        return paste.corrections(request.form)
