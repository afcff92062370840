"""What the command line prints when a command fails: one line per problem, no traceback."""

from __future__ import annotations

import traceback

from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.core.errors import GatebotError
from bot.core.settings import SettingsError, get_settings
from bot.doctor.database import malformed_url, unreachable
from bot.doctor.problems import Problem, SelfCheckFailed, first_line


def explain_failure(error: Exception, *, verbose: bool) -> list[str] | None:
    """Return the lines to print for `error`; None means "unexpected: let it raise" (verbose)."""
    problems = _problems(error)
    if problems is None:
        if verbose:
            return None
        problems = [
            Problem(
                f"unexpected error ({type(error).__name__}: {first_line(error)}): "
                "run again with --verbose for the traceback",
                error,
            )
        ]
    lines = []
    for problem in problems:
        lines.append(f"gatebot: {problem.line}")
        if verbose and problem.error is not None:
            lines.append("".join(traceback.format_exception(problem.error)).rstrip())
    return lines


def _problems(error: Exception) -> list[Problem] | None:
    if isinstance(error, SelfCheckFailed):
        return error.problems
    if isinstance(error, SettingsError | GatebotError):
        return [Problem(str(error), error)]
    # A command that reached the database without the self-check (import-csv, digest).
    if isinstance(error, ArgumentError | NoSuchModuleError):
        return [malformed_url(get_settings().database_url, error)]
    if isinstance(error, DBAPIError) and _connecting(error):
        return [unreachable(get_settings().database_url, error)]
    return None


def _connecting(error: DBAPIError) -> bool:
    # Only a failure to connect is DATABASE_URL's fault; a failed statement is a bug to see.
    return (
        bool(error.connection_invalidated)
        or "connect" in str(error.orig).lower()
        or ("unable to open database file" in str(error.orig))
    )
