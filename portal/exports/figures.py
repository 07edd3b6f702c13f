"""The figures an export prints, gathered in bulk for an OPD, a pemda or a province.

`gather()` is the ONE place exports read signed state, and it reads it from the signing
records (portal.signing: SignedFigure/SignedValue, written once at sign-off): a signed
indicator prints its latest signed revision for the measured triwulan -- definition,
values, capaian, kategori, texts, bukti dukung and who signed -- whatever changed in the
live rows or the definition afterwards. While its cycle is reopened, that last signed
revision is still what is printed (status "Disahkan (revisi n); sedang dibuka kembali")
until it is signed again. Indicators without a signed figure are left out unless drafts
are asked for; then their live figure is printed and marked "DRAF — belum disahkan".

The number of SQL statements is fixed, whatever the number of OPDs: every table is read
with one statement over the whole scope, ordered by OPD in the same order, and consumed
OPD by OPD (streamed: a province never sits in memory at once). Draft capaian and kategori
come from the portal's own engine (portal.capaian: figures, rules, kategori).
"""
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Text, and_, cast, func, select
from sqlalchemy.orm import aliased

from portal.capaian import figures as capaian_figures
from portal.capaian.rules import CapaianResult, RuleSet, average_capaian
from portal.capaian.settings import rules_from_snapshot
from portal.capaian.values import BELUM_DIISI, RollUp, roll_up
from portal.cycles.engine import PERIOD_COUNT, period_label
from portal.cycles.models import Cycle, CycleItem, ItemState
from portal.cycles.policy import measured_triwulan
from portal.exports import queries
from portal.extensions import db
from portal.indikator.models import (
    BuktiDukung,
    BuktiStatus,
    IndicatorSet,
    Indikator,
    ProgramKegiatan,
    Realisasi,
    Sasaran,
)
from portal.signing.models import SignedFigure, SignedValue, record_figures
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant, Unit

DRAFT = "DRAF — belum disahkan"
ITEM_LABELS = {ItemState.BELUM_DIISI: "Belum diisi", ItemState.DIAJUKAN: "Diajukan",
               ItemState.DIKEMBALIKAN: "Dikembalikan", ItemState.DISAHKAN: "Disahkan"}


class IndView:
    """An indicator row as portal.capaian.figures reads it (without ORM objects)."""

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
    fig: capaian_figures.Figures | None   # None: not signed and drafts not asked for
    rollup: RollUp | None      # realisasi s.d. TW n (None: predikat or not shown)
    signer: tuple | None = None  # signed: (user id, name, lane, signed_at) from the record

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
    parent_kode: str | None = None   # a kegiatan's program
    sasaran_kode: str | None = None  # the sasaran strategis a program serves (None: not tied)


@dataclass
class OpdFigures:
    id: int
    name: str
    pemda_id: int
    pemda: str
    rows: list[Row]
    programs: list[Program]
    rules: RuleSet
    sasaran: list[tuple[str, str]] = field(default_factory=list)  # (kode, nama) in order, with or without indicators

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
    has_signed: bool = True    # some figure in the export is signed (known before streaming)
    pemdas: list = field(default_factory=list)  # (id, name) of every pemda in scope, OPDs or not
    scope_rules: RuleSet = field(default_factory=RuleSet)  # the scope's own options (summary kategori)
    rulesets: dict = field(default_factory=dict)  # RuleSet -> count of indicators, filled while streaming

    @property
    def triwulan(self) -> int:
        return measured_triwulan(self.kind, self.no)

    @property
    def label(self) -> str:
        return period_label(self.kind, self.no, self.tahun)


def gather(scope: Tenant, tahun: int, kind: str, no: int, include_drafts: bool = False,
           draft_units: frozenset[int] | None = None) -> Export:
    """The export's figures for every OPD of `scope` (an OPD, a pemda or a province).
    `draft_units`: with drafts, only these units' unsigned figures (None: every unit);
    who may see which is portal.cycles.policy.draft_scope, asked by the export's caller."""
    if kind not in PERIOD_COUNT or not 1 <= no <= PERIOD_COUNT[kind]:
        raise ValueError("periode tidak valid")
    n = measured_triwulan(kind, no)
    opd, pemda = aliased(Tenant), aliased(Tenant)
    where = and_(opd.level == Level.OPD, queries.scope_filter(scope, opd, pemda))
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
    latest = queries.latest_signed(scope, tahun, n)
    bukti = dict(db.session.execute(scoped(
        select(BuktiDukung.indikator_id, func.count()).where(BuktiDukung.triwulan == n,
                                                             BuktiDukung.status == BuktiStatus.AKTIF)
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
        select(opd_id, ProgramKegiatan.id, ProgramKegiatan.parent_id, ProgramKegiatan.sasaran_id,
               ProgramKegiatan.level,
               ProgramKegiatan.kode, ProgramKegiatan.nama, ProgramKegiatan.pagu, ProgramKegiatan.realisasi_tw1,
               ProgramKegiatan.realisasi_tw2, ProgramKegiatan.realisasi_tw3, ProgramKegiatan.realisasi_tw4)
        .where(ProgramKegiatan.set_id.in_(sets)), ProgramKegiatan.tenant_id)
        .order_by(*order, ProgramKegiatan.position, ProgramKegiatan.id), **stream))
    s_items = queries.Stream(db.session.execute(scoped(
        select(opd_id, CycleItem.indikator_id, CycleItem.state, Cycle.id.label("cycle_id")).select_from(CycleItem)
        .join(Cycle, Cycle.id == CycleItem.cycle_id)
        .where(Cycle.id.in_(list(measured) or [-1])), CycleItem.tenant_id)
        .order_by(*order, CycleItem.indikator_id, Cycle.id), **stream))
    # The signing records (portal.signing): the latest signed revision of each indicator
    # and its quarterly values, streamed in the same OPD order.
    s_signed = queries.Stream(db.session.execute(scoped(
        select(opd_id, *[c for c in SignedFigure.__table__.c if c.name != "rules"],
               cast(SignedFigure.rules, Text).label("rules_json")).where(SignedFigure.id.in_(latest)),
        SignedFigure.tenant_id)
        .order_by(*order, SignedFigure.indikator_id), **stream))
    s_signed_values = queries.Stream(db.session.execute(scoped(
        select(opd_id, SignedValue.figure_id, SignedValue.triwulan, SignedValue.nilai, SignedValue.predikat,
               SignedValue.tidak_berlaku).where(SignedValue.figure_id.in_(latest)), SignedValue.tenant_id)
        .order_by(*order, SignedValue.figure_id, SignedValue.triwulan), **stream))
    has_draft = include_drafts and queries.any_unsigned(scoped, sets, latest, draft_units)
    export = Export(scope, tahun, kind, no, include_drafts, len(opds), has_draft, iter(()),
                    queries.any_signed(latest), queries.pemdas(scope),
                    queries.scope_rules(scope, settings))
    frozen = _FrozenRules()

    def produce():
        for o in opds:
            rules = settings.get(o.id) or settings.get(o.pemda_id) or RuleSet()
            items = {}
            for it in s_items.take(o.id):
                best = items.get(it["indikator_id"])
                if best is None or it["state"] == ItemState.DISAHKAN:
                    items[it["indikator_id"]] = it
            values: dict[int, list] = {}
            for r in s_real.take(o.id):
                values.setdefault(r["indikator_id"], [None] * 4)[r["triwulan"] - 1] = r
            signed = {s["indikator_id"]: IndView(dict(s, rules=frozen.snapshot(s["rules_json"])))
                      for s in s_signed.take(o.id)}
            signed_values: dict[int, list] = {}
            for v in s_signed_values.take(o.id):
                signed_values.setdefault(v["figure_id"], [None] * 4)[v["triwulan"] - 1] = v
            sasaran = {s["id"]: s for s in s_sasaran.take(o.id)}
            rows = []
            for ind in s_ind.take(o.id):
                record = signed.pop(ind["id"], None)
                if record is not None:
                    row = _signed_row(len(rows) + 1, record, signed_values.get(record.id, [None] * 4), ind,
                                      items.get(ind["id"]), measured, frozen.ruleset(record.rules_json, rules), n)
                else:
                    row = _draft_row(len(rows) + 1, IndView(ind), sasaran, units, values.get(ind["id"], [None] * 4),
                                     items.get(ind["id"]), bukti, rules, n,
                                     include_drafts and (draft_units is None or ind["unit_id"] in draft_units))
                rows.append(row)
            # A signed figure stays in the export even if its indicator left the live set.
            for record in signed.values():
                rows.append(_signed_row(len(rows) + 1, record, signed_values.get(record.id, [None] * 4), None,
                                        items.get(record.indikator_id), measured,
                                        frozen.ruleset(record.rules_json, rules), n))
            for row in rows:
                export.rulesets[row.rules] = export.rulesets.get(row.rules, 0) + 1
            raw_programs = s_prog.take(o.id)
            kode_of = {p["id"]: p["kode"] for p in raw_programs}
            programs = [Program(p["kode"], p["nama"], p["level"], p["pagu"],
                                [p[f"realisasi_tw{q}"] for q in range(1, 5)], kode_of.get(p["parent_id"]),
                                sasaran[p["sasaran_id"]]["kode"] if p["sasaran_id"] in sasaran else None)
                        for p in raw_programs]
            yield OpdFigures(o.id, o.name, o.pemda_id, o.pemda, rows, programs, rules,
                             [(s["kode"], s["nama"]) for s in sasaran.values()])

    export.opds = produce()
    return export


# The definition an export prints for a signed figure comes from its record; these
# descriptive fields are not part of what is signed and are read from the live row.
LIVE_ONLY = {"definisi": "", "baseline": None, "target_renstra": None, "sasaran_id": None, "unit_id": None,
             "position": 0}
SIGNED_DEFINITION = ("kode", "nama", "is_iku", "satuan", "polaritas", "sifat", "jenis_target", "pakai_rasio",
                     "target_pk", "target_tw1", "target_tw2", "target_tw3", "target_tw4", "target_bawah",
                     "target_atas", "skala_predikat", "target_predikat", "rules", "rules_frozen_at")


class _FrozenRules:
    """The rule sets of signed figures, parsed once per distinct set (a province's
    figures share a handful of them)."""

    def __init__(self):
        self._cache: dict[str, tuple[dict, RuleSet | None]] = {}

    def _get(self, text: str) -> tuple[dict, RuleSet | None]:
        if text not in self._cache:
            data = json.loads(text) if text else {}
            self._cache[text] = (data, rules_from_snapshot(data))
        return self._cache[text]

    def snapshot(self, text: str) -> dict:
        return self._get(text)[0]

    def ruleset(self, text: str, current: RuleSet) -> RuleSet:
        return self._get(text)[1] or current


def _signed_row(number, record, signed_values, live, item, measured, rules, n) -> Row:
    """An indicator as signed: definition, values, capaian and kategori from its record
    (portal.signing), whatever changed in the live rows or the definition since. While
    its cycle is reopened, the last signed revision is what is printed, and said so."""
    mapping = {key: (live or {}).get(key, default) for key, default in LIVE_ONLY.items()}
    mapping.update({key: getattr(record, key) for key in SIGNED_DEFINITION}, id=record.indikator_id)
    ind = IndView(mapping)
    quarters = [None if v is None else _frozen_from(v) for v in signed_values]
    shown = [_quarter_value(ind, q) if q is not None else BELUM_DIISI for q in quarters]
    cycle = measured.get(record.cycle_id)
    signed_now = (item is not None and item["cycle_id"] == record.cycle_id and item["state"] == ItemState.DISAHKAN
                  and cycle is not None and cycle.revision == record.revision)
    status = "Disahkan" if signed_now else f"Disahkan (revisi {record.revision}); sedang dibuka kembali"
    return Row(number, record.sasaran_kode, record.sasaran_nama, ind, record.unit_name, shown,
               record.faktor_pendorong, record.faktor_penghambat, record.tindak_lanjut, len(record.bukti or []),
               status, True, False, _signers(record), rules, record_figures(record),
               roll_up(shown, n, record.sifat) if record.jenis_target != "predikat" else None,
               (record.signed_by_id, record.signed_by_name, record.signed_by_lane, record.signed_at))


def _draft_row(number, ind, sasaran, units, raw, item, bukti, current_rules, n, include_drafts) -> Row:
    """An indicator without a signed figure: left empty, or (drafts asked for) its live
    figure marked as a draft."""
    state = ITEM_LABELS[item["state"]] if item else "Belum masuk siklus"
    status = f"{DRAFT} ({state})" if include_drafts else f"Belum disahkan ({state})"
    quarters = [None if q is None else _frozen_from(q) for q in raw]
    rules = rules_from_snapshot(ind.rules) or current_rules
    fig = capaian_figures.figures(ind, quarters, n, current_rules) if include_drafts else None
    source = raw[n - 1]
    texts = (("", "", "") if not include_drafts or source is None else
             (source["faktor_pendorong"], source["faktor_penghambat"], source["tindak_lanjut"]))
    shown = [_quarter_value(ind, q) for q in quarters] if include_drafts else [BELUM_DIISI] * 4
    s = sasaran.get(ind.sasaran_id)
    return Row(number, s["kode"] if s else "", s["nama"] if s else "", ind, units.get(ind.unit_id, ""),
               shown, *texts, bukti.get(ind.id, 0), status, False, include_drafts, "", rules, fig,
               roll_up(shown, n, ind.sifat) if include_drafts and ind.jenis_target != "predikat" else None)


def _quarter_value(ind, q):
    if ind.jenis_target == "predikat":
        return capaian_figures.predikat_of(q)
    return capaian_figures.value_of(q)


class _Frozen:
    """A quarterly value as portal.capaian.figures.value_of/predikat_of read a row."""

    __slots__ = ("tidak_berlaku", "nilai", "predikat")

    def __init__(self, tidak_berlaku, nilai, predikat):
        self.tidak_berlaku, self.nilai, self.predikat = tidak_berlaku, nilai, predikat


def _frozen_from(mapping) -> _Frozen:
    return _Frozen(mapping["tidak_berlaku"], mapping["nilai"], mapping["predikat"])


def _signers(record) -> str:
    """Who entered, reviewed and signed the figure, and when (from the record)."""
    steps = [("Diisi", record.entered_by_name, record.entered_at)]
    steps += [(r.get("label") or "Disetujui", r.get("name") or "", _at(r.get("at"))) for r in record.reviews or []]
    steps.append((f"Disahkan (revisi {record.revision})", record.signed_by_name, record.signed_at))
    parts = []
    for label, who, at in steps:
        when = capaian_figures.waktu(at)
        if who or when:
            parts.append(f"{label}: {who}" + (f", {when}" if when else ""))
    return "; ".join(parts)


def _at(text):
    return datetime.fromisoformat(text) if text else None
