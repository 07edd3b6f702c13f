"""An administrator is told when the mail queue cannot take an invitation or a link:
the invitation is kept, but the page never claims "dikirim lewat email" for a mail that
no worker will ever send (issue 23: a dependency down; issue 25: mail from the queue)."""
import pytest
from sqlalchemy import select

from portal.auth.invitation_models import JoinInvitation
from portal.extensions import db
from tests.conftest import CSRF_META, sign_in
from tests.factories import PASSWORD, gen_tree, gen_user

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def app_config(smtp):
    return {**smtp.config(), "HUEY_IMMEDIATE": False, "HUEY_URL": DEAD_REDIS}


def test_an_invitation_the_queue_cannot_take_is_kept_and_the_page_says_no_mail_went(app, smtp):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("perencana@a.test", tenant=opd, lane_kind="perencana")
        db.session.commit()
        slug = opd.slug
    admin = app.test_client()
    sign_in(admin, "perencana@a.test", PASSWORD)
    token = CSRF_META.search(admin.get(f"/t/{slug}/orang/").get_data(as_text=True)).group(1)
    response = admin.post(f"/t/{slug}/orang/", data={"nama": "Rina", "email": "rina@a.test", "lanes": "staf",
                                                     "unit": "bidang-1", "csrf_token": token},
                          follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "antrean email sedang tidak dapat dihubungi" in page
    assert "dikirim lewat email" not in page
    with app.app_context():
        assert db.session.scalar(select(JoinInvitation.email).where(JoinInvitation.email == "rina@a.test"))
    assert not smtp.inbox.to("rina@a.test")
