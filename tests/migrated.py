"""A database migrated to head for tests that need one, without running Alembic per test.

The migrations run once per test process into a SQLite template; each test starts from a copy
of it (a file copy takes milliseconds, the migrations seconds). A PostgreSQL schema cannot be
copied, so there they run in-process, without a `gatebot` subprocess's start-up. That
`gatebot db upgrade` applies them is tested on its own, as a command (tests/bot/doctor).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from db.migrate import upgrade
from db.session import make_engine, normalise_url


def migrated_template(directory: Path) -> Path:
    """Return a SQLite file in `directory` migrated to head, its WAL folded in."""
    path = directory / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:  # fold the WAL into the file, so a copy has it all
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return this test process's SQLite template, migrated to head (copy it, never open it)."""
    return migrated_template(tmp_path_factory.mktemp("migrated"))


def migrate(database_url: str, template: Path | None) -> None:
    """Bring the empty database at `database_url` to head: a copy of `template` on SQLite."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() != "sqlite" or template is None:
        upgrade(database_url)
        return
    path = Path(url.database or "")
    if path.exists():
        raise FileExistsError(f"{path} exists: a migrated copy goes only where no database is")
    shutil.copyfile(template, path)


@pytest.fixture
def migrated_sqlite(tmp_path: Path, migrated_sqlite_template: Path) -> str:
    """Return the URL of a fresh SQLite database at head, a copy of the template."""
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    migrate(url, migrated_sqlite_template)
    return url
