"""SOP files: the YAML format of tenants/*/sop/*.yaml, read and written.

The same format serves the demo tenants, export and import, so an SOP exported from one
pemda can be imported into another unchanged.
"""
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from portal.auth import pangkat
from portal.marked_yaml import MarkedDict, Problem, YamlError, load_text
from portal.sop.document import (
    HEADER_LISTS,
    LaneDoc,
    Meaning,
    Repeat,
    SopDocument,
    StepDoc,
    Symbol,
    TimeUnit,
    publish_problems,
)
from portal.tenancy.lanes import KIND_LEVEL, LaneKind, Level
from portal.yaml_fields import KEY, Fields

OPD_KINDS = [k.value for k in LaneKind if KIND_LEVEL[k] == Level.OPD]


def read_sop_file(path: Path, name: str, problems: list[Problem]) -> SopDocument | None:
    if not path.exists():
        problems.append(Problem(name, 0, "", "berkas SOP tidak ditemukan"))
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(name, 0, "", "berkas bukan teks UTF-8"))
        return None
    return read_sop_text(text, name, problems)


def read_sop_text(text: str, name: str, problems: list[Problem]) -> SopDocument | None:
    """Parse and validate an SOP file; problems are appended, None when unusable."""
    before = len(problems)
    try:
        data = load_text(text, name)
    except YamlError as error:
        problems.append(error.problem)
        return None
    if not isinstance(data, MarkedDict) or not isinstance(data.get("sop"), MarkedDict):
        problems.append(Problem(name, 1, "sop", "berkas SOP harus berisi kunci 'sop' berupa pemetaan"))
        return None
    f = Fields(name, problems)
    f.unknown_keys(data, {"sop"}, "")
    raw = data["sop"]
    f.unknown_keys(raw, {"nama", "nomor", "tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif",
                         "tanggal_pengesahan", "disahkan_oleh", "lanes", "steps"} | {k for k, _ in HEADER_LISTS}, "sop")
    signer = f.mapping(raw, "disahkan_oleh", "sop.disahkan_oleh", required=False)
    f.unknown_keys(signer, {"nama", "nip", "jabatan", "pangkat"}, "sop.disahkan_oleh")
    doc = SopDocument(
        nama=f.text(raw, "nama", "sop.nama", max_len=300),
        nomor=f.text(raw, "nomor", "sop.nomor", required=False, max_len=120),
        tanggal_pembuatan=f.day(raw, "tanggal_pembuatan", "sop.tanggal_pembuatan"),
        tanggal_revisi=f.day(raw, "tanggal_revisi", "sop.tanggal_revisi"),
        tanggal_efektif=f.day(raw, "tanggal_efektif", "sop.tanggal_efektif"),
        disahkan_nama=f.text(signer, "nama", "sop.disahkan_oleh.nama", required=False, max_len=200),
        disahkan_nip=f.text(signer, "nip", "sop.disahkan_oleh.nip", required=False, max_len=30),
        disahkan_jabatan=f.text(signer, "jabatan", "sop.disahkan_oleh.jabatan", required=False, max_len=200),
        tanggal_pengesahan=f.day(raw, "tanggal_pengesahan", "sop.tanggal_pengesahan"),
        disahkan_pangkat=f.text(signer, "pangkat", "sop.disahkan_oleh.pangkat", required=False, max_len=120),
        lists={key: f.texts(raw, key, f"sop.{key}") for key, _ in HEADER_LISTS},
    )
    for i, lane_raw in enumerate(f.items(raw, "lanes", "sop.lanes", required=True)):
        path = f"sop.lanes[{i + 1}]"
        if not isinstance(lane_raw, MarkedDict):
            problems.append(Problem(name, raw.line_of("lanes"), path, "harus berupa pemetaan"))
            continue
        f.unknown_keys(lane_raw, {"key", "name", "kind"}, path)
        doc.lanes.append(LaneDoc(
            key=f.pattern(lane_raw, "key", f"{path}.key", KEY, "kunci"),
            name=f.text(lane_raw, "name", f"{path}.name", max_len=200),
            kind=f.choice(lane_raw, "kind", f"{path}.kind", OPD_KINDS) or "",
        ))
    step_lines = {}
    for i, step_raw in enumerate(f.items(raw, "steps", "sop.steps", required=True)):
        path = f"sop.steps[{i + 1}]"
        if not isinstance(step_raw, MarkedDict):
            problems.append(Problem(name, raw.line_of("steps"), path, "harus berupa pemetaan"))
            continue
        step = _step(f, step_raw, path)
        step_lines[step.no] = step_raw.line
        doc.steps.append(step)
    if len(problems) > before:
        return None
    if doc.disahkan_pangkat:
        kept, problem = pangkat.read(doc.disahkan_pangkat)
        if problem and not pangkat.is_legacy(doc.disahkan_pangkat):
            problems.append(Problem(name, signer.line_of("pangkat"), "sop.disahkan_oleh.pangkat", problem))
            return None
        doc.disahkan_pangkat = kept
    for message in publish_problems(doc):
        line = raw.line_of("steps")
        if message.startswith("Langkah "):
            number = message.split(":")[0].split(" ")[1]
            line = step_lines.get(int(number), line) if number.isdigit() else line
        problems.append(Problem(name, line, "sop", message))
    return doc if len(problems) == before else None


def _step(f: Fields, raw: MarkedDict, path: str) -> StepDoc:
    f.unknown_keys(raw, {"no", "kegiatan", "lanes", "symbol", "meaning", "kelengkapan", "waktu", "output",
                         "output_wajib", "keterangan", "return_to", "repeat"}, path)
    waktu = f.mapping(raw, "waktu", f"{path}.waktu")
    f.unknown_keys(waktu, {"amount", "unit"}, f"{path}.waktu")
    amount = None
    if waktu.get("amount") is not None:  # null: no Waktu (a Mulai/Selesai step), as to_yaml writes it
        try:
            amount = Decimal(str(waktu["amount"]))
            if not amount.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            f.problem(waktu, f"{path}.waktu.amount", f"{waktu['amount']!r} bukan angka")
    lanes = []
    for key in f.items(raw, "lanes", f"{path}.lanes", required=True):
        lanes.append(str(key))
    repeat = raw.get("repeat")
    return StepDoc(
        no=f.integer(raw, "no", f"{path}.no", minimum=1) or 0,
        kegiatan=f.text(raw, "kegiatan", f"{path}.kegiatan", max_len=2000),
        lanes=lanes,
        symbol=f.choice(raw, "symbol", f"{path}.symbol", [s.value for s in Symbol]) or Symbol.PROSES,
        meaning=f.choice(raw, "meaning", f"{path}.meaning", [m.value for m in Meaning]) or Meaning.MANUAL,
        kelengkapan=f.text(raw, "kelengkapan", f"{path}.kelengkapan", required=False, max_len=1000),
        waktu_amount=amount,
        waktu_unit=f.choice(waktu, "unit", f"{path}.waktu.unit", [u.value for u in TimeUnit]) or TimeUnit.MENIT,
        output=f.text(raw, "output", f"{path}.output", required=False, max_len=1000),
        output_wajib=_flag(f, raw, "output_wajib", f"{path}.output_wajib"),
        keterangan=f.text(raw, "keterangan", f"{path}.keterangan", required=False, max_len=1000),
        return_to=f.integer(raw, "return_to", f"{path}.return_to", required=False, minimum=1),
        repeat=(f.choice(raw, "repeat", f"{path}.repeat", [r.value for r in Repeat], required=False)
                if repeat is not None else None),
    )


def _flag(f: Fields, raw: MarkedDict, key: str, path: str) -> bool:
    """An optional yes/no key (true/false); absent is no."""
    value = raw.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        f.problem(raw, path, "harus true atau false")
        return False
    return value


def _plain_amount(amount: Decimal | None):
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def to_yaml(doc: SopDocument) -> str:
    """Write an SOP in the tenants/ file format."""
    data = {
        "nama": doc.nama,
        "nomor": doc.nomor,
        "tanggal_pembuatan": doc.tanggal_pembuatan,
        "tanggal_revisi": doc.tanggal_revisi,
        "tanggal_efektif": doc.tanggal_efektif,
        "tanggal_pengesahan": doc.tanggal_pengesahan,
        "disahkan_oleh": {"nama": doc.disahkan_nama, "nip": doc.disahkan_nip, "jabatan": doc.disahkan_jabatan,
                          "pangkat": doc.disahkan_pangkat},
        **{key: list(doc.lists.get(key, [])) for key, _ in HEADER_LISTS},
        "lanes": [{"key": lane.key, "name": lane.name, "kind": lane.kind} for lane in doc.lanes],
        "steps": [
            {
                "no": step.no,
                "kegiatan": step.kegiatan,
                "lanes": list(step.lanes),
                "symbol": str(step.symbol),
                "meaning": str(step.meaning),
                "kelengkapan": step.kelengkapan,
                "waktu": {"amount": _plain_amount(step.waktu_amount), "unit": str(step.waktu_unit)},
                "output": step.output,
                **({"output_wajib": True} if step.output_wajib else {}),
                "keterangan": step.keterangan,
                "return_to": step.return_to,
                "repeat": step.repeat,
            }
            for step in doc.steps
        ],
    }
    return yaml.safe_dump({"sop": data}, allow_unicode=True, sort_keys=False, width=100)
