"""Exports read signed figures from the signing records: after sign-off, a definition
change with a reason (polaritas, target) and a corrected live value in a reopened cycle
leave the exported Formulir showing exactly the signed record, and only an explicit
draft export shows the live figure under the new definition, marked DRAF."""
import io
from decimal import Decimal

import openpyxl
import sqlalchemy as sa

from portal.cycles import review
from portal.cycles.models import Cycle
from portal.exports import services
from portal.extensions import db
from portal.signing.queries import signed_figures
from tests import cycle_driver
from tests.exports_world import SIGNED_OPD, close, redefine, screen_figures, sign_triwulan_ii

DRAFT = "DRAF — belum disahkan"
KODE = "IKU-02"  # negatif, nilai akhir, Target PK 85 in the demo


def _formulir(tenant, no: int, drafts: bool) -> dict[str, dict]:
    """The Formulir's indicator rows by kode: {header: cached value}."""
    data = services.build(tenant, services.Request("formulir", 2026, "triwulan", no, drafts))
    sheet = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Data pengukuran"]
    head = next(c.row for c in sheet["A"] if c.value == "No")
    names = {c.column_letter: c.value for c in sheet[head] if c.value}
    names.update({c.column_letter: c.value for c in sheet[head + 1] if c.value})  # TW I..IV under "Realisasi"
    rows = {}
    for r in range(head + 2, sheet.max_row + 1):
        row = {name: sheet[f"{col}{r}"].value for col, name in names.items()}
        if row.get("Kode"):
            rows[row["Kode"]] = row
    return rows


def test_the_export_prints_the_signed_record_after_the_definition_and_live_value_change(demo):
    with demo.app_context():
        sign_triwulan_ii()
        opd = cycle_driver.tenant(SIGNED_OPD)
        record = {f.kode: f for f in signed_figures([opd.id], 2026, 2)[opd.id]}[KODE]
        assert record.polaritas == "negatif" and record.target_pk == Decimal("85")
        signed_capaian = record.capaian

        # The definition changes with a reason; then the Kepala reopens TW II and the value
        # is corrected (a new live figure, not signed yet).
        redefine(SIGNED_OPD, KODE, "Koreksi polaritas sesuai Renstra", polaritas="positif",
                 target_pk=Decimal("50"), target_tw1=Decimal("50"), target_tw2=Decimal("50"))
        cycle = db.session.scalar(sa.select(Cycle).where(Cycle.tenant_id == opd.id, Cycle.period_no == 2))
        review.reopen(cycle, cycle_driver.people(opd, {"kepala"})[0], "Koreksi data")
        item = next(i for i in cycle.items if i.indikator.kode == KODE)
        cycle_driver.enter_value(item, cycle_driver.enterer(opd, item), "12,5")
        db.session.commit()

        for drafts in (False, True):  # the signed revision wins over the live draft
            row = _formulir(opd, 2, drafts)[KODE]
            assert close(row["Capaian s.d. TW II (%)"], signed_capaian), (drafts, row)
            assert row["Polaritas"] == "Negatif" and close(row["Target tahunan (PK)"], Decimal("85"))
            assert close(row["Target s.d. TW II"], record.target_sd)
            assert close(row["TW II"], record.value_of(2).nilai) and close(row["TW I"], record.value_of(1).nilai)
            assert row["Kategori"] == record.kategori
            assert row["Status"] == "Disahkan (revisi 1); sedang dibuka kembali"
            assert record.signed_by_name in row["Diisi, direviu, disahkan (oleh, tanggal)"]
            assert row["Tindak lanjut"] == record.tindak_lanjut
            assert row["Bukti dukung (berkas)"] == len(record.bukti)

        # An unsigned period, with drafts asked for: the live figure under the new
        # definition, marked as a draft; without drafts, no figure at all.
        live = screen_figures(SIGNED_OPD, 2026, 1)[KODE]
        row = _formulir(opd, 1, True)[KODE]
        assert row["Status"].startswith(DRAFT)
        assert row["Polaritas"] == "Positif" and close(row["Target tahunan (PK)"], Decimal("50"))
        assert live.capaian.state == "dihitung"
        assert close(row["Capaian s.d. TW I (%)"], live.capaian.value)
        assert not close(row["Capaian s.d. TW I (%)"], signed_capaian)
        plain = _formulir(opd, 1, False)[KODE]
        assert plain["Status"].startswith("Belum disahkan") and plain["Capaian s.d. TW I (%)"] in (None, "")
