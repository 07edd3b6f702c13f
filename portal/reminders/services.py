"""Which reminders are due, and sending each exactly once.

Per task of a running cycle, from its due time (the step's Mutu Baku):
- "segera": before the due time (a day before, or half the step's time when shorter),
  to the task's holders (who must act now: cycles/work.py);
- "terlambat": once the due time has passed, to the holders;
- "eskalasi": after n hari kerja late (a per-tenant setting, default 2), to the OPD's
  Sekretaris and Kepala (lanes by kind, never by name).
And per ended period whose cycle never started and is late ("belum_mulai", to those who
may start it); a weekly digest of late work ("ringkasan") to each pemda's admins and the
province's coordinators, on Monday from 07.00 WIB; "manual": "Kirim pengingat" from the
late list (once a day per task).

Exactly once, across worker restarts and several workers: a ReminderSent row, unique per
(kind, key), is committed before the mail goes to the SMTP server; a worker that loses
that race sends nothing. Should the SMTP server refuse every recipient, the row is
removed again so the next sweep retries; a worker killed between the commit and the
hand-over loses that one reminder (at most once, never twice). Every reminder sent is in
the audit log. "segera" and "ringkasan" are not mandatory: a person may opt out.

The clock is read in one place, `now()`.
"""
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import clock, rls
from portal.audit import services as audit
from portal.auth.invitations import mail, mail_configured
from portal.auth.models import Membership, User
from portal.calendar.services import work_calendar
from portal.cycles import overdue, policy, work
from portal.cycles.deadlines import due_at
from portal.cycles.engine import period_label
from portal.cycles.models import Cycle, CycleItem, CycleStatus, CycleTask, TaskStatus
from portal.extensions import db
from portal.formatting import waktu
from portal.jobs import queue
from portal.oversight import queries as oversight
from portal.problems import Invalid
from portal.reminders.models import ReminderSent, ReminderSetting
from portal.sop.models import SopStep
from portal.tenancy.lanes import Capability, LaneKind, Level, kinds_with
from portal.tenancy.models import Lane, Tenant
from portal.tenancy.services import chain

log = logging.getLogger(__name__)

DEFAULT_ESCALATE_AFTER = 2  # hari kerja late before the Sekretaris and Kepala are told
OPTIONAL = {"segera", "ringkasan"}  # a person may opt out of these; the others are mandatory
KIND_LABELS = {"segera": "batas waktu mendekat", "terlambat": "terlambat", "eskalasi": "eskalasi ke pimpinan",
               "ringkasan": "ringkasan mingguan", "manual": "pengingat dari pemantau",
               "belum_mulai": "siklus belum dimulai"}
ESCALATION_KINDS = (LaneKind.SEKRETARIS.value, LaneKind.KEPALA.value)


def now() -> datetime:
    """The one place reminders read the clock (naive UTC): portal/clock.py's."""
    return clock.utcnow()


@dataclass
class Reminder:
    kind: str
    key: str
    tenant: Tenant
    recipients: list[User]
    subject: str
    body: str
    task: CycleTask | None = None
    cycle_id: int | None = None
    sent_by: User | None = None
    delivered: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- settings

def escalate_after(tenant: Tenant) -> int:
    """The tenant's setting, else its pemda's, its province's, else the default."""
    ids = [t.id for t in chain(tenant)]
    rows = dict(db.session.execute(select(ReminderSetting.tenant_id, ReminderSetting.escalate_after_days)
                                   .where(ReminderSetting.tenant_id.in_(ids))).all())
    return next((rows[i] for i in ids if i in rows), DEFAULT_ESCALATE_AFTER)


def set_escalate_after(tenant: Tenant, user, days: int) -> None:
    if not 1 <= days <= 30:
        raise Invalid("Eskalasi diisi 1 sampai 30 hari kerja.")
    old = escalate_after(tenant)
    row = db.session.get(ReminderSetting, tenant.id)
    if row is None:
        row = ReminderSetting(tenant_id=tenant.id)
        db.session.add(row)
    row.escalate_after_days, row.updated_at, row.updated_by_id = days, now(), user.id if user else None
    audit.record(tenant, user, "pengingat.atur", "tenant", tenant.id, field="eskalasi (hari kerja)", old=old, new=days)


def set_contact(user: User, actor, telepon: str, whatsapp: str, opt_out: bool) -> None:
    """A person's own contact details and reminder choice (audited in each tenant of theirs)."""
    changes = [(name, getattr(user, attr), value) for name, attr, value in (
        ("telepon", "telepon", telepon), ("whatsapp", "whatsapp", whatsapp),
        ("tanpa pengingat opsional", "reminders_opt_out", opt_out)) if getattr(user, attr) != value]
    user.telepon, user.whatsapp, user.reminders_opt_out = telepon, whatsapp, opt_out
    tenants = {m.tenant_id: m.tenant for m in user.memberships}
    for tenant in tenants.values():
        for name, old, new in changes:
            audit.record(tenant, actor, "pengguna.kontak", "user", user.id, field=name, old=old, new=new)


# ---------------------------------------------------------------- who

def _people(opd_ids) -> dict[int, list[tuple[User, str, int | None]]]:
    """Active people per OPD: (user, lane kind, unit id)."""
    out: dict[int, list] = {}
    for membership, kind in db.session.execute(
            select(Membership, Lane.kind).join(Lane, Lane.id == Membership.lane_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id.in_(opd_ids), User.is_active).options(selectinload(Membership.user))):
        out.setdefault(membership.tenant_id, []).append((membership.user, kind, membership.unit_id))
    return out


def _unique(users) -> list[User]:
    return list({u.id: u for u in users}.values())


def _holders(todos: list[work.Work], people) -> list[User]:
    return _unique(user for user, kind, unit_id in people for todo in todos
                   if kind in todo.kinds and (todo.unit_id is None or unit_id == todo.unit_id))


def _link(path: str) -> str:
    return current_app.config.get("PORTAL_URL", "").rstrip("/") + path


# ---------------------------------------------------------------- what is due

def task_reminders(at: datetime) -> list[Reminder]:
    """Reminders due now for the tasks of running cycles (a task's holders from
    cycles/work.py, the one answer to "who must act now")."""
    cycles = list(db.session.scalars(
        select(Cycle).where(Cycle.status == CycleStatus.BERJALAN, Cycle.id.in_(
            select(CycleTask.cycle_id).where(CycleTask.status == TaskStatus.AKTIF, CycleTask.due_at.is_not(None))))
        .options(selectinload(Cycle.tasks).selectinload(CycleTask.step),
                 selectinload(Cycle.items).selectinload(CycleItem.indikator), selectinload(Cycle.tenant))))
    people = _people({c.tenant_id for c in cycles})
    settings: dict[int, int] = {}
    out = []
    for cycle in cycles:
        by_task: dict[int, list[work.Work]] = {}
        for todo in work.open_work(cycle, at):
            by_task.setdefault(todo.task.id, []).append(todo)
        crew = people.get(cycle.tenant_id, [])
        period = period_label(cycle.period_kind, cycle.period_no, cycle.tahun)
        for todos in by_task.values():
            task = todos[0].task
            if task.due_at is None or task.activated_at is None:
                continue
            key = f"{task.id}@{task.activated_at:%Y%m%d%H%M%S}"
            lead = min(timedelta(days=1), (task.due_at - task.activated_at) / 2)
            what = f"langkah {task.position} ({task.step.kegiatan}) siklus {period}, {cycle.tenant.name}"
            link = _link(f"/t/{cycle.tenant.slug}/siklus/{cycle.id}/")
            holders = _holders(todos, crew)
            tasks_text = "\n".join(f"- {w}" for w in dict.fromkeys(t.what for t in todos))
            if at >= task.due_at:
                late = f"Batas waktu {waktu(task.due_at)} sudah lewat."
                todo_text = f"Yang perlu dikerjakan:\n{tasks_text}\n\nBuka: {link}\n"
                out.append(Reminder("terlambat", key, cycle.tenant, holders, f"Terlambat: {what}",
                                    f"{late}\n\n{todo_text}", task, cycle.id))
                if cycle.tenant_id not in settings:
                    settings[cycle.tenant_id] = escalate_after(cycle.tenant)
                days = settings[cycle.tenant_id]
                if at >= due_at(task.due_at, days, "hari_kerja", calendar=work_calendar(cycle.tenant)):
                    heads = _unique(u for u, kind, _ in crew if kind in ESCALATION_KINDS)
                    names = ", ".join(u.name for u in holders) or "belum ada pemegang tugas"
                    out.append(Reminder(
                        "eskalasi", key, cycle.tenant, heads,
                        f"Eskalasi: {what}, terlambat lebih dari {days} hari kerja",
                        f"{late} Sudah lebih dari {days} hari kerja.\nPemegang tugas: {names}.\n\n{todo_text}",
                        task, cycle.id))
            elif at >= task.due_at - lead:
                out.append(Reminder("segera", key, cycle.tenant, holders, f"Batas {waktu(task.due_at)}: {what}",
                                    f"Batas waktu: {waktu(task.due_at)}.\n\nYang perlu dikerjakan:\n{tasks_text}\n\n"
                                    f"Buka: {link}\n", task, cycle.id))
    return out


def start_reminders(at: datetime) -> list[Reminder]:
    """Ended periods of this year whose cycle never started and is late: to those who may
    start it (the lanes of the SOP's first step, the OPD's planner)."""
    tahun = clock.to_wib(at).year
    opds = list(db.session.scalars(select(Tenant).where(Tenant.level == Level.OPD, Tenant.is_active)))
    if not opds:
        return []
    started = set(db.session.execute(select(Cycle.tenant_id, Cycle.period_kind, Cycle.period_no)
                                     .where(Cycle.tahun == tahun)).all())
    due = {k: v for k, v in overdue.deadlines([(o.id, o.parent_id) for o in opds], tahun, oversight.PERIODS,
                                              at).items()
           if v.due < at and k not in started and not oversight.covered(k, started)}
    if not due:
        return []
    first = dict(db.session.execute(select(SopStep.version_id, SopStep.id).where(
        SopStep.version_id.in_({n.version_id for n in due.values()}), SopStep.position == 1)).all())
    steps = {s.id: s for s in db.session.scalars(select(SopStep).where(SopStep.id.in_(first.values())))}
    people = _people({opd_id for opd_id, _, _ in due})
    by_id = {o.id: o for o in opds}
    planners = kinds_with(Capability.MANAGE_TENANT)
    out = []
    for (opd_id, kind, no), missing in due.items():
        opd = by_id[opd_id]
        step = steps.get(first.get(missing.version_id))
        kinds = (policy.step_lane_kinds(step) if step else set()) | planners
        starters = _unique(u for u, k, _ in people.get(opd_id, []) if k in kinds)
        period = period_label(kind, no, tahun)
        out.append(Reminder("belum_mulai", f"{opd_id}:{tahun}:{kind}:{no}", opd, starters,
                            f"Siklus {period} {opd.name} belum dimulai",
                            f"Periode {period} sudah berakhir dan siklus pengukurannya belum dimulai; batasnya "
                            f"{waktu(missing.due)} (akhir periode ditambah Mutu Baku SOP) sudah lewat.\n\n"
                            f"Mulai siklus: {_link(f'/t/{opd.slug}/siklus/')}\n"))
    return out


def digests(at: datetime) -> list[Reminder]:
    """The weekly digest of late work, from Monday 07.00 WIB: to each pemda's admins (its
    OPDs) and each province's coordinators (all its pemda), when something is late."""
    local = clock.to_wib(at).replace(tzinfo=None)  # WIB wall-clock time, naive like `at`
    monday = (local - timedelta(days=local.weekday())).replace(hour=7, minute=0, second=0, microsecond=0)
    if local < monday:
        return []
    week = f"{monday:%G-W%V}"
    out = []
    overseers = (LaneKind.PEMDA_ADMIN.value, LaneKind.COORDINATOR.value)
    for tenant in db.session.scalars(select(Tenant).where(Tenant.level.in_([Level.PEMDA, Level.PROVINSI]),
                                                          Tenant.is_active)):
        late = oversight.late_tasks(tenant, at)
        if not late:
            continue
        readers = _unique(m.user for m in db.session.scalars(
            select(Membership).join(Lane, Lane.id == Membership.lane_id).join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == tenant.id, Lane.kind.in_(overseers), User.is_active)))
        lines = "\n".join(
            f"- {t.opd_name} · {t.period} · {(str(t.position) + '. ') if t.position else ''}{t.kegiatan[:90]} · "
            f"batas {waktu(t.due_at)} · pemegang: {', '.join(t.holders) or '—'}" for t in late)
        out.append(Reminder("ringkasan", f"{tenant.id}@{week}", tenant, readers,
                            f"Ringkasan mingguan: {len(late)} pekerjaan terlambat di {tenant.name}",
                            f"Pekerjaan yang melewati Mutu Baku per {waktu(at)}:\n\n{lines}\n\n"
                            f"Daftar lengkap: {_link(f'/t/{tenant.slug}/pemantauan/terlambat')}\n"))
    return out


def manual(task: CycleTask, sender: User, at: datetime | None = None) -> Reminder:
    """'Kirim pengingat' from the late list: to the task's holders, once a day per task."""
    at = at or now()
    cycle = task.cycle
    todos = [t for t in work.open_work(cycle, at) if t.task.id == task.id]
    if not todos or task.status != TaskStatus.AKTIF:
        raise Invalid("Langkah ini tidak sedang menunggu siapa pun; tidak ada yang perlu diingatkan.")
    holders = _holders(todos, _people({cycle.tenant_id}).get(cycle.tenant_id, []))
    if not holders:
        raise Invalid("Belum ada orang yang memegang langkah ini; tambahkan orangnya di halaman Orang.")
    period = period_label(cycle.period_kind, cycle.period_no, cycle.tahun)
    local_day = f"{clock.to_wib(at):%Y%m%d}"
    due = f"Batas waktu: {waktu(task.due_at)}.\n\n" if task.due_at else ""
    return Reminder("manual", f"{task.id}@{local_day}", cycle.tenant, holders,
                    f"Pengingat dari {sender.name}: langkah {task.position} siklus {period}, {cycle.tenant.name}",
                    f"{sender.name} mengingatkan: {task.step.kegiatan}.\n{due}"
                    f"Yang perlu dikerjakan:\n" + "\n".join(f"- {w}" for w in dict.fromkeys(t.what for t in todos))
                    + f"\n\nBuka: {_link(f'/t/{cycle.tenant.slug}/siklus/{cycle.id}/')}\n",
                    task, cycle.id, sender)


def already_sent(reminder: Reminder) -> bool:
    """Whether this reminder (its kind and key: a manual one is once a day per task) went."""
    return db.session.scalar(select(ReminderSent.id).where(ReminderSent.kind == reminder.kind,
                                                           ReminderSent.key == reminder.key)) is not None


def send_manual(task_id: int, sender_id: int) -> None:
    """'Kirim pengingat', run by a job worker (mail never goes in the request): built again
    from the task as it is now, sent once (send claims it)."""
    task, sender = db.session.get(CycleTask, task_id), db.session.get(User, sender_id)
    if task is None or sender is None:
        return
    try:
        send(manual(task, sender))
    except Invalid as refusal:  # the step moved on since the click: nobody to remind
        log.info("manual reminder for task %s not sent: %s", task_id, refusal)


queue.register_task("pengingat_manual", send_manual)


# ---------------------------------------------------------------- sending

def send(reminder: Reminder, at: datetime | None = None) -> bool:
    """Claim the reminder (its row, committed), mail it, record it in the audit log.
    False when it was sent before (by this or another worker)."""
    at = at or now()
    recipients = [u for u in reminder.recipients
                  if u.email and not (reminder.kind in OPTIONAL and u.reminders_opt_out)]
    tenant_id, subject, body = reminder.tenant.id, reminder.subject, reminder.body
    row = ReminderSent(tenant_id=tenant_id, task_id=reminder.task.id if reminder.task else None,
                       kind=reminder.kind, key=reminder.key, sent_at=at, recipients=[u.id for u in recipients],
                       subject=subject[:1000], sent_by_id=reminder.sent_by.id if reminder.sent_by else None)
    people = [(u.id, u.name, u.email) for u in recipients]
    db.session.add(row)
    try:
        db.session.commit()  # the claim: from here on no other worker sends it
    except IntegrityError:
        db.session.rollback()
        return False
    row_id = row.id
    delivered = _mail(people, subject, body)
    if people and mail_configured() and not delivered:
        db.session.execute(ReminderSent.__table__.delete().where(ReminderSent.id == row_id))
        db.session.commit()  # nobody got it: the next sweep tries again
        return False
    reminder.delivered = delivered
    tenant = db.session.get(Tenant, tenant_id)
    sender = db.session.get(User, reminder.sent_by.id) if reminder.sent_by else None
    names = ", ".join(name for _, name, _ in people) or "tidak ada penerima"
    how = "" if mail_configured() else " (tanpa e-mail: SMTP belum diatur)"
    audit.record(tenant, sender, "pengingat.kirim", "cycle_task" if reminder.task else "tenant",
                 reminder.task.id if reminder.task else tenant_id, cycle_id=reminder.cycle_id,
                 field=KIND_LABELS[reminder.kind], new=f"{names}{how}"[:1000], reason=subject[:500], at=at)
    db.session.commit()
    return True


def _mail(people, subject: str, body: str) -> list[str]:
    """One message per person (no one sees the others' addresses); the addresses the
    SMTP server accepted."""
    if not mail_configured():
        return []
    delivered = []
    for user_id, name, email in people:
        try:
            mail.send(Message(subject=subject, recipients=[email], body=f"Yth. {name},\n\n{body}"))
            delivered.append(email)
        except OSError as error:  # smtplib errors are OSErrors: server down, refused
            # The account id, not the address; the error's class, not its text (a refusal
            # names the recipient): no personal data in the log.
            log.warning("reminder to user %s failed: %s", user_id, type(error).__name__)
    return delivered


def sweep(at: datetime | None = None) -> list[str]:
    """Send every reminder due now (the periodic job): 'kind key' of each one sent here.
    A worker works across every tenant, deliberately."""
    at = at or now()
    sent = []
    with rls.across_tenants():
        try:
            due = task_reminders(at) + start_reminders(at) + digests(at)
            db.session.commit()  # end the read (SQLite: the write lock) before mailing
            for reminder in due:
                if send(reminder, at):
                    sent.append(f"{reminder.kind} {reminder.key}")
        finally:
            db.session.rollback()
    return sent
