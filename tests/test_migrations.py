"""The schema comes from migrations; models and migrations must agree."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from portal.extensions import db
from tests.conftest import owner_engine


def _drop_everything(app):
    with app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def _differences(conn) -> list:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def test_migrations_build_the_schema_the_models_describe(app):
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # conftest made this run's schema with `flask db upgrade` as the owner; the
            # app role may not drop it. Compare it as it is, read as the owner.
            engine = owner_engine()
            try:
                with engine.connect() as conn:
                    differences = _differences(conn)
                    tables = set(sa.inspect(conn).get_table_names())
                    head = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            finally:
                engine.dispose()
            assert head is not None
        else:
            _drop_everything(app)  # the fixture made tables with create_all; start from nothing
            upgrade()
            with db.engine.connect() as conn:
                differences = _differences(conn)
            tables = set(sa.inspect(db.engine).get_table_names())
    assert differences == [], f"models and migrations disagree: {differences}"
    assert {"tenant", "unit", "lane", "user_account", "membership", "sop_version"} <= tables
