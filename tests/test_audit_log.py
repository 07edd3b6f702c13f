"""The audit log is append-only: the database refuses UPDATE and DELETE, on both engines,
whether the table was made by the migrations or by the models."""
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.factories import gen_tree, gen_user


def _one_event(app):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        user = gen_user(tenant=opd, lane_kind="kabid")
        audit.record(opd, user, "realisasi.ubah", "realisasi", 1, lane="Kepala Bidang", field="nilai",
                     old="12,5", new="13", reason="")
        db.session.commit()


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET new_value = 'palsu'", "DELETE FROM audit_event"])
def test_database_refuses_changing_the_log(app, statement):
    _one_event(app)
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql(statement)
        db.session.remove()
        event = db.session.scalar(sa.select(AuditEvent))
        assert event.new_value == "13" and event.old_value == "12,5"


def test_migrated_schema_has_the_triggers_too(app):
    with app.app_context():
        db.session.remove()
        # PostgreSQL: conftest made the schema with the migrations already (and the app
        # role may not drop it). SQLite: the fixture used the models; migrate instead.
        if db.engine.dialect.name == "sqlite":
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            upgrade()
    _one_event(app)
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM audit_event")
