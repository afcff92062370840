"""Alembic environment: target_metadata is SQLModel's, the URL comes from Settings."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import db.models  # noqa: F401  (every table, registered on SQLModel.metadata)
from db.session import make_engine

config = context.config
MIGRATION_LOCK = 72_657_301  # an arbitrary key of gatebot's own in pg_advisory_lock
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.core.settings import get_settings

    return get_settings().database_url


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against the database."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch ALTER on SQLite copies the table and drops the old one; with foreign keys
        # enforced, dropping a table that other rows point at fails. SQLite only honours
        # this pragma outside a transaction, so it is set before the migrations begin.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # end the autobegun transaction: the migrations commit their own
    elif connection.dialect.name == "postgresql":
        # Every process of a Procfile upgrades before it starts: one at a time, the rest
        # then find the schema at head. Held for the session, released when it closes.
        # One lock per schema: upgrades of other schemas in the same database (each test
        # has its own) have nothing to wait for.
        connection.exec_driver_sql(
            f"SELECT pg_advisory_lock({MIGRATION_LOCK}, hashtext(current_schema()))"
        )
        connection.commit()
    # render_as_batch lets ALTERs work on SQLite, which cannot alter columns in place.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
