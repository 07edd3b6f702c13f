"""What both SOP editor view modules (header and lanes; steps) use: the draft being edited,
its rows, and the answers the editor gives (the structure, the form again)."""
from flask import abort, g, url_for

from portal import web
from portal.auth import pangkat
from portal.extensions import db
from portal.sop import editing, forms, queries
from portal.sop.document import HEADER_LISTS, MEANING_LABELS, REPEAT_LABELS, SYMBOL_LABELS, UNIT_LABELS
from portal.sop.models import SopVersion
from portal.tenancy.lanes import KIND_LABELS, LaneKind
from portal.tenancy.scope import scoped_get

STRUCTURE = "sop/_editor_structure.html"
EDITOR_CONTEXT = {
    "HEADER_LISTS": HEADER_LISTS, "SYMBOL_LABELS": SYMBOL_LABELS, "MEANING_LABELS": MEANING_LABELS,
    "UNIT_LABELS": UNIT_LABELS, "REPEAT_LABELS": REPEAT_LABELS, "PANGKAT_CHOICES": pangkat.CHOICES,
    "LANE_KINDS": [(k, KIND_LABELS[LaneKind(k)]) for k in editing.OPD_LANE_KINDS],
}


def draft(version_id) -> SopVersion:
    """This tenant's version, still a draft (a published one: 409)."""
    version = queries.own_version(g.tenant, version_id)
    editing.require_draft(version)
    return version


def row_of(version: SopVersion, model, row_id):
    """A lane or step (`model`) of this draft; another version's: 404."""
    row = scoped_get(model, g.tenant, row_id)
    if row.version_id != version.id:
        abort(404)
    return row


def editor_url(version) -> str:
    return url_for("sop.editor", version_id=version.id)


def structure(version, **extra):
    """The lanes and steps after a change: the fragment for htmx, the editor for a plain post."""
    return web.fragment_or_redirect(STRUCTURE, editor_url(version), version=version, **EDITOR_CONTEXT, **extra)


def saved(version):
    """Commit a change to the lanes or steps and answer with the structure."""
    db.session.commit()
    return structure(version)


def change_row(version_id, model, row_id, change):
    """Delete or move one lane or step (`model`) of the draft: `change(row)`, then commit and
    answer with the structure."""
    version = draft(version_id)
    change(row_of(version, model, row_id))
    return saved(version)


def move(row) -> None:
    """Move a lane or step the way the form says (`arah`: naik, else down)."""
    editing.move(row, forms.MoveForm().direction)


def form_again(version, error, fragment=STRUCTURE, refresh=None, **extra):
    """Answer a refused save with the form again and its message: 422 for input that cannot
    be used (`editing.FieldErrors`), 409 for a stale save (`editing.StaleWrite`, naming what
    changed; `web` marks it so the layout swaps it in). A plain post gets the message as a
    flash on the editor."""
    db.session.rollback()

    def answer():
        db.session.refresh(refresh if refresh is not None else version)
        return web.render_fragment(fragment, status=error.status, version=version, error=error,
                                   **EDITOR_CONTEXT, **extra)
    return web.in_place(editor_url(version), answer, flash_message=str(error))
