"""The schema comes from migrations; models and migrations must agree."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from portal.extensions import db


def _drop_everything(app):
    with app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def test_migrations_build_the_schema_the_models_describe(app):
    _drop_everything(app)  # the fixture made tables with create_all; start from nothing
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
        tables = set(sa.inspect(db.engine).get_table_names())
    assert {"tenant", "unit", "lane", "user_account", "membership", "sop_version"} <= tables
