"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL when configured).

Every table is made once per test process, not per test: a SQLite test starts from a copy of a
file holding them, a PostgreSQL one runs the statements create_all would, in one round trip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, create_mock_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401
import db.models.digests  # noqa: F401  (registers tables)
import db.models.gates  # noqa: F401
import db.models.metrics  # noqa: F401
from db.session import make_engine, normalise_url

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
# CI sets this: there, a PostgreSQL test that cannot run is a failure, not a skip.
REQUIRE_POSTGRES = os.environ.get("GATEBOT_REQUIRE_POSTGRES") == "1"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

pytest_plugins = [
    "tests.fakes.catch_all",
    "tests.fakes.openai_server",
    "tests.live_app",
    "tests.migrated",
    "tests.processes",
]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """Keep the developer's own settings out of every test."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "OPENAI_", "GATEBOT_")) or name in {"DATABASE_URL", "PORT"}:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))  # no stray .env, no gatebot.db in the repo
    from bot.core.settings import get_settings

    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _transcript_names() -> Iterator[None]:
    """Give each test the transcript's display names it started with: demo scenes add theirs."""
    from bot.slack.transcript import NAMES

    before = dict(NAMES)
    yield
    NAMES.clear()
    NAMES.update(before)


def _postgres_schema_url(schema: str) -> str:
    url = make_url(normalise_url(POSTGRES_URL or ""))
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


class _Schemas:
    """Creates the tests' PostgreSQL schemas, and drops them on a thread of its own.

    A test's teardown hands its schema over and goes on: the drop (every table's files, a
    few tenths of a second) overlaps the next test instead of holding it up. The session
    waits for the last drops, and one that failed fails it.
    """

    def __init__(self, url: str) -> None:
        self._admin = create_engine(normalise_url(url))
        self._drops = ThreadPoolExecutor(max_workers=1, thread_name_prefix="schema-drops")
        self._dropping: list[Future[None]] = []

    def create(self) -> str:
        schema = f"test_{uuid.uuid4().hex[:12]}"
        with self._admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        return schema

    def drop_soon(self, schema: str) -> None:
        self._dropping.append(self._drops.submit(self._drop, schema))

    def _drop(self, schema: str) -> None:
        with self._admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    def close(self) -> None:
        self._drops.shutdown(wait=True)
        self._admin.dispose()
        failed = [drop.exception() for drop in self._dropping if drop.exception()]
        if failed:
            raise RuntimeError(f"{len(failed)} test schema(s) could not be dropped") from failed[0]


@pytest.fixture(scope="session")
def _postgres_schemas() -> Iterator[_Schemas]:
    """Yield what creates and drops this test process's PostgreSQL schemas."""
    schemas = _Schemas(POSTGRES_URL or "")
    yield schemas
    schemas.close()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Yield the URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gatebot.db'}"
        return
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("GATEBOT_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    schemas: _Schemas = request.getfixturevalue("_postgres_schemas")
    schema = schemas.create()
    try:
        yield _postgres_schema_url(schema)
    finally:
        schemas.drop_soon(schema)


@pytest.fixture(scope="session")
def _sqlite_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a SQLite file holding every table, empty (copy it, never open it)."""
    path = tmp_path_factory.mktemp("tables") / "tables.db"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    with engine.connect() as connection:  # fold the WAL into the file, so a copy has it all
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_tables() -> str:
    """Return the statements create_all sends PostgreSQL for every table, as one script."""
    statements: list[str] = []

    def collect(ddl, *_args, **_kwargs) -> None:  # type: ignore[no-untyped-def]
        statements.append(str(ddl.compile(dialect=mock.dialect)).strip())

    mock = create_mock_engine(make_url("postgresql+psycopg://"), collect)  # type: ignore[arg-type]
    SQLModel.metadata.create_all(mock, checkfirst=False)
    return ";\n".join(statements)


@pytest.fixture
def engine(database_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Yield an engine on a fresh database with every table created."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        engine = make_engine(database_url)
        with engine.begin() as connection:  # a new schema: nothing to check first
            connection.exec_driver_sql(request.getfixturevalue("_postgres_tables"))
    elif Path(url.database or "").exists():  # another fixture made it: add what it lacks
        engine = make_engine(database_url)
        SQLModel.metadata.create_all(engine)
    else:
        shutil.copyfile(request.getfixturevalue("_sqlite_tables"), url.database or "")
        engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """Yield a session on the fresh database."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    """Say in one line what was skipped and why, instead of a SKIPPED line per test."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: dict[str, int] = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    parts = sorted(reasons.items(), key=lambda item: -item[1])
    terminalreporter.write_line(
        f"{len(skipped)} skipped: " + "; ".join(f"{count} × {why}" for why, count in parts)
    )
