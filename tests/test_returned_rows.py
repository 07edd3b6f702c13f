"""A returned value where the fix is made: the Realisasi row shows the state, reason, who
and when, and is resubmitted from there; the inbox lists it for the unit's enterers."""
import re

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.cycles import engine, review
from portal.cycles.models import CycleItem
from portal.cycles.outputs import store_output
from portal.extensions import db
from portal.realisasi.services import realisasi_unit_ids
from portal.sop.document import Meaning
from tests import cycle_driver
from tests.conftest import post, sign_in

OPD = "kab-mojokerto-dinkes"
REASON = "Angka cakupan belum sesuai laporan puskesmas"


def drive_to_first_return(slug=OPD, reason=REASON):
    """Start a TW III 2026 cycle and run it until the first data review returns one
    indicator. Returns (cycle, returned item, reviewer)."""
    opd = cycle_driver.tenant(slug)
    starter = cycle_driver.people(opd, engine.step_lane_kinds(cycle_driver._first_step(opd)))[0]
    cycle = engine.start_cycle(opd, 2026, "triwulan", 3, starter)
    for _ in range(60):
        task = engine.current_task(cycle)
        meaning = task.step.meaning
        if meaning in (Meaning.MANUAL, Meaning.ARCHIVE):
            output = store_output(opd, "output.pdf", cycle_driver.PDF, 10**7) if task.step.output.strip() else None
            engine.mark_done(task, cycle_driver.actor(opd, task), output=output)
        elif meaning == Meaning.COLLECT:
            for item in [i for i in cycle.items if i.state == "belum_diisi"]:
                user = cycle_driver.enterer(opd, item)
                cycle_driver.enter_value(item, user)
                review.submit([item], user)
        elif meaning == Meaning.REVIEW and review.stage_of_task(task) is None:
            review.decide(task, cycle_driver.actor(opd, task), True)
        else:
            stage = review.stage_of_task(task)
            kinds = engine.step_lane_kinds(task.step)
            unit_bound = all(k in review.ENTRY_KINDS for k in kinds)
            for item in [i for i in cycle.items if i.state == "diajukan" and i.stage == stage - 1]:
                people = cycle_driver.people(opd, kinds, item.indikator.unit_id if unit_bound else None)
                reviewer = next((u for u in people if u.id not in review.entered_by(item)), None)
                if reviewer is not None:
                    review.review(task, reviewer, {item.id: ("kembalikan", reason)})
                    db.session.flush()
                    return cycle, item, reviewer
            raise AssertionError("nobody may review")
        db.session.flush()
    raise AssertionError("no data review reached")


def _row(page: str, kode: str) -> str:
    start = page.index(f'data-kode="{kode}"')
    end = page.find('data-testid="realisasi-row"', start)
    return page[start:end if end > 0 else len(page)]


def test_a_returned_row_shows_why_and_is_resubmitted_from_the_realisasi_page(demo, client):
    with demo.app_context():
        cycle, item, reviewer = drive_to_first_return()
        opd = cycle.tenant
        enterer = cycle_driver.enterer(opd, item)
        other_unit = next(u for u in cycle_driver.people(opd, {"kabid", "staf"})
                          if item.indikator.unit_id not in realisasi_unit_ids(u, opd))
        kode, item_id, reviewer_name = item.indikator.kode, item.id, reviewer.name
        emails = (enterer.email, other_unit.email, reviewer.email)
        db.session.commit()
    sign_in(client, emails[0])
    page = client.get(f"/t/{OPD}/realisasi/").get_data(as_text=True)
    row = _row(page, kode)
    assert "Dikembalikan" in row and REASON in row and reviewer_name in row
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} 2\d{3} \d\d\.\d\d WIB", row)
    assert 'data-testid="resubmit"' in row
    resubmit_url = re.search(r'action="([^"]+/ajukan)"', row).group(1)

    # The enterers of the unit see it in their inbox, with the reason; nobody else does.
    inbox = client.get("/tugas-saya").get_data(as_text=True)
    assert 'data-testid="inbox-returned"' in inbox and REASON in inbox and "#realisasi-" in inbox
    for email in emails[1:]:
        other = demo.test_client()
        sign_in(other, email)
        assert REASON not in other.get("/tugas-saya").get_data(as_text=True)
    # Someone of another unit may not resubmit it; nothing changes.
    other = demo.test_client()
    sign_in(other, emails[1])
    refused = post(other, resubmit_url, htmx=True)
    assert refused.status_code == 422 and "bukan indikator unit Anda" in refused.get_data(as_text=True)

    # Corrected and resubmitted from the row itself.
    edit = client.get(re.search(r'href="([^"]+/ubah)"', row).group(1), headers={"HX-Request": "true"})
    assert edit.status_code == 200
    revision = re.search(r'name="revision" value="(\d+)"', edit.get_data(as_text=True)).group(1)
    saved = post(client, resubmit_url.removesuffix("ajukan"), {"nilai": "12,3", "revision": revision}, htmx=True)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    done = post(client, resubmit_url, htmx=True)
    assert done.status_code == 200
    fragment = done.get_data(as_text=True)
    assert "Diajukan kembali ke peninjau." in fragment and 'data-testid="lock"' in fragment
    assert 'data-testid="returned"' not in fragment
    with demo.app_context():
        assert db.session.get(CycleItem, item_id).state == "diajukan"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "data.ajukan",
                                                          AuditEvent.subject_id == item_id)
                                 .order_by(AuditEvent.id.desc())).old_value == "Dikembalikan"
    assert REASON not in client.get("/tugas-saya").get_data(as_text=True)
    again = post(client, resubmit_url, htmx=True)
    assert again.status_code == 409 and "tidak sedang dikembalikan" in again.get_data(as_text=True)
