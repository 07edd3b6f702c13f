"""Who may act in a cycle: every action, as every lane kind of the OPD, the pemda admin,
the coordinator and a platform admin. portal/cycles/policy.py decides; a refusal changes
nothing. The SOP gives each step to one lane, so each action has one expected set of
kinds; kinds whose capability can never do it are refused with 403 (CycleRefused).
"""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.cycles import engine, policy, review
from portal.cycles.models import Cycle, CycleItem, CycleSnapshot, CycleTask
from portal.extensions import db
from portal.indikator import periods
from portal.indikator.models import IndicatorSet, Indikator, Realisasi, Sasaran
from portal.problems import Problem, Refused
from portal.realisasi import forms as realisasi_forms
from portal.realisasi import services as realisasi_services
from portal.signing import preview, signoff
from portal.sop import services as sop_services
from portal.sop.document import LaneDoc, SopDocument, StepDoc
from portal.sop.models import Sop
from tests.factories import gen_tree, gen_user

OPD_KINDS = ["kepala", "sekretaris", "perencana", "kabid", "tim_sakip", "staf"]
ACTORS = OPD_KINDS + ["pemda_admin", "coordinator", "platform_admin"]

# The SOP of this test: each step names one lane.
EXPECTED = {
    "start": {"sekretaris", "perencana"},   # the first step's lane, or the planner
    "done": {"sekretaris"},
    "decide": {"kepala"},                   # a document decision before data is collected
    # The unit's Staf. Its Kabid holds ENTER_DATA too, but he is the only one who may
    # verify (step 5): had he entered or submitted it, nobody could, and the cycle would stall.
    "enter": {"staf"},
    "submit": {"staf"},
    "approve": {"tim_sakip"},               # data review, stage 1
    "return": {"tim_sakip"},
    "verify": {"kabid"},                    # stage 2: a Kabid reviews his own unit's data
    "sign": {"kepala"},
    "reopen": {"kepala"},
    "archive": {"perencana"},
}


def _sop(opd):
    doc = SopDocument(
        nama="Pengukuran Kinerja",
        lanes=[LaneDoc(k, f"Lane {k}", k) for k in OPD_KINDS],
        steps=[
            StepDoc(1, "Memerintahkan pengukuran", ["sekretaris"], "mulai", "manual", waktu_amount=Decimal(1)),
            StepDoc(2, "Menyetujui format", ["kepala"], "keputusan", "review", waktu_amount=Decimal(1), return_to=1),
            StepDoc(3, "Mengisi realisasi", ["staf"], "proses", "collect", waktu_amount=Decimal(1)),
            StepDoc(4, "Memvalidasi", ["tim_sakip"], "keputusan", "review", waktu_amount=Decimal(1), return_to=3),
            StepDoc(5, "Memverifikasi", ["kabid"], "keputusan", "review", waktu_amount=Decimal(1), return_to=3),
            StepDoc(6, "Mengesahkan", ["kepala"], "proses", "sign", waktu_amount=Decimal(1)),
            StepDoc(7, "Mengarsipkan", ["perencana"], "selesai", "archive", waktu_amount=Decimal(1)),
        ])
    sop = Sop(tenant_id=opd.id, key="pk")
    db.session.add(sop)
    db.session.flush()
    version = sop_services.new_version(sop, doc)
    db.session.flush()
    sop_services.publish(version, None)


def _world(with_sop=True):
    prov, pemda, opd, _ = gen_tree()
    people = {k: gen_user(f"{k}@policy.test", tenant=opd, lane_kind=k) for k in OPD_KINDS}
    people["pemda_admin"] = gen_user("admin@policy.test", tenant=pemda, lane_kind="pemda_admin")
    people["coordinator"] = gen_user("koordinator@policy.test", tenant=prov, lane_kind="coordinator")
    people["platform_admin"] = gen_user("platform@policy.test", is_platform_admin=True)
    tset = IndicatorSet(tenant_id=opd.id, tahun=2026)
    db.session.add(tset)
    db.session.flush()
    sasaran = Sasaran(tenant_id=opd.id, set_id=tset.id, kode="S1", nama="Sasaran")
    db.session.add(sasaran)
    db.session.flush()
    db.session.add(Indikator(tenant_id=opd.id, set_id=tset.id, sasaran_id=sasaran.id, unit_id=opd.units[0].id,
                             kode="IK-1", nama="Indikator satu", satuan="%", polaritas="positif",
                             sifat="nilai_akhir", target_pk=100, target_tw1=100))
    if with_sop:
        _sop(opd)
    db.session.flush()
    return opd, people


def _digest(opd) -> tuple:
    """What an action may change, as stored (after a flush of whatever it left behind)."""
    db.session.flush()
    rows = []
    for model in (Cycle, CycleTask, CycleItem, CycleSnapshot, Realisasi, AuditEvent):
        rows.append(db.session.execute(select(model.__table__).where(model.tenant_id == opd.id)
                                       .order_by(*model.__table__.primary_key.columns)).all())
    return tuple(map(tuple, rows))


def _save(opd, item, user, value="80"):
    ind = item.indikator
    period = periods.open_period(opd, 2026, 1)
    refusal = (realisasi_services.may_enter(realisasi_services.realisasi_unit_ids(user, opd), ind, period)
               or policy.realisasi_strand_refusal(user, opd, ind, period))
    if refusal:
        raise Refused(refusal)
    current = db.session.scalar(select(Realisasi).where(Realisasi.indikator_id == ind.id, Realisasi.triwulan == 1))
    values, errors = realisasi_forms.read_realisasi({"nilai": value}, ind)
    assert not errors
    saved = realisasi_services.save_realisasi(ind, 1, user, values, current.revision if current else 0)
    assert not isinstance(saved, realisasi_services.Conflict)


def _try_everyone(opd, people, action, name) -> set[str]:
    """Run `action(user)` as every actor, each in a savepoint rolled back afterwards; who
    succeeded. A refusal must be a portal problem and change nothing; a kind that can
    never do it gets 403."""
    allowed = set()
    for actor in ACTORS:
        before = _digest(opd)
        savepoint = db.session.begin_nested()
        try:
            action(people[actor])
        except Problem as problem:
            assert _digest(opd) == before, f"{name} refused for {actor} but something changed"
            if actor in ("pemda_admin", "coordinator", "platform_admin"):
                assert isinstance(problem, Refused) and problem.status == 403, (name, actor, problem)
        else:
            allowed.add(actor)
        savepoint.rollback()
        db.session.expire_all()
    return allowed


def _current(cycle_id) -> CycleTask:
    return engine.current_task(db.session.get(Cycle, cycle_id))


def test_lane_by_action_matrix(app):
    with app.app_context():
        opd, people = _world()
        found = {}
        found["start"] = _try_everyone(opd, people, lambda u: engine.start_cycle(opd, 2026, "triwulan", 1, u),
                                       "start")
        cycle_id = engine.start_cycle(opd, 2026, "triwulan", 1, people["sekretaris"]).id
        found["done"] = _try_everyone(opd, people, lambda u: engine.mark_done(_current(cycle_id), u), "done")
        engine.mark_done(_current(cycle_id), people["sekretaris"])
        found["decide"] = _try_everyone(opd, people, lambda u: review.decide(_current(cycle_id), u, True), "decide")
        review.decide(_current(cycle_id), people["kepala"], True)
        item_id = db.session.get(Cycle, cycle_id).items[0].id

        def item():
            return db.session.get(CycleItem, item_id)

        found["enter"] = _try_everyone(opd, people, lambda u: _save(opd, item(), u), "enter")
        _save(opd, item(), people["staf"])
        found["submit"] = _try_everyone(opd, people, lambda u: review.submit([item()], u), "submit")
        review.submit([item()], people["staf"])
        found["approve"] = _try_everyone(
            opd, people, lambda u: review.review(_current(cycle_id), u, {item_id: ("setuju", "")}), "approve")
        found["return"] = _try_everyone(
            opd, people, lambda u: review.review(_current(cycle_id), u, {item_id: ("kembalikan", "Cek")}), "return")
        review.review(_current(cycle_id), people["tim_sakip"], {item_id: ("setuju", "")})
        found["verify"] = _try_everyone(
            opd, people, lambda u: review.review(_current(cycle_id), u, {item_id: ("setuju", "")}), "verify")
        review.review(_current(cycle_id), people["kabid"], {item_id: ("setuju", "")})
        found["sign"] = _try_everyone(opd, people, lambda u: signoff.sign(
            _current(cycle_id), u, preview.fingerprint(_current(cycle_id).cycle)), "sign")
        signoff.sign(_current(cycle_id), people["kepala"], preview.fingerprint(_current(cycle_id).cycle))
        found["archive"] = _try_everyone(opd, people, lambda u: engine.mark_done(_current(cycle_id), u), "archive")
        found["reopen"] = _try_everyone(
            opd, people, lambda u: review.reopen(db.session.get(Cycle, cycle_id), u, "Koreksi"), "reopen")
        assert found == EXPECTED


def test_everyone_who_ever_changed_a_value_is_kept_from_reviewing_it(app):
    """The finding: the Kabid saved a value, the Staf re-saved and submitted it, the Kabid
    validated it. Every earlier editor counts, not only the last one and the submitter."""
    with app.app_context():
        opd, people = _world()
        cycle = engine.start_cycle(opd, 2026, "triwulan", 1, people["sekretaris"])
        engine.mark_done(engine.current_task(cycle), people["sekretaris"])
        review.decide(engine.current_task(cycle), people["kepala"], True)
        item = cycle.items[0]
        other = gen_user("kabid2@policy.test", tenant=opd, lane_kind="kabid")  # a second Kabid of the unit
        _save(opd, item, people["kabid"], "70")
        _save(opd, item, people["staf"], "75")
        review.submit([item], people["staf"])
        assert policy.entered_by(item) == {people["kabid"].id, people["staf"].id}
        review.review(engine.current_task(cycle), people["tim_sakip"], {item.id: ("setuju", "")})
        before = _digest(opd)
        with pytest.raises(Refused, match="tidak boleh mereviunya"):
            review.review(engine.current_task(cycle), people["kabid"], {item.id: ("setuju", "")})
        assert _digest(opd) == before and item.stage == 1
        # The second Kabid, who never touched it, verifies; the Kepala signs.
        review.review(engine.current_task(cycle), other, {item.id: ("setuju", "")})
        signoff.sign(engine.current_task(cycle), people["kepala"], preview.fingerprint(cycle))
        assert cycle.locked


def test_nobody_may_enter_what_then_nobody_could_review(app):
    """With one Kabid, who alone verifies his unit's data, his own save is refused up front
    (the cycle could never end), with the reason; his Staf's save is not."""
    with app.app_context():
        opd, people = _world()
        cycle = engine.start_cycle(opd, 2026, "triwulan", 1, people["sekretaris"])
        engine.mark_done(engine.current_task(cycle), people["sekretaris"])
        review.decide(engine.current_task(cycle), people["kepala"], True)
        item = cycle.items[0]
        before = _digest(opd)
        with pytest.raises(Refused, match="tidak ada orang lain yang dapat melakukannya"):
            _save(opd, item, people["kabid"])
        assert _digest(opd) == before
        _save(opd, item, people["staf"])
        with pytest.raises(Refused, match="langkah 5"):
            review.submit([item], people["kabid"])
        review.submit([item], people["staf"])
        assert item.state == "diajukan"


def test_a_kepala_who_entered_a_value_may_not_sign_it(app):
    with app.app_context():
        opd, people = _world()
        kepala = people["kepala"]
        from tests.factories import grant
        grant(kepala, opd, "staf")  # the Kepala also holds a Staf lane of the unit
        gen_user("kepala2@policy.test", tenant=opd, lane_kind="kepala")  # so his entry strands nothing
        cycle = engine.start_cycle(opd, 2026, "triwulan", 1, people["sekretaris"])
        engine.mark_done(engine.current_task(cycle), people["sekretaris"])
        review.decide(engine.current_task(cycle), kepala, True)
        item = cycle.items[0]
        _save(opd, item, kepala, "70")
        _save(opd, item, people["staf"], "71")
        review.submit([item], people["staf"])
        review.review(engine.current_task(cycle), people["tim_sakip"], {item.id: ("setuju", "")})
        review.review(engine.current_task(cycle), people["kabid"], {item.id: ("setuju", "")})
        before = _digest(opd)
        with pytest.raises(Refused, match="tidak boleh mengesahkannya"):
            signoff.sign(engine.current_task(cycle), kepala, preview.fingerprint(cycle))
        assert _digest(opd) == before and not cycle.locked
        assert db.session.scalar(select(func.count()).select_from(CycleSnapshot)) == 0
