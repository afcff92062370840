"""Run Alembic migrations from code (`gatebot db upgrade`, the Procfile's release line)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from db.session import make_engine, normalise_url

_DB_DIR = Path(__file__).parent


def alembic_config(database_url: str) -> Config:
    """Build the Alembic config for `database_url`, independent of the working directory."""
    config = Config(str(_DB_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(_DB_DIR / "migrations"))
    # ConfigParser treats % as interpolation; URLs may carry %-escapes.
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> list[str]:
    """Bring the database at `database_url` up to `revision`; return the revisions applied."""
    before = current_revision(database_url)
    command.upgrade(alembic_config(database_url), revision)
    after = current_revision(database_url)
    if after == before:
        return []
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    # iterate_revisions walks from `after` down to (not including) `before`: newest first.
    applied = [script.revision for script in scripts.iterate_revisions(after, before)]
    return list(reversed(applied))


def current_revision(database_url: str) -> str | None:
    """Return the revision the database at `database_url` is at (None: never migrated)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def current_heads() -> tuple[str, ...]:
    """Return the head revision(s) the code expects."""
    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def known_revision(revision: str) -> bool:
    """Return whether `revision` is one of the code's migrations."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:  # "Can't locate revision identified by …"
        return False
