"""The sign-off page: every indicator's realisasi, capaian, kategori and status before
the Kepala signs, and the sign-off itself, confirmed on the server. After sign-off the
page shows the signed record, not the live rows. Same URL paths under the cycle's
(/t/<tenant>/siklus/<id>/pengesahan), on the signing blueprint."""
from flask import Blueprint, abort, g, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal import web
from portal.access import rule
from portal.cycles import engine, facts, policy, review
from portal.cycles.engine import CycleError
from portal.cycles.locking import StateChanged
from portal.cycles.models import Cycle, CycleItem, CycleTask
from portal.extensions import db
from portal.indikator.definitions import POLARITAS_LABELS, SIFAT_LABELS
from portal.indikator.models import Indikator
from portal.signing import preview, queries
from portal.signing import signoff as signoff_domain
from portal.signing.forms import SignOffForm
from portal.sop.document import Meaning
from portal.tenancy.scope import scoped_get

bp = Blueprint("signing", __name__, url_prefix="/t/<tenant_slug>/siklus")


def _cycle(cycle_id) -> Cycle:
    scoped_get(Cycle, g.tenant, cycle_id)
    return db.session.scalar(
        db.select(Cycle).where(Cycle.id == cycle_id).execution_options(populate_existing=True).options(
            selectinload(Cycle.items).selectinload(CycleItem.indikator).selectinload(Indikator.unit),
            selectinload(Cycle.tasks).selectinload(CycleTask.step)))


def _sign_task(cycle: Cycle) -> CycleTask | None:
    task = engine.current_task(cycle)
    return task if task is not None and task.step.meaning == Meaning.SIGN else None


def _page(cycle: Cycle, form: SignOffForm, status: int = 200, problem: str | None = None):
    task = _sign_task(cycle)
    # Said up front: who may not sign (not the step's lane, or he changed a value) and who
    # must sign instead; the form is offered only to someone who may (the POST checks again).
    refusal = policy.sign_page_refusal(current_user, task)
    can_sign = task is not None and refusal is None
    signed = queries.of_cycle(cycle) if cycle.locked else []
    if task is not None and not form.sidik.data:
        form.sidik.data = preview.fingerprint(cycle)
    return web.render(
        "signing/signoff.html", status=status, cycle=cycle, task=task, can_sign=can_sign, refusal=refusal, form=form,
        problem=problem, rows=[] if signed else preview.preview(cycle), signed=signed,
        item_label=review.item_label, engine=engine, facts={} if signed else facts.of_cycle(cycle),
        POLARITAS_LABELS=POLARITAS_LABELS, SIFAT_LABELS=SIFAT_LABELS)


@bp.route("/<int:cycle_id>/pengesahan")
@rule("tenant")
def signoff(cycle_id):
    return _page(_cycle(cycle_id), SignOffForm(formdata=None))


@bp.route("/<int:cycle_id>/tugas/<int:task_id>/sahkan", methods=["POST"])
@rule("tenant:sign")
def sign(cycle_id, task_id):
    cycle = _cycle(cycle_id)
    task = scoped_get(CycleTask, g.tenant, task_id)
    if task.cycle_id != cycle.id:
        abort(404)
    form = SignOffForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _page(cycle, form, 422)
    try:
        # The domain locks the cycle, then checks the step, the policy and that the
        # figures are still those the page showed (form.sidik).
        signoff_domain.sign(task, current_user, form.sidik.data)
    except CycleError as error:  # 409 (StateChanged: shown again with today's figures), 403 or 422
        db.session.rollback()
        if isinstance(error, StateChanged):
            form.sidik.data = ""
        return _page(_cycle(cycle_id), form, error.status, str(error))
    db.session.commit()
    return web.see_other(url_for("cycles.detail", cycle_id=cycle_id))
