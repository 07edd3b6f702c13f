"""What a reviewer or signer needs to see of each indicator of a cycle, in one place:
the value entered for the measured triwulan, the target, capaian and kategori, the bukti
dukung, the enterer's faktor and tindak lanjut, and the plausibility checks she confirmed.

A read for the review table (cycles/detail.html) and the sign-off page; a fixed number
of queries whatever the number of indicators. The figures are the live ones (what is
under review); a signed period's record is read by signing/, not here.
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.capaian import plausibility
from portal.capaian import settings as capaian_settings
from portal.capaian.figures import Figures, angka, display_value, figures
from portal.cycles.models import Cycle
from portal.cycles.policy import measured_triwulan
from portal.extensions import db
from portal.indikator.models import BuktiStatus, Realisasi
from portal.indikator.queries import bukti_of_rows


@dataclass
class Facts:
    triwulan: int
    value: str                     # the value of the measured triwulan as entered ("belum diisi" ...)
    target: str                    # target s.d. the triwulan ("—" when none)
    figures: Figures
    row: Realisasi | None
    bukti: list = field(default_factory=list)

    @property
    def filled(self) -> bool:
        return self.row is not None and (self.row.tidak_berlaku or self.row.nilai is not None
                                          or bool(self.row.predikat))

    @property
    def flags(self) -> list[str]:
        return plausibility.labels(self.row.plausibility_flags) if self.row is not None else []

    @property
    def notes(self) -> list[tuple[str, str]]:
        row = self.row
        if row is None:
            return []
        texts = [("Faktor pendorong", row.faktor_pendorong), ("Faktor penghambat", row.faktor_penghambat),
                 ("Tindak lanjut", row.tindak_lanjut)]
        return [(label, text) for label, text in texts if text]


def _target(ind, n: int) -> str:
    if ind.jenis_target == "rentang":
        return f"{angka(ind.target_bawah) or '—'}–{angka(ind.target_atas) or '—'}"
    if ind.jenis_target == "predikat":
        return ind.target_predikat or "—"
    return angka(ind.target_sd(n)) or "—"


def of_cycle(cycle: Cycle) -> dict[int, Facts]:
    """{indikator id: Facts} for every indicator of the cycle."""
    n = measured_triwulan(cycle.period_kind, cycle.period_no)
    inds = [item.indikator for item in cycle.items]
    ids = [ind.id for ind in inds]
    values: dict[int, list] = {i: [None] * 4 for i in ids}
    if ids:
        for row in db.session.scalars(select(Realisasi).where(Realisasi.tenant_id == cycle.tenant_id,
                                                              Realisasi.indikator_id.in_(ids))):
            values[row.indikator_id][row.triwulan - 1] = row
    bukti = bukti_of_rows(cycle.tenant_id, ids, n)
    rules = capaian_settings.effective(cycle.tenant).rules
    out = {}
    for ind in inds:
        row = values[ind.id][n - 1]
        out[ind.id] = Facts(n, display_value(row), _target(ind, n), figures(ind, values[ind.id], n, rules), row,
                            [b for b in bukti[ind.id] if b.status == BuktiStatus.AKTIF])
    return out
