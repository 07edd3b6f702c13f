"""Who has work in a cycle now: the one answer the inbox, the cycle page and the
property tests use, so that "someone must act" is stated once."""
from dataclasses import dataclass
from datetime import datetime

from portal.columns import utcnow
from portal.cycles import policy
from portal.cycles.engine import current_task, flow, periodic_due, realisasi_open, stage_of_task
from portal.cycles.models import Cycle, CycleTask, ItemState
from portal.sop.document import Meaning


@dataclass
class Work:
    """Something someone must do now in a cycle: the lanes (kinds) that may do it, the
    unit when it is a unit's data, and what."""

    task: CycleTask
    kinds: frozenset[str]
    unit_id: int | None
    what: str


def open_work(cycle: Cycle, now: datetime | None = None) -> list[Work]:
    """Everything waiting for someone in this cycle: the current step (a review only while
    something waits for it), every unit's data still to submit or returned to be fixed,
    and periodic steps whose period has ended."""
    now = now or utcnow()
    out: list[Work] = [Work(t, frozenset(policy.step_lane_kinds(t.step)), None, t.step.kegiatan)
                       for t in periodic_due(cycle, now)]
    task = current_task(cycle)
    if task is None:
        return out
    capable = policy.kinds_with(policy.STEP_CAPABILITY[task.step.meaning])
    step_kinds = frozenset(policy.step_lane_kinds(task.step) & capable)
    if realisasi_open(cycle):
        collectors = frozenset(policy.collect_kinds(cycle) - policy.ENTRY_KINDS)
        collect_task = next((t for t in flow(cycle) if t.step.meaning == Meaning.COLLECT), task)
        for item in cycle.items:
            returned = item.state == ItemState.DIKEMBALIKAN
            if item.state == ItemState.BELUM_DIISI or returned:
                what = (f"Perbaiki dan ajukan kembali {item.indikator.kode}: {item.returned_reason}" if returned
                        else "Isi dan ajukan realisasi indikator unit Anda")
                out.append(Work(collect_task, policy.ENTRY_KINDS, item.indikator.unit_id, what))
                if collectors:
                    out.append(Work(collect_task, collectors, None, what))
    stage = stage_of_task(task)
    if stage is not None:
        if any(i.state == ItemState.DIAJUKAN and i.stage == stage - 1 for i in cycle.items):
            out.append(Work(task, step_kinds, None, task.step.kegiatan))
    elif task.step.meaning != Meaning.COLLECT:
        out.append(Work(task, step_kinds, None, task.step.kegiatan))
    return out
