"""Exports made by a background job (the province workbook): the runner the job queue
calls with the job row and a progress callback."""
from portal.auth.models import User
from portal.exports import services
from portal.extensions import db
from portal.jobs import services as jobs
from portal.tenancy.models import Tenant


def run_export(job, progress) -> tuple[bytes, str]:
    tenant = db.session.get(Tenant, job.tenant_id)
    req = services.Request(**job.params)
    # Drafts as the policy allows the person who asked, as it stands when the job runs.
    user = db.session.get(User, job.user_id) if job.user_id else None
    drafts = services.drafts_of(user, tenant, req)
    return services.build(tenant, req, progress, drafts), services.filename(tenant, req)


jobs.register("ekspor", run_export)
