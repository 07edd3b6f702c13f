"""The measurement cycle of Dinas Kesehatan Kab. Mojokerto in real browsers, three
people in three browser contexts: the Kabid submits with evidence, the reviewer returns
one indicator with a reason, the Kabid fixes it, it is verified, the Kepala signs and
every value is locked; the audit shows each step; a task past its Mutu Baku is late.

Steps done by other lanes of the SOP (the Sekretaris, Tim SAKIP, the other bidang) are
done through the same domain functions the pages call, between the browser actions."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from portal.cycles import engine, review
from portal.extensions import db
from portal.tenancy.models import utcnow
from tests import cycle_driver as d

KABID = "kabid.kesmas@dinkes.mojokerto.test"
REVIEWER = "perencana@dinkes.mojokerto.test"
KEPALA = "kadis@dinkes.mojokerto.test"
OPD = "kab-mojokerto-dinkes"
KESMAS = ("IKU-01", "IKU-02")


def _advance(app, cycle_id, until_meaning, other_units=True):
    """Do the steps of other people until a step of the given meaning is current."""
    with app.app_context():
        opd = d.tenant(OPD)
        from portal.cycles.models import Cycle
        cycle = db.session.get(Cycle, cycle_id)
        for _ in range(30):
            task = engine.current_task(cycle)
            if task.step.meaning == until_meaning:
                break
            if task.step.meaning in ("manual", "archive"):
                output = d.store_output(opd, "dokumen.pdf", d.PDF, 10**7) if task.step.output.strip() else None
                engine.mark_done(task, d.actor(opd, task), output=output)
            elif task.step.meaning == "review":
                stage = review.stage_of_task(task)
                waiting = [i for i in cycle.items if i.state == "diajukan" and i.stage == stage - 1]
                user = d.actor(opd, task, avoid={u for i in waiting for u in review.entered_by(i)}
                               | {d.people(opd, {"perencana"})[0].id})
                review.review(task, user, {i.id: ("setuju", "") for i in waiting})
        if other_units:
            for item in cycle.items:
                if item.indikator.kode not in KESMAS and item.state == "belum_diisi":
                    user = d.enterer(opd, item)
                    if d.realisasi_services.row_for(opd, d.periods.open_period(opd, 2026, 2), item.indikator,
                                                 user).current is None:
                        d.enter_value(item, user)
                    review.submit([item], user)
        db.session.commit()


def test_cycle_in_three_browsers(live_server, new_page):
    app = live_server.app
    kepala = new_page(KEPALA)
    kepala.get_by_role("link", name="Siklus").click()
    kepala.locator("input[name=tahun]").fill("2026")
    kepala.locator("select[name=nomor]").select_option("2")
    kepala.get_by_test_id("start-cycle").click()
    kepala.wait_for_url(re.compile(r".*/siklus/\d+/$"))
    cycle_id = int(kepala.url.rstrip("/").rsplit("/", 1)[1])
    expect(kepala.get_by_test_id("task-1-1")).to_contain_text("sedang berjalan")
    kepala.locator("input[name=output]").set_input_files(
        files=[{"name": "disposisi.pdf", "mimeType": "application/pdf", "buffer": d.PDF}])
    kepala.get_by_test_id("mark-done").click()
    expect(kepala.get_by_test_id("task-1-1")).to_contain_text("selesai")

    _advance(app, cycle_id, "collect")

    # The Kabid enters his unit's values with evidence and submits them.
    kabid = new_page(KABID)
    kabid.get_by_test_id("inbox-link").click()
    expect(kabid.get_by_test_id("inbox")).to_contain_text("Isi dan ajukan realisasi indikator unit Anda")
    kabid.goto(f"/t/{OPD}/realisasi/")
    for kode in KESMAS:
        row = kabid.locator(f'[data-testid="realisasi-row"][data-kode="{kode}"]')
        row.get_by_test_id("isi").click()
        row.locator("[name=nilai]").fill("12,1" if kode == "IKU-01" else "45")
        row.get_by_role("button", name="Simpan", exact=True).click()
        expect(row.get_by_test_id("realisasi-form")).to_have_count(0)
        row.get_by_test_id("bukti-upload").locator("input[type=file]").set_input_files(
            files=[{"name": f"bukti-{kode}.pdf", "mimeType": "application/pdf", "buffer": d.PDF}])
        row.get_by_test_id("bukti-upload").get_by_role("button", name="Unggah bukti").click()
        expect(row.get_by_test_id("bukti-item")).to_contain_text(f"bukti-{kode}.pdf")
    kabid.goto(f"/t/{OPD}/siklus/{cycle_id}/")
    for kode in KESMAS:
        kabid.get_by_label(f"Ajukan {kode}").check()
    kabid.get_by_test_id("submit-items").click()
    expect(kabid.get_by_test_id("item-IKU-01")).to_contain_text("Diajukan")

    # The reviewer returns IKU-01 with a reason and approves the rest.
    reviewer = new_page(REVIEWER)
    reviewer.goto(f"/t/{OPD}/siklus/{cycle_id}/")
    expect(reviewer.get_by_test_id("current-task")).to_contain_text("Membahas dan mengevaluasi")
    for select in reviewer.locator("select[name^=hasil-]").all():
        select.select_option("setuju")
    reviewer.get_by_label("Hasil reviu IKU-01").select_option("kembalikan")
    reviewer.get_by_label("Alasan IKU-01").fill("Angka prevalensi belum sesuai laporan e-PPGBM")
    reviewer.get_by_test_id("submit-review").click()
    expect(reviewer.get_by_test_id("item-IKU-01")).to_contain_text("Dikembalikan")
    expect(reviewer.get_by_test_id("item-IKU-02")).to_contain_text("Divalidasi")

    # The Kabid sees the reason, fixes the value and submits again.
    kabid.goto(f"/t/{OPD}/siklus/{cycle_id}/")
    expect(kabid.get_by_test_id("item-IKU-01")).to_contain_text("Angka prevalensi belum sesuai laporan e-PPGBM")
    kabid.goto(f"/t/{OPD}/realisasi/")
    row = kabid.locator('[data-testid="realisasi-row"][data-kode="IKU-01"]')
    row.get_by_test_id("isi").click()
    row.locator("[name=nilai]").fill("12,3")
    row.get_by_role("button", name="Simpan", exact=True).click()
    expect(row.get_by_test_id("realisasi-form")).to_have_count(0)
    kabid.goto(f"/t/{OPD}/siklus/{cycle_id}/")
    kabid.get_by_label("Ajukan IKU-01").check()
    kabid.get_by_test_id("submit-items").click()
    expect(kabid.get_by_test_id("item-IKU-01")).to_contain_text("Diajukan")

    # The reviewer validates it; the Sekretaris (step 7) verifies everything.
    reviewer.reload()
    reviewer.get_by_label("Hasil reviu IKU-01").select_option("setuju")
    reviewer.get_by_test_id("submit-review").click()
    expect(reviewer.get_by_test_id("item-IKU-01")).to_contain_text("Divalidasi")
    _advance(app, cycle_id, "sign", other_units=False)

    # The Kepala signs; every value is locked, with the reason shown.
    kepala.goto(f"/t/{OPD}/siklus/{cycle_id}/")
    expect(kepala.get_by_test_id("item-IKU-01")).to_contain_text("Diverifikasi")
    kepala.get_by_test_id("open-signoff").click()  # the sign-off page: values, then a confirmation
    kepala.get_by_test_id("confirm").check()
    kepala.get_by_test_id("sign").click()
    expect(kepala.get_by_test_id("cycle-status")).to_have_text("disahkan")
    expect(kepala.get_by_test_id("lock-reason")).to_contain_text("Disahkan oleh")
    kabid.goto(f"/t/{OPD}/realisasi/")
    for kode in KESMAS:
        row = kabid.locator(f'[data-testid="realisasi-row"][data-kode="{kode}"]')
        expect(row.get_by_test_id("isi")).to_have_count(0)
        expect(row).to_contain_text("Terkunci")

    # The audit shows each step.
    audit = kepala.get_by_test_id("audit")
    # (Issue 8 item 9: actions show as Indonesian labels; each row keeps its code in data-action.)
    from portal.audit.labels import ACTION_LABELS
    for action in ("siklus.mulai", "tugas.selesai", "data.ajukan", "data.kembalikan", "data.setujui",
                   "siklus.sahkan"):
        expect(audit.locator(f'tr[data-action="{action}"]').first).to_contain_text(ACTION_LABELS[action])
    expect(audit).to_contain_text("Angka prevalensi belum sesuai laporan e-PPGBM")

    # A task left past its Mutu Baku shows as late (its clock started two days ago).
    with app.app_context():
        from portal.cycles.models import Cycle
        cycle = db.session.get(Cycle, cycle_id)
        task = engine.current_task(cycle)
        task.activated_at = utcnow() - timedelta(days=2)
        task.due_at = utcnow() - timedelta(days=1)
        db.session.commit()
        position = task.position
    kepala.reload()
    expect(kepala.get_by_test_id(f"task-{position}-1")).to_contain_text("terlambat")
