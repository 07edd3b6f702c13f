"""Drive a measurement cycle through its SOP as the demo people would, for tests."""
from sqlalchemy import select

from portal.auth.models import Membership, User
from portal.capaian import figures as capaian_figures
from portal.cycles import engine, review
from portal.cycles.outputs import store_output
from portal.extensions import db
from portal.indikator import periods  # noqa: F401 (used by tests)
from portal.indikator.models import Indikator
from portal.realisasi import forms as realisasi_forms
from portal.realisasi import services as realisasi_services  # noqa: F401 (used by tests)
from portal.signing import preview, signoff
from portal.sop.document import Meaning
from portal.tenancy.models import Lane, Tenant

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def tenant(slug) -> Tenant:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def people(opd, kinds, unit_id=None) -> list[User]:
    query = (select(User).join(Membership, Membership.user_id == User.id).join(Lane, Lane.id == Membership.lane_id)
             .where(Membership.tenant_id == opd.id, Lane.kind.in_(kinds)).order_by(User.id))
    if unit_id is not None:
        query = query.where(Membership.unit_id == unit_id)
    return list(dict.fromkeys(db.session.scalars(query)))


def enterer(opd, item) -> User:
    unit_id = item.indikator.unit_id
    for kind in ("staf", "kabid"):
        found = people(opd, {kind}, unit_id)
        if found:
            return found[0]
    raise AssertionError(f"nobody enters {item.indikator.kode}")


def enter_value(item, user, value="75", faktor_pendorong="Koordinasi lintas bidang") -> None:
    ind: Indikator = item.indikator
    triwulan = engine.measured_triwulan(item.cycle.period_kind, item.cycle.period_no)
    row = realisasi_services.row_for(item.cycle.tenant, periods.open_period(item.cycle.tenant, item.cycle.tahun,
                                                                                 triwulan), ind, user).current
    form = {"tidak_berlaku": "", "faktor_pendorong": faktor_pendorong, "faktor_penghambat": "",
            "tindak_lanjut": "Pemantauan bulanan"}
    if ind.jenis_target == "predikat":
        levels = capaian_figures.predikat_scale(ind).levels
        form["predikat"] = levels[0] if value == "75" else levels[1]
    elif ind.pakai_rasio:
        form.update(pembilang=value, penyebut="100")
    else:
        form["nilai"] = value
    values, errors = realisasi_forms.read_realisasi(form, ind)
    assert errors == {}, errors
    saved = realisasi_services.save_realisasi(ind, triwulan, user, values, row.revision if row else 0)
    assert not isinstance(saved, realisasi_services.Conflict)


def actor(opd, task, avoid=()) -> User:
    for user in people(opd, engine.step_lane_kinds(task.step)):
        if user.id not in avoid:
            return user
    raise AssertionError(f"nobody may do step {task.position} ({engine.step_lane_names(task.step)})")


def run(opd_slug, tahun=2026, kind="triwulan", no=3, return_once=True, max_steps=200, faktor=None):
    """Start and run a cycle to its end. Returns (cycle, log of what happened).
    `faktor`: faktor pendorong typed for some indicators (by indikator id)."""
    opd = tenant(opd_slug)
    starter = people(opd, engine.step_lane_kinds(_first_step(opd)))[0]
    cycle = engine.start_cycle(opd, tahun, kind, no, starter)
    db.session.flush()
    return cycle, advance(opd, cycle, return_once, max_steps, faktor)


def advance(opd, cycle, return_once=False, max_steps=200, faktor=None) -> list[str]:
    """Drive a started (or reopened) cycle through its SOP until no task is left (signed
    and archived). Returns the log of what happened."""
    log, returned, decided_no = [], False, set()
    for _ in range(max_steps):
        task = engine.current_task(cycle)
        if task is None:
            break
        meaning = task.step.meaning
        if meaning in (Meaning.MANUAL, Meaning.ARCHIVE):
            user = actor(opd, task)
            output = store_output(opd, "output.pdf", PDF, 10_000_000) if task.step.output.strip() else None
            engine.mark_done(task, user, output=output)
            log.append(f"{task.position}:done")
        elif meaning == Meaning.COLLECT:
            pending = [i for i in cycle.items if i.state in ("belum_diisi", "dikembalikan")]
            assert pending, "collect step active with nothing to submit"
            for item in pending:
                user = enterer(opd, item)
                enter_value(item, user, "80" if item.state == "dikembalikan" else "75",
                            **({"faktor_pendorong": faktor[item.indikator_id]} if item.indikator_id in (faktor or {})
                               else {}))
                review.submit([item], user)
            log.append(f"{task.position}:collected")
        elif meaning == Meaning.REVIEW and review.stage_of_task(task) is None:
            user = actor(opd, task)
            if return_once and task.position not in decided_no and task.step.return_to is not None:
                decided_no.add(task.position)
                review.decide(task, user, False, "Perbaiki dulu")
                log.append(f"{task.position}:tidak")
            else:
                review.decide(task, user, True)
                log.append(f"{task.position}:ya")
        elif meaning == Meaning.REVIEW:
            stage = review.stage_of_task(task)
            waiting = [i for i in cycle.items if i.state == "diajukan" and i.stage == stage - 1]
            assert waiting, f"review step {task.position} active with nothing waiting"
            by_reviewer: dict[int, tuple[User, list]] = {}
            for item in waiting:
                unit = item.indikator.unit_id
                candidates = [u for u in people(opd, engine.step_lane_kinds(task.step))
                              if u.id not in review.entered_by(item)]
                unit_bound = all(k in review.ENTRY_KINDS for k in engine.step_lane_kinds(task.step))
                if unit_bound:
                    candidates = [u for u in candidates if u in people(opd, engine.step_lane_kinds(task.step), unit)]
                assert candidates, f"nobody may review {item.indikator.kode} at step {task.position}"
                by_reviewer.setdefault(candidates[0].id, (candidates[0], []))[1].append(item)
            for user, items in by_reviewer.values():
                if engine.current_task(cycle) is not task:
                    break
                decisions = {i.id: ("setuju", "") for i in items}
                if return_once and not returned:
                    decisions[items[0].id] = ("kembalikan", "Bukti dukung belum sesuai definisi operasional")
                    returned = True
                    log.append(f"{task.position}:kembalikan")
                review.review(task, user, decisions)
            log.append(f"{task.position}:reviewed")
        elif meaning == Meaning.SIGN:
            head = actor(opd, task)
            signoff.sign(task, head, preview.fingerprint(task.cycle))
            log.append(f"{task.position}:signed")
        db.session.flush()
    return log


def _first_step(opd):
    from portal.sop import services as sop_services

    return sop_services.sop_in_force(opd).steps[0]
