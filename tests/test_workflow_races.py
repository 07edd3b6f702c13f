"""Concurrent workflow actions give one winner: two people act on the same cycle at the
same moment (two HTTP clients in two threads released together by a barrier). The
second waits for the first's lock (PostgreSQL: SELECT ... FOR UPDATE of the cycle row;
SQLite: BEGIN IMMEDIATE), then sees its result and is answered 409 naming who did what,
and when. Also: the sign-off page says up front who may not sign, and who must."""
import re
import threading

import sqlalchemy as sa

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.capaian import plausibility
from portal.cycles import engine, policy, review
from portal.cycles.models import Cycle, CycleItem
from portal.extensions import db
from portal.indikator import periods
from portal.indikator.models import Realisasi
from portal.signing.models import SignedFigure
from tests import cycle_driver as d
from tests.conftest import csrf_token, sign_in
from tests.test_cycles_rules import _cycle_at

OPD = "kab-mojokerto-dinkes"
BASE = f"/t/{OPD}/siklus"
PERENCANA = "perencana@dinkes.mojokerto.test"
KADIS = "kadis@dinkes.mojokerto.test"


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client, csrf_token(client, "/")


def _race(app, *requests):
    """Send the requests at the same moment, one thread each: [(client, token, path, data)]
    -> their responses (status, text), in the same order."""
    barrier = threading.Barrier(len(requests))
    out: list = [None] * len(requests)

    def go(n, client, token, path, data):
        barrier.wait()
        response = client.post(path, data=data, headers={"X-CSRFToken": token})
        out[n] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=go, args=(n, *r)) for n, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def _at_data_review(app):
    """Mojokerto's TW III cycle with every value submitted, at the first data review
    (step 5: Perencana or Tim SAKIP)."""
    with app.app_context():
        opd, cycle, task = _cycle_at(5)
        item = cycle.items[0]
        tim = next(u for u in d.people(opd, {"tim_sakip"}) if u.id not in review.entered_by(item))
        out = {"cycle_id": cycle.id, "task_id": task.id, "item_id": item.id, "kode": item.indikator.kode,
               "items": [i.id for i in cycle.items], "tim": tim.email, "tim_name": tim.name,
               "perencana_name": d.people(opd, {"perencana"})[0].name}
        db.session.commit()
    return out


def _item_events(app, item_id) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.action, e.user.email) for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.subject_type == "cycle_item", AuditEvent.subject_id == item_id,
                                        AuditEvent.action.in_(["data.setujui", "data.kembalikan"]))
            .order_by(AuditEvent.id))]


def test_approve_and_return_of_one_item_at_once_give_one_winner(demo):
    w = _at_data_review(demo)
    perencana, tim = _client(demo, PERENCANA), _client(demo, w["tim"])
    url = f"{BASE}/{w['cycle_id']}/tugas/{w['task_id']}/reviu"
    item = w["item_id"]
    (a_status, a_text), (b_status, b_text) = _race(
        demo, (*perencana, url, {f"hasil-{item}": "setuju"}),
        (*tim, url, {f"hasil-{item}": "kembalikan", f"alasan-{item}": "Bukti dukung belum sesuai"}))
    assert sorted([a_status, b_status]) == [303, 409], (a_status, b_status)
    events = _item_events(demo, item)
    assert len(events) == 1  # the loser changed nothing
    with demo.app_context():
        stored = db.session.get(CycleItem, item)
        if a_status == 303:  # approved first: the return is told so
            assert events == [("data.setujui", PERENCANA)] and stored.state == "diajukan" and stored.stage == 1
            assert w["perencana_name"] in b_text and "menyetujui data" in b_text and "WIB" in b_text
        else:  # returned first: the approval is told so, and the item is not half-approved
            assert events == [("data.kembalikan", w["tim"])] and stored.state == "dikembalikan"
            assert stored.approvals in ({}, None) and stored.stage == 0
            assert w["tim_name"] in a_text and "mengembalikan data" in a_text and "WIB" in a_text


def test_two_approvals_of_one_item_at_once_give_one_winner(demo):
    w = _at_data_review(demo)
    perencana, tim = _client(demo, PERENCANA), _client(demo, w["tim"])
    url = f"{BASE}/{w['cycle_id']}/tugas/{w['task_id']}/reviu"
    data = {f"hasil-{w['item_id']}": "setuju"}
    statuses = sorted(s for s, _ in _race(demo, (*perencana, url, data), (*tim, url, data)))
    assert statuses == [303, 409]
    assert [a for a, _ in _item_events(demo, w["item_id"])] == ["data.setujui"]


def test_the_last_two_approvals_at_once_finish_the_review_step(demo):
    """Two reviewers approve the last two waiting items at the same moment: both win, and
    the second sees the first's approval, so the review step is finished (not stranded)."""
    w = _at_data_review(demo)
    *first, last_a, last_b = w["items"]
    with demo.app_context():
        cycle = db.session.get(Cycle, w["cycle_id"])
        task = engine.current_task(cycle)
        for item in [i for i in cycle.items if i.id in first]:
            user = next(u for u in d.people(d.tenant(OPD), {"perencana", "tim_sakip"})
                        if u.id not in review.entered_by(item))
            review.review(task, user, {item.id: ("setuju", "")})
        db.session.commit()
    perencana, tim = _client(demo, PERENCANA), _client(demo, w["tim"])
    url = f"{BASE}/{w['cycle_id']}/tugas/{w['task_id']}/reviu"
    statuses = [s for s, _ in _race(demo, (*perencana, url, {f"hasil-{last_a}": "setuju"}),
                                    (*tim, url, {f"hasil-{last_b}": "setuju"}))]
    assert statuses == [303, 303]
    with demo.app_context():
        cycle = db.session.get(Cycle, w["cycle_id"])
        assert all(i.stage == 1 for i in cycle.items)
        assert engine.current_task(cycle).position > 5, "the review step was left waiting for nothing"


def test_submit_and_save_of_one_value_at_once_are_serialized(demo):
    """The Staf saves a new value while the same value is submitted: either the save comes
    first and the submission carries it, or the submission wins and the save is told (409)
    who submitted it; never a value changed after its submission."""
    with demo.app_context():
        opd, cycle, task = _cycle_at(4)
        item = cycle.items[0]
        user = d.enterer(opd, item)
        d.enter_value(item, user, "70")
        period = periods.open_period(opd, cycle.tahun, engine.measured_triwulan(cycle.period_kind, cycle.period_no))
        row = db.session.scalar(sa.select(Realisasi).where(Realisasi.indikator_id == item.indikator_id,
                                                           Realisasi.triwulan == period.triwulan))
        w = {"cycle_id": cycle.id, "item_id": item.id, "email": user.email, "name": user.name,
             "save": f"/t/{OPD}/realisasi/{period.id}/{item.indikator_id}/", "revision": row.revision,
             "row_id": row.id, "predikat": item.indikator.jenis_target == "predikat"}
        db.session.commit()
    assert not w["predikat"]
    one, two = _client(demo, w["email"]), _client(demo, w["email"])
    save = {"nilai": "71", "revision": str(w["revision"]), "faktor_pendorong": "", "faktor_penghambat": "",
            "tindak_lanjut": "",
            # any plausibility question about 71 already answered, as the page's second try sends it
            "konfirmasi": ",".join(plausibility.LABELS) + "@71|/", "catatan_kewajaran": "Sudah diperiksa"}
    (submitted, _), (saved, save_text) = _race(
        demo, (*one, f"{BASE}/{w['cycle_id']}/ajukan", {"item": str(w["item_id"])}), (*two, w["save"], save))
    assert submitted == 303
    assert saved in (303, 409), (saved, save_text[-3000:])  # 303: saved (the page again, in place)
    with demo.app_context():
        events = db.session.execute(sa.select(AuditEvent.id, AuditEvent.action).where(
            ((AuditEvent.subject_type == "realisasi") & (AuditEvent.subject_id == w["row_id"]))
            | ((AuditEvent.subject_type == "cycle_item") & (AuditEvent.subject_id == w["item_id"])))
            .order_by(AuditEvent.id)).all()
        assert events[-1].action == "data.ajukan", "a value changed after it was submitted"
        value = db.session.get(Realisasi, w["row_id"]).nilai
    if saved == 409:
        assert value == 70 and w["name"] in save_text and "mengajukan data" in save_text and "WIB" in save_text
    else:
        assert value == 71


def test_two_sign_offs_at_once_write_one_revision(demo):
    with demo.app_context():
        opd, cycle, task = _cycle_at("sign")
        w = {"cycle_id": cycle.id, "task_id": task.id}
        db.session.commit()
    one, two = _client(demo, KADIS), _client(demo, KADIS)
    page = one[0].get(f"{BASE}/{w['cycle_id']}/pengesahan").get_data(as_text=True)
    sidik = re.search(r'name="sidik" type="hidden" value="([0-9a-f]+)"', page).group(1)
    url = f"{BASE}/{w['cycle_id']}/tugas/{w['task_id']}/sahkan"
    data = {"sidik": sidik, "konfirmasi": "y"}
    results = _race(demo, (*one, url, data), (*two, url, data))
    assert sorted(s for s, _ in results) == [303, 409]
    loser = next(text for s, text in results if s == 409)
    assert "sudah disahkan (revisi 1)" in loser and "mengesahkan data (revisi 1) pada" in loser and "WIB" in loser
    with demo.app_context():
        cycle = db.session.get(Cycle, w["cycle_id"])
        assert cycle.revision == 1
        revisions = set(db.session.scalars(sa.select(SignedFigure.revision).where(
            SignedFigure.cycle_id == w["cycle_id"])))
        assert revisions == {1}
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "siklus.sahkan", AuditEvent.cycle_id == w["cycle_id"])) == 1


def test_sign_off_page_says_up_front_who_may_not_sign_and_who_must(demo, client):
    with demo.app_context():
        opd, cycle, task = _cycle_at("sign")
        kadis = d.people(opd, {"kepala"})[0]
        w = {"cycle_id": cycle.id, "task_id": task.id, "kadis": kadis.name}
        db.session.commit()
    url = f"{BASE}/{w['cycle_id']}/pengesahan"
    sign_in(client, PERENCANA)  # not the sign step's lane: told who signs
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="sign"' not in page
    told = re.search(r'data-testid="cannot-sign">([^<]+)<', page).group(1)
    assert "Pengesahan dilakukan oleh Kepala Dinas" in told and w["kadis"] in told

    sign_in(client, KADIS)
    assert 'data-testid="sign"' in client.get(url).get_data(as_text=True)
    with demo.app_context():  # the Kepala submitted a value himself (separation of duties)
        cycle = db.session.get(Cycle, w["cycle_id"])
        kadis = d.people(cycle.tenant, {"kepala"})[0]
        item = cycle.items[0]
        audit.record(cycle.tenant, kadis, "data.ajukan", "cycle_item", item.id, cycle_id=cycle.id,
                     indikator_id=item.indikator_id, old="Belum diajukan", new="Diajukan")
        assert policy.sign_refusal(kadis, cycle)
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="sign"' not in page
    told = re.search(r'data-testid="cannot-sign">([^<]+)<', page).group(1)
    assert "tidak boleh mengesahkannya" in told and "Tidak ada orang lain yang dapat mengesahkan" in told
    sidik = re.search(r'name="sidik"[^>]*value="([0-9a-f]*)"', page)
    refused = client.post(f"{BASE}/{w['cycle_id']}/tugas/{w['task_id']}/sahkan",
                          data={"sidik": sidik.group(1) if sidik else "", "konfirmasi": "y",
                                "csrf_token": csrf_token(client, "/")})
    assert refused.status_code == 403  # the POST refuses all the same
    with demo.app_context():
        assert not db.session.get(Cycle, w["cycle_id"]).locked
