"""The demo's year in progress, made through the portal's own services and dated relative
to today (timeline.py), so that every demo person finds something to do and every page
has figures in it:

- Dinas Kesehatan Kab. Mojokerto: the earlier triwulans signed, TW I reopened (one
  indicator corrected) and signed again as revision 2; the current triwulan back at
  its collect step with one indicator returned (the Staf fixes it, the reason in view).
- Dinas Sosial Kota Blitar: the earlier triwulans signed; the current one waits for the
  Kabid's validation (step 7), long past its Mutu Baku: late.
- Dinas Kesehatan Kota Pasuruan: the earlier triwulans signed; the current one waits
  for the Kepala's sign-off.
- DPUPR Kota Pasuruan: every triwulan but the last ended one signed; that one never
  started (late in the matrix).
- Provinsi Jawa Timur: IKK references linking the two Dinas Kesehatan (stunting,
  imunisasi), and a finished province workbook of the last signed triwulan.
- (Issue 22, not built yet: a pemda's own IKU cascaded from its OPDs goes in `STEPS`.)

"The current triwulan" is today's in WIB; from January to March it is TW IV of the year
before (measured in January, the LKjIP season), so there is always a signed triwulan.
Every action is done by a person the SOP and the policy allow (driver.py), at a moment
in the past: cycles of a past triwulan start in the second week after it ended (or,
when that is not yet past, a few days before today's cycles) and run on time; today's
cycles started a week ago.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.cycles import engine, review
from portal.cycles.models import Cycle, CycleItem, ItemState
from portal.demo import files, timeline
from portal.demo.driver import MAX_BYTES, Pace, people, run, tenant
from portal.exports import jobs as export_jobs  # noqa: F401 (registers the export job's runner)
from portal.exports import services as exports
from portal.extensions import db
from portal.indikator import periods
from portal.indikator.models import Indikator
from portal.jobs import services as jobs
from portal.numbers import TW
from portal.oversight import references
from portal.realisasi import bukti
from portal.realisasi import services as realisasi_services
from portal.sop.document import Meaning

MOJOKERTO, BLITAR = "kab-mojokerto-dinkes", "kota-blitar-dinsos"
PASURUAN_DINKES, PASURUAN_DPUPR = "kota-pasuruan-dinkes", "kota-pasuruan-dpupr"
PROVINCE = "jawa-timur"
OPDS = (MOJOKERTO, BLITAR, PASURUAN_DINKES, PASURUAN_DPUPR)
REOPEN_REASON = "Angka TW I dikoreksi setelah validasi data e-PPGBM oleh Dinas Kesehatan Provinsi"
REFERENCES = (  # (kode, nama, satuan, what the coordinator searches for)
    ("IKK 1.02.01", "Prevalensi stunting pada balita", "%", "stunting"),
    ("IKK 1.02.05", "Cakupan imunisasi dasar lengkap", "%", "imunisasi dasar"),
)


@dataclass
class Plan:
    """The demo year's dates, from today (WIB)."""
    today: date
    tahun: int
    current: int                      # the triwulan measured now
    now: datetime                     # the moment the demo is made (naive UTC)

    @property
    def signed(self) -> list[int]:
        return list(range(1, self.current))

    @property
    def running_start(self) -> datetime:
        """Today's cycles started a week ago, 08.00 WIB on a working day."""
        return _working_morning(self.today - timedelta(days=7), hour=8)

    def start_of(self, triwulan: int) -> datetime:
        """A past triwulan's cycle: 08.00 WIB on the first working day a week after it ended,
        unless that is not yet past; then a few days before today's cycles."""
        ended = date(self.tahun + (triwulan == 4), 1 if triwulan == 4 else 3 * triwulan + 1, 1) - timedelta(days=1)
        start = _working_morning(ended + timedelta(days=7), hour=8)
        if start >= self.running_start - timedelta(days=1):
            start = _working_morning((self.running_start - timedelta(days=2 * (self.current - triwulan))).date())
        return start


def plan(today: date, now: datetime) -> Plan:
    tw = (today.month - 1) // 3 + 1
    if tw == 1:
        return Plan(today, today.year - 1, 4, now)
    return Plan(today, today.year, tw, now)


def _working_morning(day: date, hour: int = 8) -> datetime:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(hour)) - timedelta(hours=7)


@dataclass
class Report:
    plan: Plan
    lines: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- what is typed

def _spread(ind: Indikator, triwulan: int, salt: str = "") -> Decimal:
    """A steady factor between 0,92 and 1,06 per indicator and triwulan."""
    digest = hashlib.sha256(f"{ind.kode}/{ind.tenant_id}/{triwulan}{salt}".encode()).digest()
    return Decimal(92 + digest[0] % 15) / 100


def _target(ind: Indikator, triwulan: int) -> Decimal | None:
    if ind.jenis_target == "rentang" and ind.target_bawah is not None and ind.target_atas is not None:
        return (ind.target_bawah + ind.target_atas) / 2
    target = ind.target_sd(triwulan) if ind.target_sd(triwulan) is not None else ind.target_pk
    if target is not None and ind.sifat == "kumulatif" and triwulan > 1 and ind.target_sd(triwulan - 1) is not None:
        target -= ind.target_sd(triwulan - 1)  # a kumulatif realisasi is the triwulan's own amount
    return target


def typed_value(item: CycleItem, resubmit: bool) -> str | None:
    """What the Staf types: near the triwulan's target (a corrected figure when the item
    came back). Figures the tenants/ files hold for TW I and II are typed again by the
    Staf: the files name the Kabid as their enterer, and whoever entered a value may not
    validate it."""
    ind = item.indikator
    triwulan = engine.measured_triwulan(item.cycle.period_kind, item.cycle.period_no)
    if ind.jenis_target == "predikat":
        return "75"
    target = _target(ind, triwulan)
    if target is None:
        return "1"
    value = (target * _spread(ind, triwulan, "koreksi" if resubmit else "")).quantize(Decimal("0.01"))
    return str(value).replace(".", ",")


def attach_bukti(item: CycleItem, user) -> None:
    """The IKU get their bukti dukung: a PDF report (and for the first IKU a PNG chart),
    uploaded as the data-entry page does, by whoever entered the value."""
    ind = item.indikator
    if not ind.is_iku:
        return
    triwulan = engine.measured_triwulan(item.cycle.period_kind, item.cycle.period_no)
    period = periods.open_period(item.cycle.tenant, item.cycle.tahun, triwulan)
    if realisasi_services.refusal(user, item.cycle.tenant, ind, period) is not None:
        return
    label = f"TW {TW[triwulan - 1]} {item.cycle.tahun}"
    bukti.store(ind, triwulan, f"Laporan {ind.kode} {label}.pdf",
                files.pdf(item.cycle.tenant.name, f"Bukti dukung {ind.kode}: {ind.nama}", label,
                          f"Sumber data: {ind.sumber_data}"), user, MAX_BYTES)
    if ind.kode.endswith("01"):
        values = [float(_target(ind, n) or 1) * float(_spread(ind, n)) for n in range(1, triwulan + 1)]
        bukti.store(ind, triwulan, f"Grafik {ind.kode} {label}.png", files.png_bars(values), user, MAX_BYTES)


# ---------------------------------------------------------------- the cycles

def _sign(slug: str, p: Plan, triwulan: int, return_once: bool = False) -> Cycle:
    cycle, _ = run(slug, p.tahun, "triwulan", triwulan, return_once=return_once, pace=Pace(p.start_of(triwulan)),
                   value_of=typed_value, after_entry=attach_bukti)
    db.session.commit()
    return cycle


def _reopen_and_sign_again(cycle: Cycle, p: Plan) -> None:
    """The Kepala reopens the signed triwulan for its first IKU two weeks later; the Staf
    corrects it, it is reviewed again and signed as revision 2."""
    signed_at = max(t.completed_at for t in cycle.tasks if t.completed_at is not None)
    pace = Pace(min(signed_at + timedelta(days=14), p.running_start - timedelta(days=1)))
    opd = cycle.tenant
    item = next(i for i in cycle.items if i.indikator.is_iku)
    with timeline.at(pace.next()):
        review.reopen(cycle, people(opd, {"kepala"})[0], REOPEN_REASON, [item.id])
    run(opd.slug, cycle=cycle, return_once=False, pace=pace, value_of=typed_value)
    db.session.commit()


def _returned_at_collect(cycle: Cycle, task) -> bool:
    return task.step.meaning == Meaning.COLLECT and any(i.state == ItemState.DIKEMBALIKAN for i in cycle.items)


def _running(slug: str, p: Plan, stop, return_once: bool = False) -> Cycle:
    cycle, _ = run(slug, p.tahun, "triwulan", p.current, return_once=return_once, pace=Pace(p.running_start),
                   stop=stop, value_of=typed_value, after_entry=attach_bukti)
    db.session.commit()
    return cycle


def mojokerto(p: Plan, report: Report) -> None:
    for triwulan in p.signed:
        cycle = _sign(MOJOKERTO, p, triwulan, return_once=triwulan == 1)
        if triwulan == 1:
            _reopen_and_sign_again(cycle, p)
    _running(MOJOKERTO, p, _returned_at_collect, return_once=True)
    report.lines.append(f"{MOJOKERTO}: TW {', '.join(TW[t - 1] for t in p.signed)} disahkan (TW I revisi 2); "
                        f"TW {TW[p.current - 1]} berjalan, satu indikator dikembalikan")


def blitar(p: Plan, report: Report) -> None:
    for triwulan in p.signed:
        _sign(BLITAR, p, triwulan)
    _running(BLITAR, p, lambda cycle, task: review.stage_of_task(task) == 1)
    report.lines.append(f"{BLITAR}: TW {TW[p.current - 1]} menunggu validasi Kabid (terlambat)")


def pasuruan(p: Plan, report: Report) -> None:
    for triwulan in p.signed:
        _sign(PASURUAN_DINKES, p, triwulan)
    _running(PASURUAN_DINKES, p, lambda cycle, task: task.step.meaning == Meaning.SIGN)
    for triwulan in p.signed[:-1]:
        _sign(PASURUAN_DPUPR, p, triwulan)
    report.lines.append(f"{PASURUAN_DINKES}: TW {TW[p.current - 1]} menunggu pengesahan Kepala; "
                        f"{PASURUAN_DPUPR}: TW {TW[p.signed[-1] - 1]} belum dimulai")


def province(p: Plan, report: Report) -> None:
    """The coordinator links the IKK references and exports the last signed triwulan."""
    prov = tenant(PROVINCE)
    coordinator = people(prov, {"coordinator"})[0]
    with timeline.at(p.running_start - timedelta(days=1)):
        for kode, nama, satuan, cari in REFERENCES:
            ref = references.create_reference(prov, coordinator, kode, nama, satuan)
            found = [c.ind.id for c in references.candidates(prov, ref, p.tahun, cari)]
            references.link(prov, ref, coordinator, found)
    with timeline.at(p.now - timedelta(hours=1)):
        job_id = exports.start(prov, coordinator,
                               exports.Request("provinsi", p.tahun, "triwulan", p.signed[-1], False)).id
        db.session.commit()
        jobs.run(job_id)  # as the worker runs it, on connections of its own
    report.lines.append(f"{PROVINCE}: {len(REFERENCES)} rujukan IKK ditautkan; ekspor provinsi TW "
                        f"{TW[p.signed[-1] - 1]} selesai")


# Issue 22 (a pemda's own IKU cascaded from its OPDs) adds its step here once it exists.
STEPS = (mojokerto, blitar, pasuruan, province)


def exists(p: Plan) -> bool:
    """The year in progress was made before (on this database, for this year)."""
    return db.session.scalar(select(Cycle.id).where(Cycle.tahun == p.tahun).limit(1)) is not None


def build(today: date, now: datetime) -> Report:
    """Make the year in progress on the demo tenants (already loaded from tenants/)."""
    p = plan(today, now)
    report = Report(p)
    for step in STEPS:
        step(p, report)
    return report
