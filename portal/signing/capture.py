"""Writing the signed record at sign-off: one SignedFigure (with its SignedValues) per
indicator of the cycle, computed from the live rows exactly as the pages compute them,
and copied so that it never needs the live tables again."""
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.capaian import settings as capaian_settings
from portal.capaian.figures import raw_figures
from portal.cycles.engine import measured_triwulan, period_label
from portal.cycles.models import Cycle, CycleItem
from portal.extensions import db
from portal.indikator.models import BuktiStatus, Indikator, Realisasi, Sasaran
from portal.indikator.queries import bukti_of_rows
from portal.signing.models import SignedFigure, SignedValue

STAGE_VERBS = {1: "Divalidasi", 2: "Diverifikasi"}
RAW_PLACES = Decimal("1e-10")


def _raw(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(RAW_PLACES, rounding=ROUND_HALF_UP)


def record_signoff(cycle: Cycle, user, now: datetime, lane: str = "") -> list[SignedFigure]:
    """Called by the sign-off (portal.signing.signoff.sign) after cycle.revision was raised."""
    n = measured_triwulan(cycle.period_kind, cycle.period_no)
    items = list(cycle.items)
    ids = [i.indikator_id for i in items]
    inds = {i.id: i for i in db.session.scalars(
        select(Indikator).where(Indikator.tenant_id == cycle.tenant_id, Indikator.id.in_(ids))
        .options(selectinload(Indikator.unit)))}
    sasaran = {s.id: s for s in db.session.scalars(select(Sasaran).where(
        Sasaran.tenant_id == cycle.tenant_id, Sasaran.id.in_({i.sasaran_id for i in inds.values()})))}
    rows: dict[int, list] = {i: [None] * 4 for i in ids}
    for row in db.session.scalars(select(Realisasi).where(Realisasi.tenant_id == cycle.tenant_id,
                                                          Realisasi.indikator_id.in_(ids))):
        rows[row.indikator_id][row.triwulan - 1] = row
    bukti = bukti_of_rows(cycle.tenant_id, ids, n)
    reviews = _reviews(cycle, items)
    names = _names({uid for i in items for uid in (i.submitted_by_id, *_row_users(rows[i.indikator_id][n - 1]))})
    current_rules = capaian_settings.effective(cycle.tenant).rules
    out = []
    for item in items:
        ind = inds[item.indikator_id]
        figure = _figure(cycle, item, ind, sasaran.get(ind.sasaran_id), rows[ind.id], n, current_rules,
                         bukti.get(ind.id, []), reviews.get(item.id, []), names, user, now, lane)
        db.session.add(figure)
        out.append(figure)
    db.session.flush()
    for figure in out:
        for q in range(1, n + 1):
            row = rows[figure.indikator_id][q - 1]
            db.session.add(SignedValue(
                tenant_id=cycle.tenant_id, figure_id=figure.id, triwulan=q,
                nilai=row.nilai if row else None, predikat=row.predikat if row else None,
                pembilang=row.pembilang if row else None, penyebut=row.penyebut if row else None,
                tidak_berlaku=bool(row and row.tidak_berlaku), realisasi_revision=row.revision if row else None))
    db.session.flush()
    return out


def _row_users(row) -> tuple:
    return (row.updated_by_id,) if row is not None else ()


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _reviews(cycle: Cycle, items: list[CycleItem]) -> dict[int, list[dict]]:
    """Per item, the approval of each data review stage that stands now (item.approvals),
    with the lane and time of the reviewer's latest approval event."""
    events = db.session.scalars(
        select(AuditEvent).options(selectinload(AuditEvent.user))
        .where(AuditEvent.tenant_id == cycle.tenant_id, AuditEvent.cycle_id == cycle.id,
               AuditEvent.subject_type == "cycle_item", AuditEvent.action == "data.setujui")
        .order_by(AuditEvent.id)).all()
    latest: dict[tuple[int, int], AuditEvent] = {}
    for event in events:
        latest[(event.subject_id, event.user_id)] = event
    out: dict[int, list[dict]] = {}
    for item in items:
        entries = []
        for stage, user_id in sorted((int(k), v) for k, v in (item.approvals or {}).items()):
            event = latest.get((item.id, user_id))
            entries.append({
                "stage": stage, "label": STAGE_VERBS.get(stage, "Disetujui"), "user_id": user_id,
                "name": event.user.name if event and event.user else "", "lane": event.lane if event else "",
                "at": event.at.isoformat() if event else None})
        out[item.id] = entries
    return out


def _stage(reviews: list[dict], stage: int) -> tuple[int | None, str, datetime | None]:
    entry = next((r for r in reviews if r["stage"] == stage), None)
    if entry is None:
        return None, "", None
    return entry["user_id"], entry["name"], datetime.fromisoformat(entry["at"]) if entry["at"] else None


def _figure(cycle, item, ind: Indikator, sasaran, values, n, current_rules, bukti, reviews, names, user, now,
            lane) -> SignedFigure:
    raw = raw_figures(ind, values, n, current_rules)
    row = values[n - 1]
    rules = ind.rules or capaian_settings.snapshot(
        cycle.tenant, ind.skala_predikat if ind.jenis_target == "predikat" else None)
    validated, verified = _stage(reviews, 1), _stage(reviews, 2)
    return SignedFigure(
        tenant_id=cycle.tenant_id, cycle_id=cycle.id, revision=cycle.revision, indikator_id=ind.id,
        tahun=cycle.tahun, triwulan=n, period_label=period_label(cycle.period_kind, cycle.period_no, cycle.tahun),
        sasaran_kode=sasaran.kode if sasaran else "", sasaran_nama=sasaran.nama if sasaran else "",
        kode=ind.kode, nama=ind.nama, is_iku=ind.is_iku, unit_name=ind.unit.name if ind.unit else "",
        satuan=ind.satuan, polaritas=ind.polaritas, sifat=ind.sifat, jenis_target=ind.jenis_target,
        pakai_rasio=ind.pakai_rasio, target_sd=ind.target_sd(n), target_pk=ind.target_pk,
        target_tw1=ind.target_tw1, target_tw2=ind.target_tw2, target_tw3=ind.target_tw3, target_tw4=ind.target_tw4,
        target_bawah=ind.target_bawah, target_atas=ind.target_atas, skala_predikat=ind.skala_predikat,
        target_predikat=ind.target_predikat, rules=rules, rules_frozen_at=ind.rules_frozen_at,
        realisasi_sd=_raw(raw.realisasi_sd), realisasi_sd_state=str(raw.realisasi_sd_state),
        realisasi_sd_predikat=raw.realisasi_sd_predikat, realisasi_sd_note=raw.realisasi_sd_note or "",
        capaian=_raw(raw.capaian.value), capaian_state=str(raw.capaian.state), capaian_rule=raw.capaian.rule,
        capaian_rule_label=raw.capaian.rule_label, capaian_note=raw.capaian.note or "",
        progres=_raw(raw.progres.value) if raw.progres else None,
        progres_state=str(raw.progres.state) if raw.progres else None,
        kategori=raw.kategori, kategori_scale=raw.rules.kategori.name,
        faktor_pendorong=row.faktor_pendorong if row else "", faktor_penghambat=row.faktor_penghambat if row else "",
        tindak_lanjut=row.tindak_lanjut if row else "",
        bukti=[{"id": b.id, "filename": b.filename, "kind": b.kind, "size": b.size, "sha256": b.sha256,
                "uploaded_at": b.uploaded_at.isoformat(), "uploaded_by": b.uploaded_by.name if b.uploaded_by else ""}
               for b in bukti if b.status == BuktiStatus.AKTIF],
        entered_by_id=row.updated_by_id if row else None,
        entered_by_name=names.get(row.updated_by_id, "") if row else "",
        entered_at=row.updated_at if row else None,
        submitted_by_id=item.submitted_by_id, submitted_by_name=names.get(item.submitted_by_id, ""),
        submitted_at=item.submitted_at,
        validated_by_id=validated[0], validated_by_name=validated[1], validated_at=validated[2],
        verified_by_id=verified[0], verified_by_name=verified[1], verified_at=verified[2],
        reviews=reviews, signed_by_id=user.id, signed_by_name=user.name, signed_by_lane=lane, signed_at=now)
