"""The official SOP AP document page, on the demo tenants and on small factory SOPs."""
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.sop import services
from portal.sop.document import LaneDoc, SopDocument, StepDoc
from portal.sop.files import read_sop_file
from portal.sop.models import Sop
from portal.tenancy.models import Tenant
from tests.conftest import TENANTS, sign_in
from tests.factories import PASSWORD, gen_tree, gen_user
from tests.seed_facts import SEED_FACTS

# SOP file -> (owner tenant slug, a reader's e-mail, the tenant slug in the reader's URL)
SEEDS = {
    "kota-blitar/sop/dinsos.yaml": ("kota-blitar-dinsos", "kadis@dinsos.blitar.test", "kota-blitar-dinsos"),
    "kabupaten-mojokerto/sop/dinkes.yaml": (
        "kab-mojokerto-dinkes", "kadis@dinkes.mojokerto.test", "kab-mojokerto-dinkes"),
    "kabupaten-contoh/sop/dinas-contoh.yaml": (
        "kab-contoh-dinas-contoh", "kadis@dinas.contoh.test", "kab-contoh-dinas-contoh"),
    "kota-pasuruan/sop/perwali-31-2022.yaml": (
        "kota-pasuruan", "kepala@dinkes.pasuruan.test", "kota-pasuruan-dinkes"),
}


def version_id_of(app, owner_slug: str) -> int:
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == owner_slug))
        sop = db.session.scalar(select(Sop).where(Sop.tenant_id == tenant.id))
        return sop.versions[-1].id


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def lane_headers(text: str) -> list[str]:
    return re.findall(r'<th scope="col" class="lane" data-lane="[^"]*">([^<]*)</th>', text)


def waktu(amount, unit: str) -> str:
    return f"{Decimal(amount).normalize():f}".replace(".", ",") + " " + unit.replace("_", " ")


@pytest.mark.parametrize("name", list(SEEDS))
def test_seed_sop_renders_as_the_official_document(demo, client, name):
    owner, email, url_slug = SEEDS[name]
    doc = read_sop_file(TENANTS / name, name, [])
    sign_in(client, email)
    response = client.get(f"/t/{url_slug}/sop/versi/{version_id_of(demo, owner)}/")
    assert response.status_code == 200
    text = page_text(response)
    assert lane_headers(text) == [lane.name for lane in doc.lanes] == SEED_FACTS[name]["lane_names"]
    for label in ("Nomor SOP", "Tanggal Pembuatan", "Tanggal Revisi", "Tanggal Efektif", "Disahkan oleh",
                  "Nama SOP", "Dasar Hukum", "Kualifikasi Pelaksana", "Keterkaitan", "Peralatan/Perlengkapan",
                  "Peringatan", "Pencatatan dan Pendataan", "Mutu Baku", "Kelengkapan", "Waktu", "Output"):
        assert label in text, label
    for items in doc.lists.values():
        for item in items:
            assert f"<li>{item}</li>" in text
    rows = re.findall(r'<tr class="step" data-step="(\d+)">(.*?)</tr>', text, re.S)
    assert [int(no) for no, _ in rows] == [s.no for s in doc.steps]
    for step, (_, row) in zip(doc.steps, rows, strict=True):
        assert step.kegiatan in row
        assert f"<td>{step.kelengkapan}</td>" in row and f"<td>{step.output}</td>" in row
        assert f'<td class="waktu">{waktu(step.waktu_amount, step.waktu_unit)}</td>' in row
        assert row.count('class="symbol ') == len(step.lanes)
        kind = {"mulai": "terminator", "selesai": "terminator", "proses": "process", "keputusan": "decision"}
        assert f'data-kind="{kind[step.symbol]}"' in row
    decisions = SEED_FACTS[name]["decisions"]
    assert text.count(">Tidak</text>") == len(decisions)
    for no, target in decisions.items():
        assert f"Jika tidak, kembali ke langkah {target}." in rows[no - 1][1]
    for sample in SEED_FACTS[name]["samples"]:
        assert f'<td class="waktu">{waktu(*sample["waktu"])}</td>' in rows[sample["no"] - 1][1]


def test_document_links_its_print_stylesheet_and_leaves_room_for_actions(demo, client):
    sign_in(client, "kadis@dinsos.blitar.test")
    text = page_text(client.get(f"/t/kota-blitar-dinsos/sop/versi/{version_id_of(demo, 'kota-blitar-dinsos')}/"))
    # Linked in the body: a boosted click swaps only the body (templates/base.html), so a
    # page's own stylesheet in <head> would be lost when the document is reached by a click.
    body = text.split("</head>")[1]
    assert "sop_document.css" in body
    assert 'class="document-actions"' in text
    css = (Path(__file__).resolve().parent.parent / "static" / "sop_document.css").read_text()
    assert "size: A4 landscape" in css and "table-header-group" in css and "break-inside: avoid" in css


def test_foreign_tenant_gets_404(demo, client):
    blitar = version_id_of(demo, "kota-blitar-dinsos")
    pasuruan = version_id_of(demo, "kota-pasuruan")
    sign_in(client, "kadis@dinas.contoh.test")
    assert client.get(f"/t/kota-blitar-dinsos/sop/versi/{blitar}/").status_code == 404
    # the reader's own tenant in the URL, another tenant's version id
    assert client.get(f"/t/kab-contoh-dinas-contoh/sop/versi/{blitar}/").status_code == 404
    assert client.get(f"/t/kab-contoh-dinas-contoh/sop/versi/{pasuruan}/").status_code == 404
    assert client.get("/t/kab-contoh-dinas-contoh/sop/versi/999999/").status_code == 404


def test_opd_of_kota_pasuruan_reads_the_pemda_shared_sop(demo, client):
    version_id = version_id_of(demo, "kota-pasuruan")
    sign_in(client, "kepala@dinkes.pasuruan.test")
    response = client.get(f"/t/kota-pasuruan-dinkes/sop/versi/{version_id}/")
    assert response.status_code == 200
    text = page_text(response)
    assert "SOP milik Pemerintah Kota Pasuruan" in text
    assert '<p class="pemda">Pemerintah Kota Pasuruan</p>' in text
    assert '<p class="pd">Seluruh Perangkat Daerah</p>' in text
    assert "Walikota Pasuruan" in text and "SAIFULLAH YUSUF" in text
    # an OPD of another pemda does not see it through its own URL
    sign_in(client, "kadis@dinsos.blitar.test")
    assert client.get(f"/t/kota-blitar-dinsos/sop/versi/{version_id}/").status_code == 404


def test_opd_document_names_its_pemda_and_agency(demo, client):
    sign_in(client, "kadis@dinkes.mojokerto.test")
    text = page_text(client.get(f"/t/kab-mojokerto-dinkes/sop/versi/{version_id_of(demo, 'kab-mojokerto-dinkes')}/"))
    assert '<p class="pemda">Pemerintah Kabupaten Mojokerto</p>' in text
    assert '<p class="pd">Dinas Kesehatan Kabupaten Mojokerto</p>' in text
    assert "dr. ULUM ROKHMAT R, M.H." in text and "NIP. 197411132006041008" in text
    assert "DRAF" not in text


def _factory_sop(app, doc: SopDocument, publish: bool = False) -> tuple[str, int]:
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("kadis@uji.test", tenant=opd, lane_kind="kepala")
        sop = Sop(tenant_id=opd.id, key="pengukuran-kinerja")
        db.session.add(sop)
        db.session.flush()
        version = services.new_version(sop, doc)
        db.session.flush()
        if publish:
            services.publish(version, None)
        db.session.commit()
        return opd.slug, version.id


def test_draft_with_periodic_step_and_fractional_time(app, client):
    doc = SopDocument(
        nama="Pengukuran Kinerja Triwulanan",
        nomor="800/12/2024",
        lanes=[LaneDoc("kadis", "Kepala Dinas", "kepala"), LaneDoc("kabid", "Kepala Bidang", "kabid")],
        steps=[
            StepDoc(1, "Memerintahkan pengukuran", ["kadis"], "mulai", waktu_amount=Decimal("10.00")),
            StepDoc(2, "Rapat evaluasi capaian", ["kadis", "kabid"], "proses", waktu_amount=Decimal("1.50"),
                    waktu_unit="jam", repeat="triwulan"),
            StepDoc(3, "Memeriksa hasil", ["kadis"], "keputusan", waktu_amount=Decimal("1"), waktu_unit="hari_kerja",
                    return_to=2),
            StepDoc(4, "Menandatangani", ["kadis"], "selesai", waktu_amount=Decimal("0.25"), waktu_unit="hari"),
        ],
    )
    slug, version_id = _factory_sop(app, doc)
    sign_in(client, "kadis@uji.test", PASSWORD)
    response = client.get(f"/t/{slug}/sop/versi/{version_id}/")
    assert response.status_code == 200
    text = page_text(response)
    assert 'class="draft-watermark"' in text and "DRAF" in text
    assert "Rapat evaluasi capaian <em class=\"repeat\">(setiap triwulan)</em>" in text
    for shown in ("10 menit", "1,5 jam", "1 hari kerja", "0,25 hari"):
        assert f'<td class="waktu">{shown}</td>' in text
    assert "800/12/2024" in text and lane_headers(text) == ["Kepala Dinas", "Kepala Bidang"]
    assert text.count(">Tidak</text>") == 1 and text.count(">Ya</text>") == 1


def test_version_without_steps_shows_an_empty_table(app, client):
    doc = SopDocument(nama="SOP Baru", lanes=[LaneDoc("kadis", "Kepala Dinas", "kepala")])
    slug, version_id = _factory_sop(app, doc)
    sign_in(client, "kadis@uji.test", PASSWORD)
    response = client.get(f"/t/{slug}/sop/versi/{version_id}/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Versi ini belum memiliki langkah kegiatan." in text
    assert 'class="flow-row"' not in text and lane_headers(text) == ["Kepala Dinas"]


def test_version_without_lanes_or_steps_still_renders(app, client):
    slug, version_id = _factory_sop(app, SopDocument(nama="Kosong"))
    sign_in(client, "kadis@uji.test", PASSWORD)
    response = client.get(f"/t/{slug}/sop/versi/{version_id}/")
    assert response.status_code == 200
    assert "Versi ini belum memiliki langkah kegiatan." in page_text(response)
