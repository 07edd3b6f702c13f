"""Read a tenants/ folder into a Bundle, or into the list of everything wrong with it."""
from pathlib import Path

from portal.marked_yaml import MarkedDict, Problem, YamlError, load_text
from portal.sop import files as sop_files
from portal.tenancy.lanes import KIND_LEVEL, UNIT_KINDS, LaneKind, Level
from portal.tenantfiles import indicator_reader
from portal.tenantfiles.specs import Bundle, GrantSpec, LaneSpec, PersonSpec, TenantSpec, UnitSpec
from portal.yaml_fields import EMAIL, KEY, SLUG, Fields

PEMDA_KINDS = ("kota", "kabupaten", "placeholder")


def read_folder(folder: str | Path) -> tuple[Bundle, list[Problem]]:
    folder = Path(folder)
    problems: list[Problem] = []
    bundle = Bundle()
    provinces_file = folder / "provinsi.yaml"
    if not provinces_file.exists():
        problems.append(Problem(str(provinces_file), 0, "", "berkas tidak ditemukan"))
    else:
        _read_provinces(provinces_file, folder, bundle, problems)
    for pemda_file in sorted(folder.glob("*/pemda.yaml")):
        _read_pemda(pemda_file, folder, bundle, problems)
    _check_across_files(bundle, problems)
    bundle.indicator_files = indicator_reader.read_indicator_files(folder, bundle, problems)
    return bundle, problems


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder.parent))
    except ValueError:
        return str(path)


def _parse(path: Path, folder: Path, problems: list[Problem]):
    name = _relative(path, folder)
    try:
        data = load_text(path.read_text(encoding="utf-8"), name)
    except YamlError as error:
        problems.append(error.problem)
        return name, None
    except UnicodeDecodeError:
        problems.append(Problem(name, 0, "", "berkas bukan teks UTF-8"))
        return name, None
    if not isinstance(data, MarkedDict):
        problems.append(Problem(name, 1, "", "isi berkas harus berupa pemetaan (kunci: nilai)"))
        return name, None
    return name, data


def _open(path: Path, folder: Path, problems: list[Problem], keys: set[str]):
    """A Fields reader over the file's mapping (its unknown keys reported) and the mapping,
    or (None, None) when the file cannot be read as a mapping."""
    name, data = _parse(path, folder, problems)
    if data is None:
        return None, None
    f = Fields(name, problems)
    f.unknown_keys(data, keys, "")
    return f, data


def _read_provinces(path: Path, folder: Path, bundle: Bundle, problems: list[Problem]) -> None:
    f, data = _open(path, folder, problems, {"platform_admins", "provinces"})
    if data is None:
        return
    for i, raw in enumerate(f.items(data, "platform_admins", "platform_admins")):
        person = _person(f, raw, f"platform_admins[{i + 1}]", lanes=[], units=[], grants_allowed=False)
        if person:
            bundle.platform_admins.append(person)
    for i, raw in enumerate(f.items(data, "provinces", "provinces", required=True)):
        spec = _tenant(f, raw, f"provinces[{i + 1}]", Level.PROVINSI, parent_slug=None)
        if spec:
            bundle.tenants.append(spec)
            for rel in f.texts(raw, "sop_templates", f"provinces[{i + 1}].sop_templates"):
                sop_file = folder / rel
                key = _relative(sop_file, folder)
                if key not in bundle.sops:
                    document = sop_files.read_sop_file(sop_file, key, problems)
                    if document is not None:
                        bundle.sops[key] = document
                spec.template_paths.append(key)


def _read_pemda(path: Path, folder: Path, bundle: Bundle, problems: list[Problem]) -> None:
    f, data = _open(path, folder, problems, {"pemda", "opds"})
    if data is None:
        return
    pemda = _tenant(f, f.mapping(data, "pemda", "pemda"), "pemda", Level.PEMDA, parent_slug=None)
    if pemda is None:
        return
    bundle.tenants.append(pemda)
    for i, raw in enumerate(f.items(data, "opds", "opds")):
        spec = _tenant(f, raw, f"opds[{i + 1}]", Level.OPD, parent_slug=pemda.slug)
        if spec:
            bundle.tenants.append(spec)
    for spec in [pemda] + [t for t in bundle.tenants if t.parent_slug == pemda.slug]:
        if spec.sop_path and spec.sop_path not in bundle.sops:
            sop_file = path.parent / spec.sop_path
            document = sop_files.read_sop_file(sop_file, _relative(sop_file, folder), problems)
            spec.sop_path = _relative(sop_file, folder)
            if document is not None:
                bundle.sops[spec.sop_path] = document
        elif spec.sop_path:
            spec.sop_path = _relative(path.parent / spec.sop_path, folder)


def _tenant(f: Fields, raw, path: str, level: Level, parent_slug: str | None) -> TenantSpec | None:
    if not isinstance(raw, MarkedDict):
        f.problems.append(Problem(f.file, getattr(raw, "line", 0), path, "harus berupa pemetaan (kunci: nilai)"))
        return None
    allowed = {"slug", "name", "short_name", "lanes", "units", "people", "sop"}
    if level == Level.PEMDA:
        allowed |= {"kind", "province"}
    if level == Level.OPD:
        allowed |= {"kind"}
    if level == Level.PROVINSI:
        allowed |= {"sop_templates"}
    f.unknown_keys(raw, allowed, path)
    spec = TenantSpec(
        level=level,
        slug=f.pattern(raw, "slug", f"{path}.slug", SLUG, "slug (huruf kecil, angka, '-')"),
        name=f.text(raw, "name", f"{path}.name", max_len=200),
        short_name=f.text(raw, "short_name", f"{path}.short_name", required=False, max_len=60),
        file=f.file,
        line=raw.line,
    )
    if level == Level.PEMDA:
        spec.kind = f.choice(raw, "kind", f"{path}.kind", PEMDA_KINDS) or ""
        spec.parent_slug = f.pattern(raw, "province", f"{path}.province", SLUG, "slug provinsi")
        spec.parent_line = raw.line_of("province")
    else:
        spec.kind = f.text(raw, "kind", f"{path}.kind", required=False, max_len=30)
        spec.parent_slug = parent_slug
    if level != Level.PROVINSI:
        spec.sop_path = f.text(raw, "sop", f"{path}.sop", required=False, max_len=300) or None
    elif "sop" in raw:
        f.problem(raw, f"{path}.sop", "SOP dimiliki pemda atau perangkat daerah, bukan provinsi")

    seen = set()
    for i, lane_raw in enumerate(f.items(raw, "lanes", f"{path}.lanes")):
        lane_path = f"{path}.lanes[{i + 1}]"
        if not isinstance(lane_raw, MarkedDict):
            f.problems.append(Problem(f.file, raw.line_of("lanes"), lane_path, "harus berupa pemetaan"))
            continue
        f.unknown_keys(lane_raw, {"key", "kind", "name"}, lane_path)
        lane = LaneSpec(
            key=f.pattern(lane_raw, "key", f"{lane_path}.key", KEY, "kunci (huruf kecil, angka, '-' atau '_')"),
            kind=f.choice(lane_raw, "kind", f"{lane_path}.kind", [k.value for k in LaneKind]) or "",
            name=f.text(lane_raw, "name", f"{lane_path}.name", max_len=200),
        )
        if lane.kind and KIND_LEVEL[LaneKind(lane.kind)] != level:
            f.problem(lane_raw, f"{lane_path}.kind",
                      f"jenis peran {lane.kind!r} tidak dapat dipakai pada tingkat {level.value}")
        if lane.key in seen:
            f.problem(lane_raw, f"{lane_path}.key", f"kunci peran {lane.key!r} dipakai dua kali")
        seen.add(lane.key)
        spec.lanes.append(lane)

    seen = set()
    for i, unit_raw in enumerate(f.items(raw, "units", f"{path}.units")):
        unit_path = f"{path}.units[{i + 1}]"
        if level != Level.OPD:
            f.problem(raw, f"{path}.units", "unit kerja hanya ada pada perangkat daerah")
            break
        if not isinstance(unit_raw, MarkedDict):
            f.problems.append(Problem(f.file, raw.line_of("units"), unit_path, "harus berupa pemetaan"))
            continue
        f.unknown_keys(unit_raw, {"key", "name"}, unit_path)
        unit = UnitSpec(key=f.pattern(unit_raw, "key", f"{unit_path}.key", KEY, "kunci"),
                        name=f.text(unit_raw, "name", f"{unit_path}.name", max_len=200))
        if unit.key in seen:
            f.problem(unit_raw, f"{unit_path}.key", f"kunci unit {unit.key!r} dipakai dua kali")
        seen.add(unit.key)
        spec.units.append(unit)

    for i, person_raw in enumerate(f.items(raw, "people", f"{path}.people")):
        person = _person(f, person_raw, f"{path}.people[{i + 1}]", spec.lanes, spec.units, grants_allowed=True)
        if person:
            spec.people.append(person)
    return spec


def _person(f: Fields, raw, path: str, lanes, units, grants_allowed: bool) -> PersonSpec | None:
    if not isinstance(raw, MarkedDict):
        f.problems.append(Problem(f.file, getattr(raw, "line", 0), path, "harus berupa pemetaan"))
        return None
    allowed = {"email", "name", "nip", "password"} | ({"lanes"} if grants_allowed else set())
    f.unknown_keys(raw, allowed, path)
    person = PersonSpec(
        email=f.pattern(raw, "email", f"{path}.email", EMAIL, "alamat email").lower(),
        name=f.text(raw, "name", f"{path}.name", max_len=200),
        nip=f.text(raw, "nip", f"{path}.nip", required=False, max_len=30),
        password=f.text(raw, "password", f"{path}.password", required=False, max_len=200),
        file=f.file,
        line=raw.line,
    )
    if person.password and len(person.password) < 8:
        f.problem(raw, f"{path}.password", "kata sandi minimal 8 karakter")
    if not grants_allowed:
        return person
    lane_kinds = {lane.key: lane.kind for lane in lanes}
    unit_keys = {unit.key for unit in units}
    grants = f.items(raw, "lanes", f"{path}.lanes", required=True)
    for j, grant in enumerate(grants):
        gpath = f"{path}.lanes[{j + 1}]"
        if isinstance(grant, str):
            lane_key, unit_key, where = grant, None, raw
        elif isinstance(grant, MarkedDict):
            f.unknown_keys(grant, {"lane", "unit"}, gpath)
            lane_key = f.text(grant, "lane", f"{gpath}.lane")
            unit_key = f.text(grant, "unit", f"{gpath}.unit", required=False) or None
            where = grant
        else:
            f.problem(raw, gpath, "harus berupa kunci peran atau {lane: ..., unit: ...}")
            continue
        if lane_key not in lane_kinds:
            f.problem(where, gpath, f"peran {lane_key!r} tidak ada di instansi ini")
            continue
        kind = lane_kinds[lane_key]
        needs_unit = kind in {k.value for k in UNIT_KINDS}
        if needs_unit and not unit_key:
            f.problem(where, gpath,
                      f"peran {lane_key!r} dipegang untuk sebuah unit: tulis {{lane: {lane_key}, unit: ...}}")
            continue
        if unit_key and not needs_unit:
            f.problem(where, gpath, f"peran {lane_key!r} tidak dipegang untuk unit")
            continue
        if unit_key and unit_key not in unit_keys:
            f.problem(where, gpath, f"unit {unit_key!r} tidak ada di instansi ini")
            continue
        person.grants.append(GrantSpec(lane_key, unit_key))
    return person


def _check_across_files(bundle: Bundle, problems: list[Problem]) -> None:
    by_slug: dict[str, TenantSpec] = {}
    for spec in bundle.tenants:
        if spec.slug in by_slug:
            other = by_slug[spec.slug]
            problems.append(Problem(spec.file, spec.line, f"{spec.level}.slug",
                                    f"slug {spec.slug!r} sudah dipakai di {other.file}:{other.line}"))
        by_slug.setdefault(spec.slug, spec)
    for spec in bundle.tenants:
        if spec.level == Level.PEMDA and spec.parent_slug:
            parent = by_slug.get(spec.parent_slug)
            if parent is None or parent.level != Level.PROVINSI:
                problems.append(Problem(spec.file, spec.parent_line, "pemda.province",
                                        f"provinsi {spec.parent_slug!r} tidak ada di provinsi.yaml"))
    people: dict[str, PersonSpec] = {}
    for person in bundle.platform_admins + [p for t in bundle.tenants for p in t.people]:
        known = people.get(person.email)
        if known and known.name != person.name:
            problems.append(Problem(person.file, person.line, "name",
                                    f"{person.email} bernama {known.name!r} di {known.file}:{known.line}"))
        people.setdefault(person.email, person)
