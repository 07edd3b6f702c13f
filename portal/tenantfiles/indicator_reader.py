"""Reading the indicator files of the tenants/ folder: tenants/<pemda>/indicators/<opd-slug>.yaml
(applying them: indicator_apply.py).

read_indicator_files() validates every file against the bundle already read (the OPD
must be one of the pemda's, units and people must exist) and collects every problem
with file, line and key. Applying what it read (indicator_apply.apply_indicator_files)
creates what is missing and updates what differs, like the rest of apply_bundle:

- capaian options, sets, sasaran, indikator and program/kegiatan are created or
  updated to match the file (nothing is deleted);
- capaian rules freeze on an indicator when its PK target is first set (the file's
  options are applied first, so they are the ones frozen);
- realisasi and an open period are only *created*: a value someone entered or a
  period a cycle closed is never overwritten by loading the folder again.
The format is documented at the end of tenants/README.md.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from portal.capaian import settings as capaian_settings
from portal.capaian.kategori import Band, KategoriScale, PredikatTidakValid
from portal.capaian.rules import is_percent, value_from_ratio
from portal.indikator import definitions
from portal.marked_yaml import MarkedDict, MarkedList, Problem, YamlError, load_text
from portal.realisasi.services import RealisasiInput
from portal.tenancy.lanes import Level
from portal.yaml_fields import Fields

FOLDER = "indicators"
REALISASI_TEXTS = ("faktor_pendorong", "faktor_penghambat", "tindak_lanjut")


@dataclass
class RealisasiSpec(RealisasiInput):
    """A realisasi of a tenant file: the values the realisasi form reads, its triwulan and
    who entered it."""

    tw: int = 1
    oleh: str | None = None


@dataclass
class IndikatorSpec:
    kode: str
    unit: str | None
    values: dict                      # Indikator columns (without ids)
    realisasi: list[RealisasiSpec] = field(default_factory=list)


@dataclass
class SasaranSpec:
    kode: str
    nama: str
    indikator: list[IndikatorSpec] = field(default_factory=list)


@dataclass
class ProgramSpec:
    kode: str
    nama: str
    values: dict                      # pagu, realisasi_tw1..4
    parent: str | None = None
    sasaran: str | None = None        # kode of the sasaran strategis a program serves


@dataclass
class SetSpec:
    tahun: int
    periode_terbuka: int | None
    sasaran: list[SasaranSpec] = field(default_factory=list)
    programs: list[ProgramSpec] = field(default_factory=list)


@dataclass
class IndicatorFileSpec:
    opd_slug: str
    file: str
    negative_rule: str | None = None          # None: the file sets no options
    kategori: KategoriScale | None = None
    sets: list[SetSpec] = field(default_factory=list)


# -- reading ---------------------------------------------------------------------------

def read_indicator_files(folder: Path, bundle, problems: list[Problem]) -> list[IndicatorFileSpec]:
    folder = Path(folder)
    opds = {t.slug: t for t in bundle.tenants if t.level == Level.OPD}
    emails = {p.email for t in bundle.tenants for p in t.people} | {p.email for p in bundle.platform_admins}
    out = []
    for path in sorted(folder.glob(f"*/{FOLDER}/*.yaml")):
        name = _relative(path, folder)
        try:
            data = load_text(path.read_text(encoding="utf-8"), name)
        except YamlError as error:
            problems.append(error.problem)
            continue
        except UnicodeDecodeError:
            problems.append(Problem(name, 0, "", "berkas bukan teks UTF-8"))
            continue
        if not isinstance(data, MarkedDict):
            problems.append(Problem(name, 1, "", "isi berkas harus berupa pemetaan (kunci: nilai)"))
            continue
        opd = opds.get(path.stem)
        if opd is None or Path(opd.file).parent.name != path.parent.parent.name:
            problems.append(Problem(name, 1, "", f"{path.stem!r} bukan slug perangkat daerah di "
                                                 f"{path.parent.parent.name}/pemda.yaml (nama berkas = slug OPD)"))
            continue
        spec = _read_file(Fields(name, problems), data, opd, emails)
        out.append(spec)
    return out


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder.parent))
    except ValueError:
        return str(path)


def _read_file(f: Fields, data: MarkedDict, opd, emails: set[str]) -> IndicatorFileSpec:
    spec = IndicatorFileSpec(opd.slug, f.file)
    f.unknown_keys(data, {"pengaturan_capaian", "set_indikator"}, "")
    if "pengaturan_capaian" in data:
        raw = f.mapping(data, "pengaturan_capaian", "pengaturan_capaian")
        f.unknown_keys(raw, {"rumus_negatif", "skala_kategori"}, "pengaturan_capaian")
        spec.negative_rule = f.choice(raw, "rumus_negatif", "pengaturan_capaian.rumus_negatif",
                                      list(capaian_settings.NEGATIVE_RULE_LABELS), default="default")
        if "skala_kategori" in raw:
            spec.kategori = _scale(f, f.mapping(raw, "skala_kategori", "pengaturan_capaian.skala_kategori"))
    units = {u.key for u in opd.units}
    years = set()
    for i, raw in enumerate(f.items(data, "set_indikator", "set_indikator", required=True)):
        path = f"set_indikator[{i + 1}]"
        if not isinstance(raw, MarkedDict):
            f.problem(data, path, "harus berupa pemetaan")
            continue
        f.unknown_keys(raw, {"tahun", "periode_terbuka", "sasaran", "program"}, path)
        tahun = f.integer(raw, "tahun", f"{path}.tahun", minimum=2000) or 0
        if tahun in years:
            f.problem(raw, f"{path}.tahun", f"tahun {tahun} ditulis dua kali")
        years.add(tahun)
        tw = f.integer(raw, "periode_terbuka", f"{path}.periode_terbuka", required=False, minimum=1)
        if tw is not None and tw > 4:
            f.problem(raw, f"{path}.periode_terbuka", "triwulan harus 1 sampai 4")
        sset = SetSpec(tahun, tw)
        seen: dict[str, str] = {}
        for j, s_raw in enumerate(f.items(raw, "sasaran", f"{path}.sasaran", required=True)):
            s_path = f"{path}.sasaran[{j + 1}]"
            if not isinstance(s_raw, MarkedDict):
                f.problem(raw, s_path, "harus berupa pemetaan")
                continue
            f.unknown_keys(s_raw, {"kode", "nama", "indikator"}, s_path)
            sasaran = SasaranSpec(f.text(s_raw, "kode", f"{s_path}.kode", max_len=30),
                                  f.text(s_raw, "nama", f"{s_path}.nama", max_len=500))
            _unique(f, s_raw, f"{s_path}.kode", sasaran.kode, seen, "sasaran")
            for k, i_raw in enumerate(f.items(s_raw, "indikator", f"{s_path}.indikator")):
                ind = _indikator(f, i_raw, f"{s_path}.indikator[{k + 1}]", units, emails, seen)
                if ind:
                    sasaran.indikator.append(ind)
            sset.sasaran.append(sasaran)
        kodes = {s.kode for s in sset.sasaran}
        for j, p_raw in enumerate(f.items(raw, "program", f"{path}.program")):
            programs = _program(f, p_raw, f"{path}.program[{j + 1}]", None, seen)
            if programs and programs[0].sasaran and programs[0].sasaran not in kodes:
                f.problem(p_raw, f"{path}.program[{j + 1}].sasaran",
                          f"sasaran {programs[0].sasaran} tidak ada pada set tahun ini")
            sset.programs.extend(programs)
        spec.sets.append(sset)
    return spec


def _unique(f: Fields, where, path: str, kode: str, seen: dict, what: str) -> None:
    key = f"{what}:{kode}"
    if kode and key in seen:
        f.problem(where, path, f"kode {kode!r} sudah dipakai di {seen[key]}")
    seen.setdefault(key, path)


def _scale(f: Fields, raw: MarkedDict) -> KategoriScale | None:
    path = "pengaturan_capaian.skala_kategori"
    f.unknown_keys(raw, {"nama", "kategori"}, path)
    bands = []
    for i, b in enumerate(f.items(raw, "kategori", f"{path}.kategori", required=True)):
        if not isinstance(b, MarkedDict):
            f.problem(raw, f"{path}.kategori[{i + 1}]", "harus berupa pemetaan {label: ..., batas_bawah: ...}")
            continue
        f.unknown_keys(b, {"label", "batas_bawah"}, f"{path}.kategori[{i + 1}]")
        lower = _number(f, b, "batas_bawah", f"{path}.kategori[{i + 1}].batas_bawah", negative=True)
        bands.append(Band(f.text(b, "label", f"{path}.kategori[{i + 1}].label", max_len=60), lower))
    try:
        return KategoriScale(f.text(raw, "nama", f"{path}.nama", max_len=100), tuple(bands))
    except ValueError as error:
        f.problem(raw, path, str(error))
        return None


def _number(f: Fields, raw: MarkedDict, key: str, path: str, places: int = 4, negative: bool = False):
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        f.problem(raw, path, f"{value!r} bukan angka")
        return None
    text = value if isinstance(value, str) else _indonesian(value)
    number, message = definitions.number(text, places=places, negative=negative)
    if message:
        f.problem(raw, path, f"{value!r}: {message}")
    return number


def _item(raw: MarkedDict, key: str, index: int) -> MarkedDict:
    """Item `index` of the list raw[key] as a mapping {"x": item} that knows its line."""
    items = raw[key]
    line = items.item_lines[index] if isinstance(items, MarkedList) else raw.line_of(key)
    out = MarkedDict({"x": items[index]})
    out.line, out.key_lines = line, {"x": line}
    return out


def _indonesian(value: int | float) -> str:
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return ("-" if d < 0 else "") + f"{abs(d):f}".replace(".", ",")


INDIKATOR_KEYS = {"kode", "nama", "iku", "definisi", "satuan", "sumber_data", "unit", "polaritas", "sifat",
                  "jenis_target", "baseline", "target_pk", "target_tw", "target_renstra", "rentang", "predikat",
                  "pembilang_penyebut", "boleh_negatif", "realisasi"}


def _indikator(f: Fields, raw, path: str, units: set[str], emails: set[str], seen: dict) -> IndikatorSpec | None:
    if not isinstance(raw, MarkedDict):
        f.problems.append(Problem(f.file, getattr(raw, "line", 0), path, "harus berupa pemetaan"))
        return None
    f.unknown_keys(raw, INDIKATOR_KEYS, path)
    negative = raw.get("boleh_negatif") is True
    v = {
        "kode": f.text(raw, "kode", f"{path}.kode", max_len=30),
        "nama": f.text(raw, "nama", f"{path}.nama", max_len=500),
        "is_iku": raw.get("iku") is True,
        "definisi": f.text(raw, "definisi", f"{path}.definisi", required=False, max_len=5000),
        "satuan": f.text(raw, "satuan", f"{path}.satuan", required=False, max_len=60),
        "sumber_data": f.text(raw, "sumber_data", f"{path}.sumber_data", required=False, max_len=300),
        "polaritas": f.choice(raw, "polaritas", f"{path}.polaritas", ["positif", "negatif"]) or "positif",
        "sifat": f.choice(raw, "sifat", f"{path}.sifat", ["kumulatif", "nilai_akhir", "rata_rata"]) or "kumulatif",
        "jenis_target": f.choice(raw, "jenis_target", f"{path}.jenis_target", ["angka", "rentang", "predikat"],
                                 required=False, default="angka"),
        "baseline": _number(f, raw, "baseline", f"{path}.baseline", negative=negative),
        "target_pk": _number(f, raw, "target_pk", f"{path}.target_pk", negative=negative),
        "target_renstra": _number(f, raw, "target_renstra", f"{path}.target_renstra", negative=negative),
        "pakai_rasio": raw.get("pembilang_penyebut") is True,
        "boleh_negatif": negative,
        "target_bawah": None, "target_atas": None, "skala_predikat": None, "target_predikat": None,
    }
    _unique(f, raw, f"{path}.kode", v["kode"], seen, "indikator")
    tw = raw.get("target_tw")
    if tw is not None and (not isinstance(tw, list) or len(tw) != 4):
        f.problem(raw, f"{path}.target_tw", "harus berupa daftar empat target s.d. TW I-IV (null bila kosong)")
        tw = None
    for n in range(1, 5):
        v[f"target_tw{n}"] = _number(f, _item(raw, "target_tw", n - 1), "x", f"{path}.target_tw[{n}]",
                                     negative=negative) if tw else None
    if "rentang" in raw:
        r = f.mapping(raw, "rentang", f"{path}.rentang")
        f.unknown_keys(r, {"bawah", "atas"}, f"{path}.rentang")
        v["target_bawah"] = _number(f, r, "bawah", f"{path}.rentang.bawah", negative=negative)
        v["target_atas"] = _number(f, r, "atas", f"{path}.rentang.atas", negative=negative)
    if "predikat" in raw:
        p = f.mapping(raw, "predikat", f"{path}.predikat")
        f.unknown_keys(p, {"skala", "target"}, f"{path}.predikat")
        v["skala_predikat"] = f.choice(p, "skala", f"{path}.predikat.skala", list(capaian_settings.PREDIKAT_SCALES))
        v["target_predikat"] = f.text(p, "target", f"{path}.predikat.target", required=False, max_len=20) or None
    for key, message in definitions.target_problems(v).items():
        f.problem(raw, f"{path}.{_yaml_key(key)}", message)
    unit = f.text(raw, "unit", f"{path}.unit", required=False, max_len=60) or None
    if unit and unit not in units:
        f.problem(raw, f"{path}.unit", f"unit {unit!r} tidak ada di perangkat daerah ini")
    spec = IndikatorSpec(v["kode"], unit, v)
    tws = set()
    for i, r_raw in enumerate(f.items(raw, "realisasi", f"{path}.realisasi")):
        row = _realisasi(f, r_raw, f"{path}.realisasi[{i + 1}]", v, emails)
        if row is None:
            continue
        if row.tw in tws:
            f.problem(r_raw, f"{path}.realisasi[{i + 1}].tw", f"TW {row.tw} ditulis dua kali")
        tws.add(row.tw)
        spec.realisasi.append(row)
    return spec


def _yaml_key(key: str) -> str:
    return {"target_bawah": "rentang", "target_atas": "rentang", "skala_predikat": "predikat",
            "target_predikat": "predikat", "pakai_rasio": "pembilang_penyebut"}.get(key, key)


def _realisasi(f: Fields, raw, path: str, v: dict, emails: set[str]) -> RealisasiSpec | None:
    if not isinstance(raw, MarkedDict):
        f.problems.append(Problem(f.file, getattr(raw, "line", 0), path, "harus berupa pemetaan"))
        return None
    f.unknown_keys(raw, {"tw", "nilai", "predikat", "pembilang", "penyebut", "tidak_berlaku", "oleh"}
                   | set(REALISASI_TEXTS), path)
    tw = f.integer(raw, "tw", f"{path}.tw", minimum=1) or 1
    if tw > 4:
        f.problem(raw, f"{path}.tw", "triwulan harus 1 sampai 4")
    negative = v["boleh_negatif"]
    e = RealisasiSpec(tw=tw, tidak_berlaku=raw.get("tidak_berlaku") is True,
                      **{k: f.text(raw, k, f"{path}.{k}", required=False, max_len=5000) for k in REALISASI_TEXTS})
    given = [k for k in ("nilai", "predikat", "pembilang", "penyebut") if raw.get(k) not in (None, "")]
    if e.tidak_berlaku and given:
        f.problem(raw, f"{path}.tidak_berlaku", "tidak berlaku tidak boleh disertai nilai")
    elif v["jenis_target"] == "predikat":
        if set(given) - {"predikat"}:
            f.problem(raw, path, "indikator predikat diisi dengan kunci predikat")
        elif given:
            try:
                scale = capaian_settings.PREDIKAT_SCALES[v["skala_predikat"] or "opini_bpk"]
                e.predikat = scale.canonical(str(raw["predikat"]))
            except PredikatTidakValid as error:
                f.problem(raw, f"{path}.predikat", str(error))
    elif v["pakai_rasio"]:
        if set(given) - {"pembilang", "penyebut"} or (given and len(given) != 2):
            f.problem(raw, path, "indikator ini diisi dengan pembilang dan penyebut")
        elif given:
            e.pembilang = _number(f, raw, "pembilang", f"{path}.pembilang", negative=negative)
            e.penyebut = _number(f, raw, "penyebut", f"{path}.penyebut", negative=negative)
            if e.penyebut == 0:
                f.problem(raw, f"{path}.penyebut", "penyebut tidak boleh 0")
            elif e.penyebut is not None and e.pembilang is not None:
                r = value_from_ratio(e.pembilang, e.penyebut, persen=is_percent(v["satuan"]))
                e.nilai = r.value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    elif set(given) - {"nilai"}:
        f.problem(raw, path, "indikator ini diisi dengan kunci nilai")
    elif given:
        e.nilai = _number(f, raw, "nilai", f"{path}.nilai", negative=negative)
    oleh = f.text(raw, "oleh", f"{path}.oleh", required=False, max_len=200).lower() or None
    if oleh and oleh not in emails:
        f.problem(raw, f"{path}.oleh", f"{oleh} bukan orang yang tercantum di berkas tenants/")
    e.oleh = oleh
    return e


def _program(f: Fields, raw, path: str, parent: str | None, seen: dict) -> list[ProgramSpec]:
    if not isinstance(raw, MarkedDict):
        f.problems.append(Problem(f.file, getattr(raw, "line", 0), path, "harus berupa pemetaan"))
        return []
    allowed = {"kode", "nama", "pagu", "realisasi"} | ({"kegiatan", "sasaran"} if parent is None else set())
    f.unknown_keys(raw, allowed, path)
    values = {"pagu": _number(f, raw, "pagu", f"{path}.pagu", places=2)}
    spent = raw.get("realisasi") or []
    if not isinstance(spent, list) or len(spent) > 4:
        f.problem(raw, f"{path}.realisasi", "harus berupa daftar realisasi Rp per triwulan (paling banyak 4)")
        spent = []
    for n in range(1, 5):
        values[f"realisasi_tw{n}"] = _number(f, _item(raw, "realisasi", n - 1), "x", f"{path}.realisasi[{n}]",
                                             places=2) if n <= len(spent) else None
    spec = ProgramSpec(f.text(raw, "kode", f"{path}.kode", max_len=40), f.text(raw, "nama", f"{path}.nama",
                                                                                max_len=500), values, parent)
    if parent is None and raw.get("sasaran") is not None:
        spec.sasaran = f.text(raw, "sasaran", f"{path}.sasaran", max_len=30)
    _unique(f, raw, f"{path}.kode", spec.kode, seen, "program")
    out = [spec]
    for i, k_raw in enumerate(f.items(raw, "kegiatan", f"{path}.kegiatan") if parent is None else []):
        out.extend(_program(f, k_raw, f"{path}.kegiatan[{i + 1}]", spec.kode, seen))
    return out
