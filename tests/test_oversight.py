"""Oversight across OPDs: the matrix, late work, linked indicators across kab/kota."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from portal.capaian.kategori import format_angka
from portal.extensions import db
from portal.indikator.models import Indikator
from portal.oversight import queries
from portal.tenancy.models import utcnow
from tests import oversight_scenario
from tests.conftest import post, sign_in
from tests.exports_world import redefine

KOORDINATOR = "koordinator@jatim.test"
MATRIX = "/t/jawa-timur/pemantauan/"


@pytest.fixture
def scenario(demo):
    return oversight_scenario.build(demo)


def cell(page, slug, kind="triwulan", no=1):
    match = re.search(rf'<td class="cell( late)?" data-label="[^"]*" data-testid="cell-{slug}-{kind}-{no}" '
                      rf'data-state="([a-z_]+)">(.*?)</td>', page, re.S)
    assert match, f"no cell for {slug}"
    return {"late": bool(match.group(1)), "state": match.group(2), "text": " ".join(match.group(3).split())}


def test_coordinator_sees_every_opd_of_the_province_with_its_state(demo, client, scenario):
    sign_in(client, KOORDINATOR)
    page = client.get(MATRIX + "?tahun=2026").get_data(as_text=True)
    signed = cell(page, "kab-mojokerto-dinkes")
    assert signed["state"] == "disahkan" and f"/t/kab-mojokerto-dinkes/siklus/{scenario['signed']}/" in signed["text"]
    late = cell(page, "kota-blitar-dinsos")
    assert late["state"] == "pengisian" and "Pengisian 0/" in late["text"]
    assert late["late"] and "Terlambat" in late["text"] and f"/siklus/{scenario['late']}/" in late["text"]
    for slug in ("kota-pasuruan-dinkes", "kota-pasuruan-dpupr"):
        # Late means late: TW I ended long ago and its cycle never started.
        never = cell(page, slug)
        assert never["state"] == "belum_dimulai" and never["late"] and "Terlambat" in never["text"]
        assert "Siklus belum dimulai; batas" in never["text"]
    assert cell(page, "kab-mojokerto-dinkes", "tahunan", 1)["state"] == "belum_dimulai"
    assert "kab-contoh-dinas-contoh" not in page  # another province
    rates = re.search(r'data-testid="rates">(.*?)</table>', page, re.S).group(1)
    assert "Pemerintah Kabupaten Mojokerto" in rates and "Provinsi Jawa Timur" in rates


def test_filters_keep_late_or_signed_rows_and_one_period(demo, client, scenario):
    sign_in(client, KOORDINATOR)
    late_only = client.get(MATRIX + "?tahun=2026&terlambat=y").get_data(as_text=True)
    assert 'data-testid="row-kota-blitar-dinsos"' in late_only
    assert 'data-testid="row-kota-pasuruan-dinkes"' in late_only  # never started: late too
    one_signed = client.get(MATRIX + "?tahun=2026&terlambat=y&periode=triwulan-1").get_data(as_text=True)
    assert 'data-testid="row-kab-mojokerto-dinkes"' not in one_signed
    signed = client.get(MATRIX + "?tahun=2026&status=disahkan").get_data(as_text=True)
    assert re.findall(r'data-testid="row-([a-z-]+)"', signed) == ["kab-mojokerto-dinkes"]
    one = client.get(MATRIX + "?tahun=2026&periode=triwulan-1&urut=terlambat").get_data(as_text=True)
    rows = re.findall(r'data-testid="row-([a-z-]+)"', one)
    # The late first: Blitar (started, a step past its Mutu Baku) and the Pasuruan OPDs
    # (TW I never started, due months ago); the signed Mojokerto last.
    assert set(rows[:3]) == {"kota-blitar-dinsos", "kota-pasuruan-dinkes", "kota-pasuruan-dpupr"}
    assert len(rows) == 4 and rows[3] == "kab-mojokerto-dinkes"
    assert "cell-kota-blitar-dinsos-triwulan-2" not in one
    assert client.get(MATRIX + "?tahun=abc").status_code == 422
    assert client.get(MATRIX + "?periode=triwulan-9").status_code == 422


def test_percentages_on_time_per_pemda(demo, client, scenario):
    sign_in(client, KOORDINATOR)
    page = client.get(MATRIX + "?tahun=2026").get_data(as_text=True)
    rates = re.search(r'data-testid="rates">(.*?)</table>', page, re.S).group(1)
    mojokerto = re.search(r"<tr><td>Pemerintah Kabupaten Mojokerto</td>(.*?)</tr>", rates, re.S).group(1)
    numbers = re.findall(r'<td class="fig">([^<]*)</td>', mojokerto)
    # Expected: the periods of 2026 that have ended by today (TW I has: the cycle ran), one
    # OPD. The signed TW I was submitted and signed within its Mutu Baku (run at once).
    today = (utcnow() + timedelta(hours=7)).date()
    expected = sum(queries.period_ended(k, n, 2026, today) for k, n in queries.PERIODS)
    share = format_angka(Decimal(100) / Decimal(expected), 1) + " %"
    assert numbers == [str(expected), share, share]


def test_matrix_query_count_does_not_grow_with_opds(demo, scenario):
    from portal.tenancy.models import Tenant
    from tests.factories import gen_tenant

    def count(slug):
        with demo.app_context():
            tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == slug))
            seen = []
            listener = lambda *a, **k: seen.append(1)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                m = queries.matrix(tenant, 2026)
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            return len(seen), len(m.rows)

    small = count("kota-blitar")
    with demo.app_context():
        pemda = db.session.scalar(db.select(Tenant).where(Tenant.slug == "kota-blitar"))
        for n in range(6):
            gen_tenant("opd", parent=pemda, name=f"Dinas Tambahan {n}")
        db.session.commit()
    big = count("kota-blitar")
    province = count("jawa-timur")
    assert big[1] == small[1] + 6 and province[1] > big[1]
    # Five for the cycles' state, four for when never-started periods were due (cycles/overdue.py).
    assert small[0] == big[0] == province[0] <= 9


def test_late_list_names_step_lane_and_people(demo, client, scenario):
    sign_in(client, KOORDINATOR)
    page = client.get("/t/jawa-timur/pemantauan/terlambat").get_data(as_text=True)
    table = re.search(r'data-testid="late-tasks">(.*?)</table>', page, re.S).group(1)
    assert "Dinas Sosial Kota Blitar" in table and "Triwulan I 2026" in table
    rows = re.findall(r"<tr class=\"late\">(.*?)</tr>", table, re.S)
    # Mojokerto signed TW I on time; its TW II and III ended and never started: late, and
    # those who may start a cycle are named.
    mojokerto = [r for r in rows if "Dinas Kesehatan Kabupaten Mojokerto" in r]
    assert [re.search(r"Triwulan I+ 2026", r).group(0) for r in mojokerto] == ["Triwulan II 2026", "Triwulan III 2026"]
    assert all("Memulai siklus pengukuran (belum dimulai)" in r and "/t/kab-mojokerto-dinkes/siklus/" in r
               for r in mojokerto)
    row = next(r for r in rows if "Dinas Sosial Kota Blitar" in r and "Triwulan I 2026" in r)
    assert "1. " in row and "hari" in row  # step 1, late by days
    assert re.search(r"<td>[^<]*(Kepala|Sekretaris|Perencana)[^<]*</td>", row)  # the SOP's lane names
    assert "Drs. Heru Santoso Widagdo" in row or "Endah Purwaningsih" in row or "Fajar Nugroho Adi" in row


def test_pemda_admin_sees_only_own_opds_and_nothing_above(demo, client, scenario):
    sign_in(client, "admin@pasuruan.test")
    page = client.get("/t/kota-pasuruan/pemantauan/?tahun=2026").get_data(as_text=True)
    assert re.findall(r'data-testid="row-([a-z-]+)"', page) == ["kota-pasuruan-dinkes", "kota-pasuruan-dpupr"]
    assert client.get(MATRIX).status_code == 404
    assert client.get("/t/kota-blitar/pemantauan/").status_code == 404
    assert client.get("/t/kota-blitar/pemantauan/terlambat").status_code == 404
    late = client.get("/t/kota-pasuruan/pemantauan/terlambat").get_data(as_text=True)
    assert "Dinas Sosial Kota Blitar" not in late and "Dinas Kesehatan Kota Pasuruan" in late
    # The pemda's own cycle list (cycles run per OPD) points to the matrix.
    assert 'href="/t/kota-pasuruan/pemantauan/"' in client.get("/t/kota-pasuruan/siklus/").get_data(as_text=True)


def test_opd_staff_may_not_open_oversight(demo, client, scenario):
    sign_in(client, "kabid.kesmas@dinkes.mojokerto.test")
    assert client.get("/t/kab-mojokerto-dinkes/pemantauan/").status_code == 403
    assert client.get(MATRIX).status_code == 404


def test_references_link_and_compare_across_kab_kota(demo, client, scenario):
    sign_in(client, KOORDINATOR)
    assert post(client, "/t/jawa-timur/pemantauan/indikator/", {"kode": "", "nama": ""}).status_code == 422
    created = post(client, "/t/jawa-timur/pemantauan/indikator/",
                   {"kode": "IKK 2.01", "nama": "Prevalensi stunting pada balita", "satuan": "%"})
    assert created.status_code == 303
    url = created.headers["Location"]
    again = post(client, "/t/jawa-timur/pemantauan/indikator/", {"kode": "ikk 2.01", "nama": "Lagi"})
    assert again.status_code == 409 and "sudah ada" in again.get_data(as_text=True)
    found = client.get(url + "?tahun=2026&cari=stunting").get_data(as_text=True)
    ids = re.findall(r'name="indikator" value="(\d+)" aria-label="Tautkan ([^"]+)"', found)
    assert {label.split(" IKU")[0] for _, label in ids} == {
        "Dinas Kesehatan Kabupaten Mojokerto", "Dinas Kesehatan Kota Pasuruan"}
    linked = post(client, url.replace("http://localhost", "") + "tautkan",
                  {"indikator": [i for i, _ in ids], "tahun": "2026"})
    assert linked.status_code == 303
    page = client.get(url + "?tahun=2026&triwulan=1").get_data(as_text=True)
    table = re.search(r'data-testid="compare-table">(.*?)</table>', page, re.S).group(1)
    rows = {m.group(1): m.group(2) for m in re.finditer(r"<tr>\s*<td>([^<]+)</td>(.*?)</tr>", table, re.S)}
    assert set(rows) == {"Pemerintah Kabupaten Mojokerto · Dinkes", "Pemerintah Kota Pasuruan · Dinkes"}
    assert "<svg" in page and "Capaian IKK 2.01 s.d. TW I 2026" in page
    assert "Tren capaian IKK 2.01 per triwulan 2026" in page
    # Stunting is a negative indicator: Pasuruan's 14,9 against 14,5 is 97,24 %; Mojokerto's
    # signed 80 (the driver's value) against 12,8 is 0 %. The numbers are in the table.
    assert '<td class="fig">14,9</td>' in rows["Pemerintah Kota Pasuruan · Dinkes"]
    assert "97,24 %" in rows["Pemerintah Kota Pasuruan · Dinkes"]
    assert "0,00 %" in rows["Pemerintah Kabupaten Mojokerto · Dinkes"]
    trend = re.search(r'data-testid="trend-table">(.*?)</table>', page, re.S).group(1)
    assert trend.count("<tr><td>") == 2
    unlinked = post(client, url.replace("http://localhost", "") + "lepas", {"indikator": ids[0][0]})
    assert unlinked.status_code == 303
    page = client.get(url + "?tahun=2026").get_data(as_text=True)
    assert re.search(r'data-testid="compare-table">(.*?)</table>', page, re.S).group(1).count("Lepas tautan") == 1


def test_references_refuse_what_is_not_below(demo, client, scenario):
    sign_in(client, "admin@pasuruan.test")
    # a pemda admin cannot create province references
    assert post(client, "/t/kota-pasuruan/pemantauan/indikator/", {"kode": "X", "nama": "Y"}).status_code == 422
    with demo.app_context():
        from portal.indikator.models import Indikator
        from portal.oversight import references
        from tests.cycle_driver import tenant
        ref = references.create_reference(tenant("jawa-timur"), None, "IKK 9", "Rujukan")
        mojokerto_ind = db.session.scalar(db.select(Indikator.id).where(
            Indikator.tenant_id == tenant("kab-mojokerto-dinkes").id))
        db.session.commit()
        ref_id = ref.id
    refused = post(client, f"/t/kota-pasuruan/pemantauan/indikator/{ref_id}/tautkan", {"indikator": str(mojokerto_ind)})
    assert refused.status_code == 404
    assert client.get(f"/t/kota-pasuruan/pemantauan/indikator/{ref_id}/").status_code == 200
    sign_in(client, "koordinator@provinsi-contoh.test")
    assert client.get(f"/t/provinsi-contoh/pemantauan/indikator/{ref_id}/").status_code == 404


def test_deleting_a_linked_indicator_without_values_drops_its_link(demo, scenario):
    from portal.indikator import services as indicator_services
    from portal.indikator.models import IndicatorSet, Indikator
    from portal.oversight import references
    from portal.oversight.models import IndicatorLink
    from tests.cycle_driver import tenant

    with demo.app_context():
        opd = tenant("kota-pasuruan-dpupr")
        first = db.session.scalar(db.select(Indikator).where(Indikator.tenant_id == opd.id))
        tset = db.session.get(IndicatorSet, first.set_id)
        ind = Indikator(tenant_id=opd.id, set_id=tset.id, sasaran_id=first.sasaran_id, kode="IK-BARU",
                        nama="Indikator baru tanpa realisasi", position=99)
        db.session.add(ind)
        db.session.flush()
        ref = references.create_reference(tenant("jawa-timur"), None, "IKK 3.01", "Rujukan")
        assert references.link(tenant("jawa-timur"), ref, None, [ind.id]) == 1
        db.session.commit()
        assert indicator_services.delete_indikator(ind) is None
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(IndicatorLink.id))) == 0


def test_compare_shows_a_signed_period_from_its_record_and_marks_live_figures(demo, client, scenario):
    """Mojokerto's TW I is signed: after its stunting indicator turns positive (with a
    reason) the comparison still shows the signed 0,00 %; Pasuruan never signed, so its
    live figure is shown and marked as not signed."""
    sign_in(client, KOORDINATOR)
    url = post(client, "/t/jawa-timur/pemantauan/indikator/",
               {"kode": "IKK 2.01", "nama": "Prevalensi stunting pada balita", "satuan": "%"}).headers["Location"]
    url = url.replace("http://localhost", "")
    found = client.get(url + "?tahun=2026&cari=stunting").get_data(as_text=True)
    ids = re.findall(r'name="indikator" value="(\d+)" aria-label="Tautkan ([^"]+)"', found)
    assert post(client, url + "tautkan", {"indikator": [i for i, _ in ids], "tahun": "2026"}).status_code == 303
    with demo.app_context():
        ind = db.session.get(Indikator, next(int(i) for i, label in ids if "Mojokerto" in label))
        redefine("kab-mojokerto-dinkes", ind.kode, "Koreksi polaritas sesuai Renstra", polaritas="positif",
                 satuan="persen")
        db.session.remove()

    def table(triwulan):
        page = client.get(url + f"?tahun=2026&triwulan={triwulan}").get_data(as_text=True)
        body = re.search(r'data-testid="compare-table">(.*?)</table>', page, re.S).group(1)
        return {m.group(1): m.group(2) for m in re.finditer(r"<tr>\s*<td>([^<]+)</td>(.*?)</tr>", body, re.S)}

    rows = table(1)
    mojokerto, pasuruan = rows["Pemerintah Kabupaten Mojokerto · Dinkes"], rows["Pemerintah Kota Pasuruan · Dinkes"]
    assert "0,00 %" in mojokerto and '<td class="fig">80</td>' in mojokerto  # as signed, negatif
    assert "<td>%</td>" in mojokerto  # the satuan as signed
    assert re.search(r'data-signed="1"[^>]*>Disahkan \(revisi 1\)<', mojokerto)
    assert "97,24 %" in pasuruan
    assert re.search(r'data-signed="0"[^>]*>Belum disahkan \(data berjalan\)<', pasuruan)
    # TW II was never signed in Mojokerto: live, under the new definition.
    assert re.search(r'data-signed="0"[^>]*>Belum disahkan \(data berjalan\)<',
                     table(2)["Pemerintah Kabupaten Mojokerto · Dinkes"])


def test_a_never_started_period_is_due_at_its_end_plus_the_sops_total_mutu_baku(demo):
    from datetime import datetime

    from portal.cycles import overdue
    from portal.cycles.deadlines import due_at
    from portal.sop import services as sop_services
    from portal.tenancy.models import Tenant

    with demo.app_context():
        opd = db.session.scalar(db.select(Tenant).where(Tenant.slug == "kota-pasuruan-dinkes"))
        end = overdue.period_end(2026, "triwulan", 1)
        assert end == datetime(2026, 3, 31, 17, 0)  # 1 April 2026 00.00 WIB
        expected = end
        for step in sop_services.sop_in_force(opd).steps:
            if step.waktu_amount and not step.repeat:
                expected = due_at(expected, step.waktu_amount, step.waktu_unit)
        assert expected > end
        found = overdue.deadlines([(opd.id, opd.parent_id)], 2026, [("triwulan", 1), ("triwulan", 4)],
                                  datetime(2026, 12, 7))
        assert list(found) == [(opd.id, "triwulan", 1)]  # TW IV has not ended
        assert found[(opd.id, "triwulan", 1)].due == expected
