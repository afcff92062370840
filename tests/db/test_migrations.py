"""Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from db.migrate import current_heads, upgrade
from db.session import make_engine


def test_migrations_on_a_fresh_database_match_the_models(database_url: str):
    upgrade(database_url)

    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
        version = context.get_current_revision()
    tables = set(inspect(engine).get_table_names())
    engine.dispose()

    assert differences == []
    assert {"workspaces", "hypotheses", "alembic_version"} <= tables
    assert (version,) == current_heads()


def test_upgrading_twice_is_harmless(database_url: str):
    upgrade(database_url)
    upgrade(database_url)

    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == current_heads()[0]
    engine.dispose()
