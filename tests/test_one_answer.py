"""One way to answer: a write edited in place answers htmx with the fragment and a plain
post with a 303, both marked `Vary: HX-Request`; a 409 refusal is a message, while a
stale save answered with the form again is marked so the layout swaps it in."""
from tests import world as world_module
from tests.conftest import sign_in
from tests.factories import PASSWORD
from tests.test_fuzz_inputs import _superuser


def test_an_in_place_write_answers_by_request_kind_and_varies(app):
    w = world_module.build(app)
    client = app.test_client()
    assert sign_in(client, _superuser(app, w), PASSWORD).status_code == 303
    url = f"/t/{w.tenant_slug}/indikator/sasaran/{w.params['sasaran_id']}/"
    token = {"X-CSRFToken": w.csrf(client)}
    plain = client.post(url, data={"kode": "SS.1", "nama": "Meningkatnya derajat kesehatan"}, headers=token)
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"#sasaran-{w.params['sasaran_id']}")
    assert "HX-Request" in plain.headers["Vary"]
    htmx = client.post(url, data={"kode": "SS.1", "nama": "Meningkatnya derajat kesehatan"},
                       headers={**token, "HX-Request": "true"})
    assert htmx.status_code == 200 and "Meningkatnya derajat kesehatan" in htmx.get_data(as_text=True)
    assert "<html" not in htmx.get_data(as_text=True) and "HX-Request" in htmx.headers["Vary"]
    invalid = client.post(url, data={"kode": "", "nama": ""}, headers={**token, "HX-Request": "true"})
    assert invalid.status_code == 422 and "Kode sasaran wajib diisi." in invalid.get_data(as_text=True)


def test_a_409_refusal_is_a_message_not_a_form_to_swap(app):
    w = world_module.build(app)
    client = app.test_client()
    assert sign_in(client, _superuser(app, w), PASSWORD).status_code == 303
    url = f"/t/{w.tenant_slug}/realisasi/{w.params['periode_id']}/{w.params['indikator_id']}/ajukan"
    refused = client.post(url, headers={"X-CSRFToken": w.csrf(client), "HX-Request": "true"})
    assert refused.status_code == 409 and "tidak sedang dikembalikan" in refused.get_data(as_text=True)
    assert "X-Portal-Form-Again" not in refused.headers
