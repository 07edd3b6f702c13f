"""The figures an export prints, gathered in bulk for an OPD, a pemda or a province.

`gather()` is the ONE place exports read signed state. Until signed figures are records
of their own (portal.signing), it reads today's tables: an indicator's figure for a
measured triwulan is signed when its CycleItem in a cycle measuring that triwulan is
"disahkan" (the live values are then locked), or, for a cycle reopened after a sign-off,
the value of the last CycleSnapshot. Figures not signed are left out unless drafts are
asked for, and then flagged as drafts.

The number of SQL statements is fixed, whatever the number of OPDs: every table is read
with one statement over the whole scope, ordered by OPD in the same order, and consumed
OPD by OPD (streamed: a province never sits in memory at once). Capaian and kategori come
from the portal's own engine (portal.indicators.figures / capaian / kategori).
"""
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from portal.cycles.models import Cycle, CycleItem
from portal.exports import queries
from portal.exports.queries import PERIOD_KINDS, measured_triwulan  # noqa: F401 (re-exported)
from portal.extensions import db
from portal.indicators import figures as indicator_figures
from portal.indicators.capaian import (
    BELUM_DIISI,
    DIHITUNG,
    TIDAK_BERLAKU,
    AngkaTidakValid,
    CapaianResult,
    RollUp,
    RuleSet,
    average_capaian,
    parse_angka,
    roll_up,
)
from portal.indicators.models import (
    BuktiDukung,
    IndicatorSet,
    Indikator,
    ProgramKegiatan,
    Realisasi,
    Sasaran,
)
from portal.indicators.settings import rules_from_snapshot
from portal.numbers import TW
from portal.tenancy.models import Tenant, Unit

DRAFT = "DRAF — belum disahkan"
ITEM_LABELS = {"belum_diisi": "Belum diisi", "diajukan": "Diajukan", "dikembalikan": "Dikembalikan",
               "disahkan": "Disahkan"}


def period_label(kind: str, no: int, tahun: int) -> str:
    if kind == "tahunan":
        return f"Tahunan {tahun}"
    return f"{'Triwulan' if kind == 'triwulan' else 'Semester'} {TW[no - 1]} {tahun}"


class IndView:
    """An indicator row as portal.indicators.figures reads it (without ORM objects)."""

    __slots__ = ("_m",)

    def __init__(self, mapping):
        self._m = mapping

    def __getattr__(self, name):
        try:
            return self._m[name]
        except KeyError:
            raise AttributeError(name) from None

    def target_sd(self, n: int):
        return self._m[f"target_tw{n}"]


@dataclass
class Row:
    """One indicator of one OPD with its figures for the measured triwulan."""

    no: int
    sasaran_kode: str
    sasaran: str
    ind: IndView
    unit: str
    realisasi: list            # per TW: Decimal, predikat str, TIDAK_BERLAKU or BELUM_DIISI
    faktor_pendorong: str
    faktor_penghambat: str
    tindak_lanjut: str
    bukti: int
    status: str                # "Disahkan", "Belum disahkan (Diajukan)", "DRAF — belum disahkan (Diajukan)"
    signed: bool
    draft: bool                # figures shown although not signed
    verifier: str
    rules: RuleSet
    fig: indicator_figures.Figures | None   # None: not signed and drafts not asked for
    rollup: RollUp | None      # realisasi s.d. TW n (None: predikat or not shown)

    @property
    def shown(self) -> bool:
        return self.fig is not None


@dataclass
class Program:
    kode: str
    nama: str
    level: str
    pagu: Decimal | None
    realisasi: list            # Rp per TW (Decimal | None)


@dataclass
class OpdFigures:
    id: int
    name: str
    pemda_id: int
    pemda: str
    rows: list[Row]
    programs: list[Program]
    rules: RuleSet

    @property
    def has_draft(self) -> bool:
        return any(r.draft for r in self.rows)

    @property
    def signed_count(self) -> int:
        return sum(1 for r in self.rows if r.signed)

    def average(self) -> CapaianResult:
        return average_capaian([r.fig.capaian for r in self.rows if r.shown], self.rules)


@dataclass
class Export:
    scope: Tenant
    tahun: int
    kind: str
    no: int
    include_drafts: bool
    opd_count: int
    has_draft: bool            # some figure in the export is a draft (known before streaming)
    opds: Iterator[OpdFigures]
    scope_rules: RuleSet = field(default_factory=RuleSet)  # the scope's own options (summary kategori)
    rulesets: dict = field(default_factory=dict)  # RuleSet -> count of indicators, filled while streaming

    @property
    def triwulan(self) -> int:
        return measured_triwulan(self.kind, self.no)

    @property
    def label(self) -> str:
        return period_label(self.kind, self.no, self.tahun)


def gather(scope: Tenant, tahun: int, kind: str, no: int, include_drafts: bool = False) -> Export:
    """The export's figures for every OPD of `scope` (an OPD, a pemda or a province)."""
    if kind not in PERIOD_KINDS or not 1 <= no <= PERIOD_KINDS[kind]:
        raise ValueError("periode tidak valid")
    n = measured_triwulan(kind, no)
    opd, pemda = aliased(Tenant), aliased(Tenant)
    where = and_(opd.level == "opd", queries.scope_filter(scope, opd, pemda))
    order = (pemda.name, pemda.id, opd.name, opd.id)

    def scoped(stmt, tenant_col):
        # The statement's own table first (select_from), then its OPD and pemda.
        if not stmt.get_final_froms() or not any(hasattr(f, "left") for f in stmt.get_final_froms()):
            stmt = stmt.select_from(tenant_col.table)
        return stmt.join(opd, opd.id == tenant_col).join(pemda, pemda.id == opd.parent_id).where(where)

    opds = db.session.execute(select(opd.id, opd.name, pemda.id.label("pemda_id"), pemda.name.label("pemda"))
                              .select_from(opd).join(pemda, pemda.id == opd.parent_id).where(where)
                              .order_by(*order)).all()
    settings = queries.settings(scope, opd, pemda, where)
    units = dict(db.session.execute(scoped(select(Unit.id, Unit.name), Unit.tenant_id)).all())
    measured = queries.measured_cycles(scoped, tahun, n)
    signers = queries.signers(scoped, tahun)
    snapshots = queries.reopened_snapshots(scoped, measured, n)
    bukti = dict(db.session.execute(scoped(
        select(BuktiDukung.indikator_id, func.count()).where(BuktiDukung.triwulan == n,
                                                             BuktiDukung.status == "aktif")
        .group_by(BuktiDukung.indikator_id), BuktiDukung.tenant_id)).all())
    sets = select(IndicatorSet.id).where(IndicatorSet.tahun == tahun).scalar_subquery()
    opd_id = opd.id.label("opd_id")
    stream = {"execution_options": {"yield_per": 2000}}
    s_sasaran = queries.Stream(db.session.execute(scoped(
        select(opd_id, Sasaran.id, Sasaran.kode, Sasaran.nama).where(Sasaran.set_id.in_(sets)), Sasaran.tenant_id)
        .order_by(*order, Sasaran.position, Sasaran.id), **stream))
    s_ind = queries.Stream(db.session.execute(scoped(
        select(opd_id, *[c for c in Indikator.__table__.c if c.name != "tenant_id"])
        .where(Indikator.set_id.in_(sets)), Indikator.tenant_id)
        .order_by(*order, Indikator.position, Indikator.id), **stream))
    s_real = queries.Stream(db.session.execute(scoped(
        select(opd_id, Realisasi.indikator_id, Realisasi.triwulan, Realisasi.nilai, Realisasi.predikat,
               Realisasi.tidak_berlaku, Realisasi.faktor_pendorong, Realisasi.faktor_penghambat,
               Realisasi.tindak_lanjut).select_from(Realisasi)
        .join(Indikator, and_(Indikator.id == Realisasi.indikator_id, Indikator.set_id.in_(sets))),
        Realisasi.tenant_id).order_by(*order, Realisasi.indikator_id, Realisasi.triwulan), **stream))
    s_prog = queries.Stream(db.session.execute(scoped(
        select(opd_id, ProgramKegiatan.id, ProgramKegiatan.parent_id, ProgramKegiatan.level,
               ProgramKegiatan.kode, ProgramKegiatan.nama, ProgramKegiatan.pagu, ProgramKegiatan.realisasi_tw1,
               ProgramKegiatan.realisasi_tw2, ProgramKegiatan.realisasi_tw3, ProgramKegiatan.realisasi_tw4)
        .where(ProgramKegiatan.set_id.in_(sets)), ProgramKegiatan.tenant_id)
        .order_by(*order, ProgramKegiatan.position, ProgramKegiatan.id), **stream))
    s_items = queries.Stream(db.session.execute(scoped(
        select(opd_id, CycleItem.indikator_id, CycleItem.state, Cycle.id.label("cycle_id")).select_from(CycleItem)
        .join(Cycle, Cycle.id == CycleItem.cycle_id)
        .where(Cycle.id.in_(list(measured) or [-1])), CycleItem.tenant_id)
        .order_by(*order, CycleItem.indikator_id, Cycle.id), **stream))
    has_draft = include_drafts and queries.any_unsigned(scoped, sets, measured)
    export = Export(scope, tahun, kind, no, include_drafts, len(opds), has_draft, iter(()),
                    queries.scope_rules(scope, settings))

    def produce():
        for o in opds:
            rules = settings.get(o.id) or settings.get(o.pemda_id) or RuleSet()
            items = {}
            for it in s_items.take(o.id):
                best = items.get(it["indikator_id"])
                if best is None or it["state"] == "disahkan":
                    items[it["indikator_id"]] = it
            values: dict[int, list] = {}
            for r in s_real.take(o.id):
                values.setdefault(r["indikator_id"], [None] * 4)[r["triwulan"] - 1] = r
            sasaran = {s["id"]: s for s in s_sasaran.take(o.id)}
            rows = []
            for number, ind in enumerate(s_ind.take(o.id), 1):
                row = _row(number, IndView(ind), sasaran, units, values.get(ind["id"], [None] * 4), items,
                           measured, signers, snapshots, bukti, rules, n, include_drafts)
                export.rulesets[row.rules] = export.rulesets.get(row.rules, 0) + 1
                rows.append(row)
            programs = [Program(p["kode"], p["nama"], p["level"], p["pagu"],
                                [p[f"realisasi_tw{q}"] for q in range(1, 5)]) for p in s_prog.take(o.id)]
            yield OpdFigures(o.id, o.name, o.pemda_id, o.pemda, rows, programs, rules)

    export.opds = produce()
    return export


def _snapshot_value(text: str):
    """A signed value kept as display text ("1.234,5", "tidak berlaku", a predikat)."""
    text = (text or "").strip()
    if text in ("", "belum diisi"):
        return BELUM_DIISI
    if text == "tidak berlaku":
        return TIDAK_BERLAKU
    try:
        return parse_angka(text)
    except AngkaTidakValid:
        return text


class _Frozen:
    """A quarterly value as portal.indicators.figures.value_of/predikat_of read a row."""

    def __init__(self, value):
        self.tidak_berlaku = value is TIDAK_BERLAKU
        self.nilai = value if isinstance(value, Decimal) else None
        self.predikat = value if isinstance(value, str) and value not in (BELUM_DIISI, TIDAK_BERLAKU) else None


def _row(number, ind, sasaran, units, quarters, items, measured, signers, snapshots, bukti, current_rules, n,
         include_drafts) -> Row:
    item = items.get(ind.id)
    signed = item is not None and item["state"] == "disahkan"
    raw, quarters = quarters, [None if q is None else _frozen_from(q) for q in quarters]
    verifier = ""
    snap = None if signed else snapshots.get(ind.id)
    if signed:
        cycle = measured[item["cycle_id"]]
        who, at = signers.get((cycle.id, cycle.revision), ("", None))
        verifier = _verifier(who, at, cycle.revision)
        status = "Disahkan"
    elif snap is not None:
        values, cycle_id, revision = snap
        who, at = signers.get((cycle_id, revision), ("", None))
        verifier = _verifier(who, at, revision)
        status = f"Disahkan (revisi {revision}); sedang dibuka kembali"
        quarters[n - 1] = _Frozen(_snapshot_value(values.get("realisasi", "")))
        signed = True
    else:
        state = ITEM_LABELS[item["state"]] if item else "Belum masuk siklus"
        status = f"{DRAFT} ({state})" if include_drafts else f"Belum disahkan ({state})"
    show = signed or include_drafts
    rules = rules_from_snapshot(ind.rules) or current_rules
    fig = indicator_figures.figures(ind, quarters, n, current_rules) if show else None
    source = raw[n - 1]
    if snap is not None:
        texts = (snap[0].get("faktor_pendorong", ""), snap[0].get("faktor_penghambat", ""),
                 snap[0].get("tindak_lanjut", ""))
    elif show and source is not None:
        texts = (source["faktor_pendorong"], source["faktor_penghambat"], source["tindak_lanjut"])
    else:
        texts = ("", "", "")
    shown = [_quarter_value(ind, q) for q in quarters] if show else [BELUM_DIISI] * 4
    s = sasaran.get(ind.sasaran_id)
    return Row(number, s["kode"] if s else "", s["nama"] if s else "", ind, units.get(ind.unit_id, ""),
               shown, *texts, bukti.get(ind.id, 0), status, signed, show and not signed, verifier, rules, fig,
               roll_up(shown, n, ind.sifat) if show and ind.jenis_target != "predikat" else None)


def _quarter_value(ind, q):
    if ind.jenis_target == "predikat":
        return indicator_figures.predikat_of(q)
    return indicator_figures.value_of(q)


def _frozen_from(mapping) -> "_Frozen":
    f = _Frozen(None)
    f.tidak_berlaku, f.nilai, f.predikat = mapping["tidak_berlaku"], mapping["nilai"], mapping["predikat"]
    return f


def _verifier(who: str, at, revision: int) -> str:
    when = indicator_figures.waktu(at)
    return f"{who} · {when} WIB (revisi {revision})" if when else who


def is_computed(result: CapaianResult | None) -> bool:
    return result is not None and result.state == DIHITUNG
