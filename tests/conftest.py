"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
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
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(POSTGRES_URL))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """Yield an engine on a fresh database with every table created."""
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)
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
