"""Imports in portal/ point one way (README "Layout").

Read from the source with `ast`, so it needs no app and no database: every import at
module level or inside a function counts. The test fails on
- a cycle between modules (a module that imports, through others, a module that imports it),
- two feature packages importing each other both ways,
- an import inside a function body (the usual way to hide a cycle),
- a private name (`_x`) imported from another module.
- an import from a lower feature package up to a higher one (LAYERS),
- a shared top-level module importing a feature package.
There are no exceptions: the allow-lists these rules started with are empty and gone.
"""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "portal"

# Feature packages, lower first: a package imports only packages before it (README "Layout").
LAYERS = ("audit", "auth", "tenancy", "jobs", "calendar", "capaian", "indikator", "sop", "onboarding", "cycles",
          "signing", "realisasi", "oversight", "reminders", "home", "exports", "tenantfiles")

# Top-level modules every feature may import: they import no feature package (README "Layout").
SHARED = ("portal.clock", "portal.columns", "portal.database", "portal.extensions", "portal.form_fields", "portal.formatting",
          "portal.marked_yaml", "portal.numbers", "portal.problems", "portal.rls", "portal.safe_files", "portal.web", "portal.yaml_fields")


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _target(name: str) -> str | None:
    """The portal module an imported dotted name lives in (a module or a name in one)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: pathlib.Path):
    """(imported module, imported dotted name, line, inside a function) for each portal import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function = {id(inner) for node in ast.walk(tree)
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for inner in ast.walk(node) if isinstance(inner, (ast.Import, ast.ImportFrom))}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                package = package[:len(package) - node.level + 1]
                base = ".".join(package + ([node.module] if node.module else []))
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = _target(name) if name.startswith("portal") else None
            if target and target != module:
                yield target, name, node.lineno, id(node) in in_function


GRAPH: dict[str, set[str]] = {}
IMPORTS = []
for _mod, _path in sorted(MODULES.items()):
    GRAPH[_mod] = set()
    for _target_mod, _name, _line, _local in _imports(_mod, _path):
        GRAPH[_mod].add(_target_mod)
        IMPORTS.append((_mod, _target_mod, _name, _line, _local))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 and (ROOT / parts[1]).is_dir() else module


def test_graph_sees_the_portal():
    # Guards the test itself: it must find the modules and their imports.
    assert "portal.web" in MODULES and "portal.cycles.engine" in MODULES
    assert "portal.extensions" in GRAPH["portal.tenancy.models"]


def test_no_import_cycle_between_modules():
    assert _cycles(GRAPH) == []


def test_feature_packages_do_not_import_each_other_both_ways():
    edges = {(_package(a), _package(b)) for a, targets in GRAPH.items() for b in targets}
    two_way = {tuple(sorted(pair)) for pair in edges if pair[0] != pair[1] and pair[::-1] in edges}
    assert sorted(two_way) == []


def test_feature_packages_import_only_lower_layers():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() or any(p.glob("*.py"))} - {"__pycache__"}
    assert sorted(packages) == sorted(LAYERS), "a new package takes its place in LAYERS"
    rank = {name: i for i, name in enumerate(LAYERS)}
    upward = sorted(f"{m} imports {t}" for m, targets in GRAPH.items() for t in targets
                    if (a := _package(m).partition(".")[2]) in rank and (b := _package(t).partition(".")[2]) in rank
                    and rank[a] < rank[b])
    assert upward == []


def test_shared_modules_import_no_feature():
    features = {name for name in GRAPH if _package(name) != name}
    reaching = {mod: sorted(t for t in GRAPH[mod] if t in features) for mod in SHARED}
    assert {mod: found for mod, found in reaching.items() if found} == {}


def test_no_import_inside_a_function():
    local = [f"{mod} line {line}: {name}" for mod, _, name, line, is_local in IMPORTS if is_local]
    assert local == []


def test_no_private_name_imported_across_modules():
    private = {(mod, name) for mod, _, name, _, _ in IMPORTS
               if name.rpartition(".")[2].startswith("_") and not name.rpartition(".")[2].startswith("__")}
    assert sorted(private) == []
