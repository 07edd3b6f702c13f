"""A reminder the SMTP server cannot take is logged by account id, never by address, and
nobody counts as reached: the next sweep tries again."""
import logging
import uuid

import pytest
from sqlalchemy import select

from portal import rls
from portal.auth.models import User
from portal.extensions import db
from portal.reminders import services
from portal.reminders.models import ReminderSent
from portal.tenancy.models import Tenant
from tests.smtp import free_port

ADDRESS = "kadis@dinkes.mojokerto.test"


@pytest.fixture
def app_config():
    # An SMTP server that is not there: every hand-over fails.
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "portal@sakip.test", "PORTAL_URL": "https://sakip.test"}


def test_a_failed_reminder_logs_no_address(demo, caplog):
    with demo.app_context(), rls.across_tenants():  # as the worker's sweep
        user = db.session.scalar(select(User).where(User.email == ADDRESS))
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "kab-mojokerto-dinkes"))
        key = f"log-test-{uuid.uuid4().hex}"
        reminder = services.Reminder("manual", key, tenant, [user], "Pengingat uji", "Isi pengingat.")
        with caplog.at_level(logging.WARNING, logger="portal.reminders.services"):
            assert services.send(reminder) is False
        failures = [r.getMessage() for r in caplog.records if r.name == "portal.reminders.services"]
        assert failures == [f"reminder to user {user.id} failed: ConnectionRefusedError"]
        assert ADDRESS not in caplog.text, caplog.text
        assert db.session.scalar(select(ReminderSent).where(ReminderSent.key == key)) is None
