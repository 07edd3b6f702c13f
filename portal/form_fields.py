"""Form pieces every area's forms.py may use: a base for forms that only read a POST, a
filter that trims text, a check box, a form with one file, ids posted by check boxes and buttons, and the year a
page is asked for.

A shared module: it imports no feature package (README "Layout")."""
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import BooleanField, Field
from wtforms.fields import FileField as WtFileField

from portal import clock

UNCHECKED = ("", "0", "off", "false")  # what a check box posts (or a client sends) for "not checked"


class Form(FlaskForm):
    """The base of every form of the portal (a test checks it): a file reaches only a file
    field. A file posted under a text field's name (a hostile or broken client) is not
    that field's value, so no view or validator ever gets a file object where it expects
    text (that was a 500); the field is then empty and says so like any missing input."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            data = super().wrap_formdata(form, formdata)
            if not isinstance(data, CombinedMultiDict):
                return data
            file_fields = {field.name for field in form if isinstance(field, WtFileField)}
            files = MultiDict([(name, upload) for name, upload in request.files.items(multi=True)
                               if name in file_fields])
            return CombinedMultiDict((files, request.form))


class PostedForm(Form):
    """A form that reads a POST the page wrote by hand (no csrf_token field of its own)."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST of the app already (form field or X-CSRFToken)

    def typed(self) -> dict[str, str]:
        """What was sent, as the page shows it again after a refusal: {field: the text sent,
        "" when not sent}; {} when nothing was posted at all."""
        if all(field.raw_data is None for field in self):
            return {}
        return {field.name: (field.raw_data[0] if field.raw_data else "") for field in self}

    def first_errors(self) -> dict[str, str]:
        """{field: its first message}, the shape the row templates show."""
        return {name: messages[0] for name, messages in self.errors.items()}


def chosen_file(field: FileField):
    """The file uploaded in `field` (a FileStorage), or None when no file was chosen."""
    data = field.data
    return data if data is not None and data.filename else None


class UploadForm(PostedForm):
    """A form with one file (`name="berkas"`)."""

    berkas = FileField()

    @property
    def upload(self):
        return chosen_file(self.berkas)


def strip_text(value):
    """A field filter: the text without surrounding white space (other values as they are)."""
    return value.strip() if isinstance(value, str) else value


class CheckBox(BooleanField):
    """A check box: checked unless its value is missing or one of UNCHECKED."""

    false_values = UNCHECKED


class IdListField(Field):
    """Checked ids (`name="item"` on several boxes): the numbers among them, others ignored."""

    def process_formdata(self, valuelist):
        self.data = [int(v) for v in valuelist if v.isdecimal()]

    def _value(self):
        return ""


class IdField(Field):
    """One id (a hidden input or a button's value): its number, or None when it is not one."""

    def process_formdata(self, valuelist):
        self.data = int(valuelist[0]) if valuelist and valuelist[0].isdecimal() else None

    def _value(self):
        return "" if self.data is None else str(self.data)


def this_year() -> int:
    return clock.today().year


class PageYearField(Field):
    """The year a page shows (`?tahun=`): the number given, or this year when none is
    given, it is not a number, or it lies outside `bounds` (low, high) when those are set."""

    def __init__(self, label=None, validators=None, bounds: tuple[int, int] | None = None, **kwargs):
        kwargs.setdefault("default", this_year)
        super().__init__(label, validators, **kwargs)
        self.bounds = bounds

    def process_formdata(self, valuelist):
        try:
            year = int(valuelist[0]) if valuelist and valuelist[0].strip() else None
        except ValueError:
            year = None
        if year is None or (self.bounds and not self.bounds[0] <= year <= self.bounds[1]):
            year = this_year()
        self.data = year

    def _value(self):
        return str(self.data)
