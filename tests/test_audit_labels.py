"""The audit as people read it: every action code written in portal/ has an Indonesian
label; the cycle page shows labels, WIB times, the SOP's lane names and automatic steps."""
import ast
import re
from pathlib import Path

from sqlalchemy import select

from portal.audit.labels import ACTION_LABELS
from portal.cycles.audit_view import split_lanes
from portal.extensions import db
from portal.tenancy.models import Lane
from tests import cycle_driver
from tests.conftest import sign_in

PORTAL = Path(__file__).resolve().parent.parent / "portal"
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def audit_codes_in_source() -> dict[str, str]:
    """Every "<subject>.<verb>" literal passed to a function whose name says audit or
    record (audit.record, a module's own _audit helper ...), with where it is."""
    found = {}
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and ("audit" in _called_name(node) or _called_name(node) == "record"):
                values = [*node.args, *(k.value for k in node.keywords)]
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "action" for t in node.targets):
                values = [node.value]  # action = "x.y" if ... else "x.z", passed on to audit.record
            else:
                continue
            for value in values:  # constants inside conditional expressions count too
                for arg in ast.walk(value):
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CODE.match(arg.value):
                        found[arg.value] = f"{path.relative_to(PORTAL.parent)}:{node.lineno}"
    return found


def test_every_action_code_has_a_label():
    codes = audit_codes_in_source()
    assert {"siklus.mulai", "data.kembalikan", "realisasi.simpan", "bukti.hapus", "libur.tambah"} <= set(codes)
    missing = {code: where for code, where in codes.items() if code not in ACTION_LABELS}
    assert missing == {}, f"audit codes without a label in portal/audit/labels.py: {missing}"


def test_lane_texts_split_by_name_and_unit():
    assert split_lanes("Kepala Bidang (Bidang A, B), Staf") == [("Kepala Bidang", " (Bidang A, B)"), ("Staf", "")]
    assert split_lanes("") == []


def test_the_cycle_audit_reads_as_the_sop_speaks(demo, client):
    with demo.app_context():
        opd = cycle_driver.tenant("kab-mojokerto-dinkes")
        # The tenant calls its head "Kadis"; the SOP that runs the cycle says "Kepala Dinas".
        head = db.session.scalar(select(Lane).where(Lane.tenant_id == opd.id, Lane.kind == "kepala"))
        head.name = "Kadis"
        cycle, _ = cycle_driver.run("kab-mojokerto-dinkes")
        db.session.commit()
        url = f"/t/{opd.slug}/siklus/{cycle.id}/"
        item_url = f"{url}indikator/{cycle.items[0].id}/"
    sign_in(client, "kadis@dinkes.mojokerto.test")
    page = client.get(url).get_data(as_text=True)
    audit = page[page.index('data-testid="audit"'):]
    rows = re.findall(r'<tr data-action="([a-z_.]+)"><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>\s*'
                      r'<td>([^<]*)</td>', audit)
    assert len(rows) > 10
    by_code = {}
    for code, when, who, lane, action in rows:
        by_code.setdefault(code, []).append((when, who, lane, action))
        assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} 20\d\d \d\d\.\d\d WIB", when), when
        assert code not in action and ACTION_LABELS[code] in action
    visible = re.sub(r'data-action="[^"]*"', "", audit)
    assert not re.search(r"\b(siklus|tugas|data)\.[a-z_]+\b", visible)  # no code shows as text
    assert "UTC" not in audit
    # The Kepala's sign-off in the SOP's words, not the tenant's.
    signed = by_code["siklus.sahkan"][0]
    assert signed[2] == "Kepala Dinas" and signed[3] == "Mengesahkan data"
    assert not any(lane.startswith("Kadis") for rows_ in by_code.values() for _, _, lane, _ in rows_)
    # A review returned data: its lane is the SOP's reviewer, the reason is there.
    assert by_code["data.kembalikan"][0][2]
    assert "Bukti dukung belum sesuai definisi operasional" in audit
    # Steps the portal completed by itself (the collect step once everything was
    # submitted, the end of the cycle) say so.
    assert any(lane == "otomatis (sistem)" for _, _, lane, _ in by_code["tugas.selesai"])
    assert by_code["siklus.selesai"][0][2] == "otomatis (sistem)"
    # The indicator's own audit page reads the same way.
    item_page = client.get(item_url).get_data(as_text=True)
    assert "Mengajukan data" in item_page and "WIB" in item_page and "Waktu (UTC)" not in item_page
