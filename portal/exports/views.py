"""Export pages: the form (per OPD, pemda or province, by tenant level), a direct
download for the small workbooks, and background jobs with progress for the big one."""
from flask import Blueprint, abort, g, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.cycles import policy
from portal.exports import jobs as export_jobs  # noqa: F401 (registers the job runner)
from portal.exports import queries, services
from portal.exports.forms import ExportForm
from portal.extensions import db
from portal.jobs import queue
from portal.jobs import services as jobs
from portal.jobs.models import JobStatus

bp = Blueprint("exports", __name__, url_prefix="/t/<tenant_slug>/ekspor")


def _page(form, status=200):
    return web.render("exports/index.html", status=status, tenant=g.tenant, form=form,
                      kinds=services.kinds_for(g.tenant), jobs=jobs.recent(g.tenant),
                      drafts=policy.draft_scope(current_user, g.tenant))


@bp.route("/")
@rule("tenant")
def index():
    return _page(ExportForm.blank(services.kinds_for(g.tenant), queries.default_period(g.tenant)))


@bp.route("/", methods=["POST"])
@rule("tenant")
def create():
    kinds = services.kinds_for(g.tenant)
    if not kinds:
        abort(404)
    form = ExportForm(kinds)
    if not form.validate():
        return _page(form, 422)
    kind, no = form.period
    req = services.Request(form.jenis.data, form.tahun.data, kind, no, bool(form.draf.data))
    if services.KINDS[req.kind].background:
        job = services.start(g.tenant, current_user, req)
        db.session.commit()
        queue.enqueue(job.id)
        return web.see_other(url_for("exports.job", job_id=job.id))
    data, name = services.direct(g.tenant, current_user, req)
    db.session.commit()
    return web.download(data, name, web.XLSX)


@bp.route("/tugas/<int:job_id>")
@rule("tenant")
def job(job_id):
    found = jobs.job_of(g.tenant, job_id)
    return web.render("exports/job.html", "exports/_job.html", tenant=g.tenant, job=found)


@bp.route("/tugas/<int:job_id>/unduh")
@rule("tenant")
def download(job_id):
    found = jobs.job_of(g.tenant, job_id)
    if found.status != JobStatus.SELESAI:
        abort(404)
    return web.download(found.result, found.filename, web.XLSX)
