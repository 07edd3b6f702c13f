"""The cycle forms: what the cycle routes read, as clean values for engine and review.

Templates keep their own markup (field names as below); these classes only read and
check. CSRFProtect already checks every POST of the app, so the forms do not again.
"""
from flask_wtf.file import FileField
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Optional

from portal.cycles.models import ItemState
from portal.form_fields import IdListField, PostedForm, chosen_file, strip_text

YEAR_OR_PERIOD = "Tahun atau periode tidak valid."


class StartCycleForm(PostedForm):
    # The year's range is the engine's rule (start_cycle says "Tahun harus antara 2000 dan 2100").
    tahun = IntegerField(validators=[InputRequired(YEAR_OR_PERIOD)])
    nomor = IntegerField(validators=[Optional()])
    jenis = StringField(default="")

    @property
    def number(self) -> int:
        return self.nomor.data or 1


class MarkDoneForm(PostedForm):
    catatan = StringField(default="", filters=[strip_text])
    output = FileField()

    @property
    def upload(self):
        """The uploaded output document, or None when no file was chosen."""
        return chosen_file(self.output)


class DecideForm(PostedForm):
    keputusan = StringField(default="")
    alasan = StringField(default="")

    @property
    def approved(self) -> bool:
        return self.keputusan.data == "ya"


class ItemsForm(PostedForm):
    """Submit (ajukan) the checked indicators."""

    item = IdListField(default=list)


class ReopenForm(ItemsForm):
    alasan = StringField(default="")


class ReviewForm(PostedForm):
    """The review of a cycle's indicators: per item a result `hasil-<id>` ("setuju" or
    "kembalikan"; the domain checks the word) and a reason `alasan-<id>`, and the button
    `setujui_unit` that approves a whole unit at once. Built per item set by review_form."""

    setujui_unit = StringField(default="")
    # "Setujui semua yang tidak dikembalikan": every waiting item without a chosen result is approved.
    setujui_sisanya = StringField(default="")

    def decisions(self, items, stage: int | None) -> dict[int, tuple[str, str]]:
        """{item id: (verdict, reason)} for review.review: each result chosen, and with the
        whole-unit button every item of that unit waiting for this stage, with "the rest" button
        every item waiting for this stage (a chosen result wins)."""
        unit = self.setujui_unit.data
        rest = bool(self.setujui_sisanya.data)
        chosen = {}
        for item in items:
            verdict = self[f"hasil-{item.id}"].data
            if verdict:
                chosen[item.id] = (verdict, self[f"alasan-{item.id}"].data)
            elif ((rest or (unit and str(item.indikator.unit_id) == unit)) and stage is not None
                  and item.state == ItemState.DIAJUKAN and item.stage == stage - 1):
                chosen[item.id] = ("setuju", "")
        return chosen


def review_form(items) -> ReviewForm:
    """A ReviewForm with the result and reason fields of these items (names as the page posts them)."""
    fields = {}
    for item in items:
        fields[f"hasil-{item.id}"] = StringField(default="")
        fields[f"alasan-{item.id}"] = StringField(default="")
    return type("ItemReviewForm", (ReviewForm,), fields)()
