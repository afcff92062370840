"""Run Alembic migrations from code (`gatebot db upgrade`, the Procfile's release line)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from db.session import normalise_url

_DB_DIR = Path(__file__).parent


def alembic_config(database_url: str) -> Config:
    """Build the Alembic config for `database_url`, independent of the working directory."""
    config = Config(str(_DB_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(_DB_DIR / "migrations"))
    # ConfigParser treats % as interpolation; URLs may carry %-escapes.
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at `database_url` up to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def current_heads() -> tuple[str, ...]:
    """Return the head revision(s) the code expects."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
