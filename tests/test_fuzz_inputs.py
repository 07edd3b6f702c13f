"""No input makes a 500: generated values for every URL parameter and form field of
every route (hypothesis), posted by a user who may reach the route, on both databases.

The field names are every `name="..."` of the templates and every key the views read
(`form.get("...")`), so a route gets the fields its own form would send, filled with
values chosen to hurt: NUL characters, ids past 2^31 and 2^63, huge and odd numbers,
long text. Also the directed cases of issue 12 (ids, tahun, NUL on the sign-in form).
"""
import io
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from tests import world as world_module
from tests.conftest import sign_in
from tests.factories import PASSWORD, grant

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_PER_ROUTE = 12


def _field_names() -> list[str]:
    names = set()
    for path in (ROOT / "templates").rglob("*.html"):
        names.update(re.findall(r'name="([a-z_0-9]+)"', path.read_text()))
    for path in (ROOT / "portal").rglob("*.py"):
        text = path.read_text()
        names.update(re.findall(r'form\.get\("([a-z_0-9]+)"', text))
        names.update(re.findall(r'(?:text|_number_field|checked)\(form, "([a-z_0-9]+)"', text))
    names.update(f"target_tw{n}" for n in range(1, 5))
    return sorted(names - {"csrf_token", "viewport", "htmx-config"})


FIELDS = _field_names()

HUGE = ["9" * 30, str(2**31), str(2**63), str(2**64), "-" + str(2**63), "1e309", "NaN", "1.234.567.890.123,45678"]
PLAIN = ["", "1", "2", "2026", "triwulan", "naik", "turun", "ya", "positif", "kumulatif", "angka",
         "bawaan", "khusus", "jam", "hari", "proses", "review", "manual", "Uji"]
NO_NUL = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
VALUES = st.one_of(
    st.sampled_from(PLAIN),
    st.sampled_from(PLAIN),
    st.sampled_from(HUGE),
    st.text(alphabet=NO_NUL, max_size=40),
    st.text(alphabet="\t\r\n<>\"'&%;.,-0123456789", max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.just("x" * 6000),
)
BIG_IDS = st.one_of(st.integers(min_value=0, max_value=50), st.integers(min_value=2**31 - 2, max_value=2**31 + 2),
                    st.integers(min_value=2**63 - 1, max_value=2**64), st.integers(min_value=0, max_value=2**80))
FORMS = st.fixed_dictionaries({}, optional={name: VALUES for name in FIELDS})
FILES = st.one_of(st.none(), st.binary(max_size=300), st.sampled_from([b"PK\x03\x04garbage", b"a: [" * 50]))


def _routes(app):
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint in ("static", "auth.logout"):
            continue
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            yield url_rule, method


def _superuser(app, w) -> str:
    """The OPD's perencana, also holding every other OPD lane: reaches every route."""
    from portal.auth.models import User
    from portal.tenancy.models import Tenant

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == w.emails["perencana"]))
        opd = db.session.scalar(db.select(Tenant).where(Tenant.slug == w.tenant_slug))
        for kind in ("kepala", "kabid", "sekretaris", "tim_sakip"):
            grant(user, opd, kind)
        db.session.commit()
        return user.email


def _url(app, w, url_rule, ids: dict) -> str:
    values = {}
    for name in url_rule.arguments:
        values[name] = w.tenant_slug if name == "tenant_slug" else ids.get(name, w.params.get(name, 1))
    path = url_rule.rule
    for name, value in values.items():
        path = re.sub(r"<(?:[a-z]+:)?" + name + ">", str(value), path)
    return path


def test_no_generated_input_makes_a_server_error(app):
    w = world_module.build(app)
    email = _superuser(app, w)
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 303
    token = w.csrf(client)
    failures = []

    def probe_route(url_rule, method):
        id_names = [a for a in url_rule.arguments if a != "tenant_slug"]

        # Mostly the sample rows (to reach the views' own checks), sometimes any id.
        ids_strategy = st.fixed_dictionaries(
            {name: st.one_of(st.just(w.params.get(name, 1)), st.just(w.params.get(name, 1)), BIG_IDS)
             for name in id_names})

        @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(ids=ids_strategy, form=FORMS, upload=FILES, htmx=st.booleans(),
               nul_in=st.one_of(st.none(), st.none(), st.none(), st.sampled_from(FIELDS)))
        def probe(ids, form, upload, htmx, nul_in):
            form = dict(form)
            if nul_in:
                form[nul_in] = form.get(nul_in, "") + "\x00"
            url = _url(app, w, url_rule, ids)
            headers = {"X-CSRFToken": token}
            if htmx:
                headers["HX-Request"] = "true"
            if method == "GET":
                response = client.get(url, query_string=form, headers=headers)
            else:
                data = form
                if upload is not None:
                    data["berkas"] = (io.BytesIO(upload), "berkas.xlsx")
                response = client.open(url, method=method, data=data, headers=headers)
            if response.status_code >= 500:
                failures.append(f"{method} {url} {form!r:.300}: {response.status_code}")
            if response.status_code in (302, 303) and "/masuk" in response.headers.get("Location", ""):
                sign_in(client, email, PASSWORD)

        probe()

    for url_rule, method in _routes(app):
        probe_route(url_rule, method)
    assert failures == [], "\n".join(failures[:30])


def test_ids_past_the_database_range_answer_404(app):
    w = world_module.build(app)
    client = app.test_client()
    assert sign_in(client, _superuser(app, w), PASSWORD).status_code == 303
    base = f"/t/{w.tenant_slug}"
    for big in (2**31, 2**63, 2**64):
        for path in (f"{base}/sop/versi/{big}/", f"{base}/indikator/{big}/", f"{base}/siklus/{big}/",
                     f"{base}/realisasi/{big}/{w.params['indikator_id']}/"):
            assert client.get(path).status_code == 404, path


def test_nul_in_the_sign_in_form_is_refused_with_a_message(app):
    w = world_module.build(app)
    client = app.test_client()
    token = w.csrf(client)
    response = client.post("/masuk", data={"email": "a\x00@x.test", "password": "x\x00", "csrf_token": token})
    assert response.status_code == 400
    assert "karakter NUL" in response.get_data(as_text=True)


def test_nul_in_a_text_field_is_refused_and_nothing_saved(app):
    w = world_module.build(app)
    client = app.test_client()
    assert sign_in(client, _superuser(app, w), PASSWORD).status_code == 303
    response = client.post(f"/t/{w.tenant_slug}/indikator/{w.params['set_id']}/sasaran",
                           data={"kode": "S9", "nama": "Sasaran\x00baru"}, headers={"X-CSRFToken": w.csrf(client)})
    assert response.status_code == 400
    assert "karakter NUL" in response.get_data(as_text=True)
    from portal.indikator.models import Sasaran
    with app.app_context():
        assert db.session.scalar(db.select(Sasaran).where(Sasaran.kode == "S9")) is None


def test_a_cycle_of_a_year_past_the_column_range_is_refused(app):
    w = world_module.build(app)
    client = app.test_client()
    assert sign_in(client, _superuser(app, w), PASSWORD).status_code == 303
    response = client.post(f"/t/{w.tenant_slug}/siklus/mulai",
                           data={"tahun": str(2**31), "jenis": "triwulan", "nomor": "2"},
                           headers={"X-CSRFToken": w.csrf(client)})
    assert response.status_code == 422
    assert "Tahun harus antara 2000 dan 2100" in response.get_data(as_text=True)


def test_every_form_of_the_portal_keeps_files_out_of_text_fields():
    """The one place that answers files sent under text names (form_fields.Form) covers
    every form: a new form on flask_wtf.FlaskForm directly would not be covered."""
    from flask_wtf import FlaskForm

    from portal import create_app  # noqa: F401 (imports every area's forms)
    from portal.form_fields import Form

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("portal.")]
    assert len(ours) > 20
    assert [c.__qualname__ for c in ours if not issubclass(c, Form)] == []


def test_a_file_under_every_text_field_name_makes_no_server_error(app):
    """Every route with an unsafe method, with a file posted under every field name the
    templates and views know (a broken or hostile client): never a 500."""
    w = world_module.build(app)
    email = _superuser(app, w)
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 303
    token = w.csrf(client)
    failures = []
    for url_rule, method in _routes(app):
        if method == "GET":
            continue
        url = _url(app, w, url_rule, {})
        for content in (b"teks biasa", b"PK\x03\x04garbage"):
            data = {name: (io.BytesIO(content), f"{name}.txt") for name in FIELDS}
            response = client.open(url, method=method, data=data, headers={"X-CSRFToken": token})
            if response.status_code >= 500:
                failures.append(f"{method} {url}: {response.status_code}")
            if response.status_code in (302, 303) and "/masuk" in response.headers.get("Location", ""):
                sign_in(client, email, PASSWORD)
    assert failures == [], "\n".join(failures[:30])


LONG_CELL = "x" * 131_073


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_over_long_cells_in_every_import_are_refused_naming_the_cell(app):
    """A cell past 131,072 characters (csv's own limit; an unclosed quote swallows the
    rest of a pasted table) in every import: a 422 naming row and column, nothing made."""
    w = world_module.build(app)
    client = app.test_client()
    assert sign_in(client, _superuser(app, w), PASSWORD).status_code == 303
    token = w.csrf(client)
    base = f"/t/{w.tenant_slug}"

    def send(path, data):
        return client.post(path, data=data, headers={"X-CSRFToken": token})

    csv_sheet = f"nama,email,peran\nAni,ani@contoh.test,Staf\n{LONG_CELL},budi@contoh.test,Staf\n".encode()
    response = send(f"{base}/orang/impor", {"berkas": (io.BytesIO(csv_sheet), "orang.csv")})
    assert response.status_code == 422
    assert "Baris 3, kolom 1: isian terlalu panjang (131.073 karakter" in response.get_data(as_text=True)

    quoted = f'No\tKegiatan\tKelengkapan\n1\t"{LONG_CELL}\tdokumen\n'.encode()
    response = send(f"{base}/orang/impor", {"berkas": (io.BytesIO(quoted), "orang.csv")})
    assert response.status_code == 422 and response.status_code < 500

    table = f"No\tKegiatan\tStaf\tKelengkapan\tWaktu\tOutput\n1\t{LONG_CELL}\tv\tSK\t1 hari\tData\n"
    response = send(f"{base}/sop/tempel", {"nama": "SOP uji", "tabel": table, "aksi": "pratinjau"})
    assert response.status_code == 422
    assert "Baris 2, kolom 2: isian terlalu panjang" in response.get_data(as_text=True)

    unclosed = 'No\tKegiatan\tStaf\tKelengkapan\n1\t"Kegiatan tanpa tutup kutip\tv\tSK\n' + ("baris lain\n" * 20_000)
    response = send(f"{base}/sop/tempel", {"nama": "SOP uji", "tabel": unclosed, "aksi": "pratinjau"})
    assert response.status_code == 422
    assert "Baris 2, kolom 2: isian terlalu panjang" in response.get_data(as_text=True)

    for path, name in ((f"{base}/sop/tempel", "langkah.xlsx"), (f"{base}/orang/impor", "orang.xlsx"),
                       (f"{base}/indikator/{w.params['set_id']}/impor", "indikator.xlsx")):
        sheet = _xlsx([["nama", "email", "peran", "Kelengkapan"], ["y" * 40_000, "a@b.test", "Staf", "SK"]])
        response = send(path, {"berkas": (io.BytesIO(sheet), name), "nama": "SOP uji", "aksi": "pratinjau"})
        assert response.status_code < 500, path
