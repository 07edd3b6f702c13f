"""Cycle pages: list and start, the timeline with the current task's actions, the data
states, the audit; "Tugas saya" across tenants; actual against standard time."""

from flask import Blueprint, abort, current_app, g, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal import clock, web
from portal.access import rule
from portal.audit import services as audit
from portal.cycles import engine, facts, forms, policy, queries, review
from portal.cycles.models import Cycle, CycleItem, CycleSnapshot, CycleTask, ItemState
from portal.cycles.outputs import content_type, store_output
from portal.extensions import db
from portal.indikator.models import FileBlob, Indikator
from portal.onboarding import readiness
from portal.problems import Conflict, Invalid, Problem
from portal.tenancy.lanes import Level
from portal.tenancy.models import utcnow
from portal.tenancy.scope import scoped_get

bp = Blueprint("cycles", __name__, url_prefix="/t/<tenant_slug>/siklus")
inbox_bp = Blueprint("inbox", __name__)


@inbox_bp.route("/tugas-saya")
@rule("signed_in")
def inbox():
    return web.render("cycles/inbox.html", entries=queries.inbox(current_user),
                      returned=queries.returned_to(current_user), approvals=queries.sop_approvals(current_user))


def _index(status: int = 200, **context):
    return web.render("cycles/index.html", status=status, cycles=queries.cycles_of(g.tenant),
                      this_year=clock.today().year, summary=queries.time_summary(g.tenant),
                      queries=queries, engine=engine, **context)


@bp.route("/")
@rule("tenant")
def index():
    return _index()


@bp.route("/mulai", methods=["POST"])
@rule("tenant:act")
def start():
    """A refused start is answered on the Siklus page itself: the reason, and each missing
    item of the readiness checklist with a link to the page that fixes it."""
    form = forms.StartCycleForm()
    if not form.validate():
        raise Invalid(forms.YEAR_OR_PERIOD)
    try:
        cycle = engine.start_cycle(g.tenant, form.tahun.data, form.jenis.data or "", form.number, current_user)
    except (Invalid, Conflict) as error:
        db.session.rollback()
        checkable = g.tenant.level == Level.OPD and 2000 <= form.tahun.data <= 2100
        blocking = readiness.check(g.tenant, form.tahun.data).blocking if checkable else []
        return _index(error.status, refused=error.message, blocking=blocking, asked=form)
    db.session.commit()
    return web.see_other(url_for("cycles.detail", cycle_id=cycle.id))


@bp.route("/<int:cycle_id>/")
@rule("tenant")
def detail(cycle_id):
    scoped_get(Cycle, g.tenant, cycle_id)
    # One query per relation, not one per indicator and task, for the whole page.
    cycle = db.session.scalar(
        db.select(Cycle).where(Cycle.id == cycle_id).execution_options(populate_existing=True).options(
            selectinload(Cycle.items).selectinload(CycleItem.indikator).selectinload(Indikator.unit),
            selectinload(Cycle.tasks).selectinload(CycleTask.step),
            selectinload(Cycle.tasks).selectinload(CycleTask.completed_by)))
    return web.render("cycles/detail.html", cycle=cycle, **_detail_context(cycle))


def _detail_refused(cycle_id, error: Problem):
    """A refused step action answered on the cycle page itself, the reason above the step
    (not a separate error page), with the refusal's status; nothing was saved."""
    db.session.rollback()
    cycle = scoped_get(Cycle, g.tenant, cycle_id)
    return web.render("cycles/detail.html", status=error.status, cycle=cycle, refused=error.message,
                      **_detail_context(cycle))


def _detail_context(cycle) -> dict:
    task = engine.current_task(cycle)
    may_submit = policy.submit_rights(current_user, cycle)
    can_act = policy.may_do_step(current_user, task)
    stage = review.stage_of_task(task) if task else None
    waiting_units = list(dict.fromkeys(
        i.indikator.unit for i in cycle.items
        if stage is not None and i.state == ItemState.DIAJUKAN and i.stage == stage - 1 and i.indikator.unit))
    return {
        "waiting_units": waiting_units,
        "task": task, "can_act": can_act, "stage": stage,
        "item_label": review.item_label, "queries": queries, "engine": engine, "review": review,
        "events": audit.for_cycle(cycle.tenant, cycle.id), "now": utcnow(),
        "submittable": [i for i in cycle.items if i.state in (ItemState.BELUM_DIISI, ItemState.DIKEMBALIKAN)
                        and may_submit(i)] if engine.realisasi_open(cycle) else [],
        "is_head": policy.is_head(current_user, cycle.tenant),
        "periodic": [t for t in cycle.tasks if engine.is_periodic(t)], "policy": policy,
        # The last signed revision, also while the cycle is reopened (it stands until signed again).
        "signed": cycle.signed_figures,
        "facts": facts.of_cycle(cycle),  # value, target, capaian, bukti, notes beside each item
    }


def _task(cycle_id, task_id) -> CycleTask:
    task = scoped_get(CycleTask, g.tenant, task_id)
    if task.cycle_id != cycle_id:
        abort(404)
    return task


def _act(cycle_id, action):
    """Run one domain action on the cycle; a refusal is raised as a portal.problems error
    (answered by portal/web.py, with nothing saved)."""
    cycle = scoped_get(Cycle, g.tenant, cycle_id)
    action(cycle)  # an UploadRefused is a portal.problems.Invalid too
    db.session.commit()
    return web.see_other(url_for("cycles.detail", cycle_id=cycle_id))


@bp.route("/<int:cycle_id>/tugas/<int:task_id>/selesai", methods=["POST"])
@rule("tenant:act")
def mark_done(cycle_id, task_id):
    def action(cycle):
        task = _task(cycle_id, task_id)
        form = forms.MarkDoneForm()
        upload, output = form.upload, None
        if upload is not None:
            output = store_output(g.tenant, upload.filename, upload.read(), current_app.config["UPLOAD_MAX_BYTES"])
        engine.mark_done(task, current_user, output=output, note=form.catatan.data or "")
    try:
        return _act(cycle_id, action)
    except (Invalid, engine.CycleError) as error:
        return _detail_refused(cycle_id, error)


@bp.route("/<int:cycle_id>/tugas/<int:task_id>/putuskan", methods=["POST"])
@rule("tenant:review")
def decide(cycle_id, task_id):
    def action(cycle):
        form = forms.DecideForm()
        review.decide(_task(cycle_id, task_id), current_user, form.approved, form.alasan.data or "")
    return _act(cycle_id, action)


@bp.route("/<int:cycle_id>/tugas/<int:task_id>/reviu", methods=["POST"])
@rule("tenant:review")
def review_items(cycle_id, task_id):
    def action(cycle):
        task = _task(cycle_id, task_id)
        decisions = forms.review_form(cycle.items).decisions(cycle.items, review.stage_of_task(task))
        if not decisions:
            raise Invalid("Pilih hasil reviu (setujui atau kembalikan) untuk paling sedikit satu indikator.")
        review.review(task, current_user, decisions)
    return _act(cycle_id, action)


# The sign-off (signing.sign) is in portal/signing/views.py: it needs the confirmation of its page.


@bp.route("/<int:cycle_id>/ajukan", methods=["POST"])
@rule("tenant:act")
def submit(cycle_id):
    def action(cycle):
        chosen = set(forms.ItemsForm().item.data)
        items = [i for i in cycle.items if i.id in chosen]
        if not items:
            raise Invalid("Pilih indikator yang akan diajukan.")
        review.submit(items, current_user)
    return _act(cycle_id, action)


@bp.route("/<int:cycle_id>/buka-kembali", methods=["POST"])
@rule("tenant:sign")
def reopen(cycle_id):
    def action(cycle):
        form = forms.ReopenForm()
        review.reopen(cycle, current_user, form.alasan.data or "", form.item.data or None)
    return _act(cycle_id, action)


@bp.route("/<int:cycle_id>/tugas/<int:task_id>/output")
@rule("tenant")
def output(cycle_id, task_id):
    task = _task(cycle_id, task_id)
    if task.output_blob_id is None:
        abort(404)
    blob = scoped_get(FileBlob, g.tenant, task.output_blob_id)
    return web.download(blob.data, task.output_filename, content_type(task.output_filename), etag=blob.sha256,
                        untrusted=True)


@bp.route("/<int:cycle_id>/indikator/<int:item_id>/")
@rule("tenant")
def item_history(cycle_id, item_id):
    item = scoped_get(CycleItem, g.tenant, item_id)
    if item.cycle_id != cycle_id:
        abort(404)
    snapshots = db.session.scalars(db.select(CycleSnapshot).where(
        CycleSnapshot.cycle_id == cycle_id, CycleSnapshot.indikator_id == item.indikator_id)
        .order_by(CycleSnapshot.revision)).all()
    return web.render("cycles/item.html", item=item, cycle=item.cycle, snapshots=snapshots,
                      events=audit.for_indikator(g.tenant, item.indikator_id), item_label=review.item_label)
