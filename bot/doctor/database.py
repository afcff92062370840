"""Database checks: DATABASE_URL readable, the database reachable, migrated to the code's head."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.core.settings import without_password as describe_url
from bot.doctor.problems import Problem, first_line
from db.migrate import current_heads, current_revision, known_revision

EXAMPLE_URLS = "e.g. sqlite:///gatebot.db or postgresql://user:password@host:5432/gatebot"
UPGRADE = "run `gatebot db upgrade`"


@dataclass(frozen=True)
class DatabaseState:
    """What the check learnt: the problems, and the revision the database is at."""

    problems: list[Problem]
    revision: str | None = None


def malformed_url(url: str, error: BaseException) -> Problem:
    """Return the problem of a DATABASE_URL SQLAlchemy cannot read (the value is not shown:
    a URL mistyped around its password would print the password)."""
    what = "not a database URL"
    if isinstance(error, NoSuchModuleError):
        what = f"no database driver for {url.partition(':')[0]!r}"
    return Problem(f"DATABASE_URL is malformed ({what}): set it to a URL, {EXAMPLE_URLS}", error)


def unreachable(url: str, error: BaseException) -> Problem:
    """Return the problem of a database that does not answer at DATABASE_URL."""
    reason = first_line(getattr(error, "orig", None) or error)
    return Problem(
        f"DATABASE_URL: cannot connect to {describe_url(url)} ({reason}): "
        "start the database or fix DATABASE_URL",
        error,
    )


def check_database(url: str, *, migrated: bool = True) -> DatabaseState:
    """Connect to `url` and, if `migrated`, check it is at the head revision the code expects."""
    try:
        revision = current_revision(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        return DatabaseState([malformed_url(url, error)])
    except DBAPIError as error:
        return DatabaseState([unreachable(url, error)])
    if not migrated:
        return DatabaseState([], revision)
    return DatabaseState(_migration_problems(revision), revision)


def _migration_problems(revision: str | None) -> list[Problem]:
    heads = current_heads()
    head = ", ".join(heads)
    if revision in heads:
        return []
    if revision is None:
        return [Problem(f"DATABASE_URL: the database has no gatebot tables yet: {UPGRADE}")]
    if known_revision(revision):
        return [
            Problem(
                f"DATABASE_URL: the database is at {revision}, this gatebot needs {head}: {UPGRADE}"
            )
        ]
    return [
        Problem(
            f"DATABASE_URL: the database is at {revision}, a revision this gatebot does not "
            f"know (a newer version migrated it): run that version, or point DATABASE_URL "
            f"at another database"
        )
    ]
