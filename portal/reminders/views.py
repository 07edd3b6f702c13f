"""Reminder pages: one's own contact and opt-out, the escalation setting, and "Kirim
pengingat" from the late list."""
from flask import Blueprint, flash, g, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.cycles.models import CycleTask
from portal.extensions import db
from portal.jobs import queue
from portal.oversight.queries import opds_below
from portal.problems import Invalid, NotFound
from portal.reminders import forms, services
from portal.tenancy.lanes import Capability

bp = Blueprint("reminders", __name__, url_prefix="/t/<tenant_slug>/pengingat")


def _page(status=200, contact=None, escalation=None):
    return web.render("reminders/settings.html", status=status, contact=contact, escalation=escalation,
                      may_set=Capability.MANAGE_TENANT in g.capabilities,
                      escalate_after=services.escalate_after(g.tenant), default=services.DEFAULT_ESCALATE_AFTER)


@bp.route("/")
@rule("tenant")
def settings():
    return _page()


@bp.route("/kontak", methods=["POST"])
@rule("tenant")
def contact():
    form = forms.ContactForm()
    if not form.validate():
        return _page(422, contact=form)
    services.set_contact(current_user, current_user, form.telepon.data or "", form.whatsapp.data or "",
                         bool(form.tanpa_pengingat.data))
    db.session.commit()
    flash("Kontak dan pilihan pengingat Anda disimpan.", "info")
    return web.see_other(url_for("reminders.settings"))


@bp.route("/eskalasi", methods=["POST"])
@rule("tenant:manage_tenant")
def escalation():
    form = forms.EscalationForm()
    if not form.validate():
        return _page(422, escalation=form)
    services.set_escalate_after(g.tenant, current_user, form.hari.data)
    db.session.commit()
    flash(f"Pekerjaan terlambat dieskalasikan ke Sekretaris dan Kepala setelah {form.hari.data} hari kerja.", "info")
    return web.see_other(url_for("reminders.settings"))


@bp.route("/kirim", methods=["POST"])
@rule("tenant:oversee")
def send():
    """'Kirim pengingat' on the late list: to the holders of a task in an OPD below."""
    form = forms.SendForm()
    if not form.validate() or not form.tugas.data:
        raise Invalid("Pilih langkah yang akan diingatkan.")
    task = db.session.get(CycleTask, form.tugas.data)
    if task is None or task.tenant_id not in set(db.session.scalars(opds_below(g.tenant))):
        raise NotFound("Langkah tidak ditemukan.")
    reminder = services.manual(task, current_user)  # refuses a step nobody holds or waits on
    if services.already_sent(reminder):
        flash("Pengingat untuk langkah ini sudah dikirim hari ini.", "info")
        return web.see_other(url_for("oversight.late"))
    names = ", ".join(u.name for u in reminder.recipients)
    task_id, sender_id = task.id, current_user.id
    db.session.commit()  # no transaction of the request stays open while the task runs
    if queue.enqueue_task("pengingat_manual", task_id=task_id, sender_id=sender_id):
        flash(f"Pengingat untuk {names} dikirim lewat pekerja latar.", "info")
    else:
        flash("Antrean email sedang tidak dapat dihubungi: pengingat belum dikirim. "
              "Coba lagi setelah layanan pulih.", "error")
    return web.see_other(url_for("oversight.late"))
