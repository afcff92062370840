"""A throwaway PostgreSQL schema with gatebot's tables, for benchmarks."""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import db
from db.migrate import upgrade
from db.session import make_engine, normalise_url

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def schema_url(url: str, schema: str) -> str:
    """Return `url` with its search path set to `schema`."""
    parsed = make_url(normalise_url(url))
    options = {"options": f"-csearch_path={schema}"}
    return parsed.update_query_dict(options).render_as_string(hide_password=False)


@contextmanager
def scratch_schema(
    database_url: str, *, prefix: str, keep: bool = False, migrated: bool = False
) -> Iterator[str]:
    """Yield the URL of a fresh schema holding every table; drop it afterwards unless `keep`.

    `migrated`: made by the migrations instead, for benches that start gatebot's processes
    (they refuse a database that `gatebot db upgrade` has not brought to head).
    """
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(database_url))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(database_url, schema)
    try:
        if migrated:
            upgrade(url)
            yield url
            return
        # Tables from the models, as the tests make them: a bench measures the code, and
        # must not trip over a migration someone is still writing.
        for module in pkgutil.iter_modules(db.__path__):
            if module.name.endswith("models"):
                importlib.import_module(f"db.{module.name}")
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        yield url
    finally:
        if not keep:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
