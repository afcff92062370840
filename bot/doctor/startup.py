"""The checks each command runs before it starts, and the whole set `gatebot doctor` runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.settings import Settings, SettingsError
from bot.doctor.database import check_database
from bot.doctor.heartbeats import check_heartbeats, watched
from bot.doctor.problems import Problem, SelfCheckFailed
from bot.doctor.slack import check_app_token, check_bot_token
from db.session import make_engine

logger = logging.getLogger(__name__)

ROLES = ("serve", "socket", "clock", "worker", "doctor")


@dataclass
class Report:
    """What a self-check found: problems to fix, and notes on what is fine."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def missing_settings(settings: Settings, *, role: str) -> list[Problem]:
    """Return a problem per setting `role` needs and does not have, not just the first."""
    serving = role == "serve" or (role == "doctor" and not settings.slack_app_token)
    requirements: list[Callable[[], None]] = [lambda: settings.require_slack(serving=False)]
    if serving:
        requirements.append(lambda: settings.require("SLACK_SIGNING_SECRET"))
    if role == "socket":
        requirements.append(lambda: settings.require("SLACK_APP_TOKEN"))
    problems = []
    for requirement in requirements:
        try:
            requirement()
        except SettingsError as error:
            problems.append(Problem(str(error), error))
    return problems


def self_check(settings: Settings, *, role: str) -> Report:
    """Run the checks `role` depends on: settings, database, Slack tokens (doctor: heartbeats)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    report = Report(problems=missing_settings(settings, role=role))
    database = check_database(settings.database_url)
    report.problems += database.problems
    if not database.problems:
        report.notes.append(f"database at {database.revision}")
    if not settings.oauth_enabled:
        problems, team = check_bot_token(settings)
        report.problems += problems
        if team:
            report.notes.append(f"bot token accepted for {team}")
    if role == "socket" or (role == "doctor" and settings.slack_app_token):
        problems = check_app_token(settings)
        report.problems += problems
        if settings.slack_app_token and not problems:
            report.notes.append("app-level token opens Socket Mode connections")
    if role in {"doctor", "serve", "socket"} and not database.problems:
        _heartbeats(settings, report, fatal=role == "doctor")
    return report


def _heartbeats(settings: Settings, report: Report, *, fatal: bool) -> None:
    # A web process may start before the clock (`make run` starts them together), so only
    # the doctor counts a silent clock as a problem; serve and socket log it.
    engine = make_engine(settings.database_url)
    try:
        problems, notes = check_heartbeats(engine=engine, expected=watched(settings))
    finally:
        engine.dispose()
    report.notes += notes
    if fatal:
        report.problems += problems
    for problem in problems if not fatal else []:
        logger.warning("%s", problem.line)


def require_healthy(settings: Settings, *, role: str) -> None:
    """Raise SelfCheckFailed, listing every problem, unless `role` can start."""
    report = self_check(settings, role=role)
    if report.problems:
        raise SelfCheckFailed(report.problems)
