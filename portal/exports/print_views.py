"""Print views: the Formulir Pengukuran Kinerja and the Perjanjian Kinerja of a cycle's
period as HTML printable on A4 (print CSS), from the same documents the workbooks print
(documents.py): the signed record once signed, the figures about to be signed (marked
DRAF) before. Linked from the sign-off page and the page of every cycle."""
from flask import abort, g
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.cycles import policy
from portal.cycles.engine import period_label
from portal.cycles.models import Cycle
from portal.exports import figures, services
from portal.exports.documents import (
    PK_OPENING,
    PK_PROMISE,
    PK_SUPERVISION,
    realisasi_text,
    rupiah,
    shown_capaian,
    target_text,
)
from portal.exports.views import bp
from portal.tenancy.scope import scoped_get

DOCUMENTS = {"formulir": "Formulir Pengukuran Kinerja", "pk": "Perjanjian Kinerja"}


@bp.route("/cetak/<int:cycle_id>/<dokumen>")
@rule("tenant")
def print_view(cycle_id, dokumen):
    if dokumen not in DOCUMENTS:
        abort(404)
    cycle = scoped_get(Cycle, g.tenant, cycle_id)
    # Once signed (and locked) only the record; before, the figures about to be signed,
    # of the units whose drafts the reader may see (the policy's draft_scope, as the
    # workbook exports): a Kabid his own unit's, the others "Belum disahkan".
    drafts = None if cycle.locked else policy.draft_scope(current_user, g.tenant)
    include = drafts is not None and drafts.any
    export = figures.gather(g.tenant, cycle.tahun, cycle.period_kind, cycle.period_no, include_drafts=include,
                            draft_units=None if not include or drafts.whole else drafts.unit_ids)
    pairs = list(services.documents_of(export)(export.opds))
    if len(pairs) != 1:
        abort(404)
    _opd, doc = pairs[0]
    return web.render(f"exports/print_{dokumen}.html", doc=doc, cycle=cycle, title=DOCUMENTS[dokumen],
                      period=period_label(cycle.period_kind, cycle.period_no, cycle.tahun), capaian=shown_capaian,
                      target=target_text, realisasi=realisasi_text, rupiah=rupiah, opening=PK_OPENING,
                      promise=PK_PROMISE, supervision=PK_SUPERVISION)
