"""Each long-running entry point, started with one bad setting, says which in one line, exit 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.demo.standin.slack import SlackStandIn
from tests.bot.doctor.cli_runs import closed_port, copy_of, good_env, run

# `clock --once` rather than `clock`: if the check let a bad setting through, the test
# ends with a pass instead of hanging in a loop.
ENTRIES = {
    "serve": ("serve", "--port", "0"),
    "socket": ("socket",),
    "clock": ("clock", "--once"),
    "doctor": ("doctor",),
}


Breaks = Callable[[dict[str, str], SlackStandIn, Path], None]


def _malformed_url(env: dict[str, str], _slack: SlackStandIn, _tmp: Path) -> None:
    env["DATABASE_URL"] = "notaurl"


def _unreachable_database(env: dict[str, str], _slack: SlackStandIn, _tmp: Path) -> None:
    env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{closed_port()}/gatebot"


def _not_migrated(env: dict[str, str], _slack: SlackStandIn, tmp: Path) -> None:
    env["DATABASE_URL"] = f"sqlite:///{tmp / 'empty.db'}"


def _rejected_bot_token(_env: dict[str, str], slack: SlackStandIn, _tmp: Path) -> None:
    slack.fail("auth.test", "invalid_auth")


def _rejected_app_token(_env: dict[str, str], slack: SlackStandIn, _tmp: Path) -> None:
    slack.fail("apps.connections.open", "invalid_auth")


def _bot_token_as_app_token(env: dict[str, str], _slack: SlackStandIn, _tmp: Path) -> None:
    env["SLACK_APP_TOKEN"] = "xoxb-not-an-app-token"


def _no_bot_token(env: dict[str, str], _slack: SlackStandIn, _tmp: Path) -> None:
    del env["SLACK_BOT_TOKEN"]


def _no_signing_secret(env: dict[str, str], _slack: SlackStandIn, _tmp: Path) -> None:
    del env["SLACK_SIGNING_SECRET"]


def _no_app_token(env: dict[str, str], _slack: SlackStandIn, _tmp: Path) -> None:
    del env["SLACK_APP_TOKEN"]


# (what breaks, the entries it stops, the words the one line must hold)
CASES: list[tuple[Breaks, tuple[str, ...], tuple[str, ...]]] = [
    (_malformed_url, tuple(ENTRIES), ("DATABASE_URL is malformed",)),
    (_unreachable_database, tuple(ENTRIES), ("DATABASE_URL: cannot connect", "Connection refused")),
    (_not_migrated, tuple(ENTRIES), ("DATABASE_URL", "run `gatebot db upgrade`")),
    (
        _rejected_bot_token,
        tuple(ENTRIES),
        ("SLACK_BOT_TOKEN was rejected by Slack (invalid_auth)",),
    ),
    (_rejected_app_token, ("socket", "doctor"), ("SLACK_APP_TOKEN was rejected by Slack",)),
    (_bot_token_as_app_token, ("socket", "doctor"), ("SLACK_APP_TOKEN is not an app-level token",)),
    (_no_bot_token, tuple(ENTRIES), ("SLACK_BOT_TOKEN is not set",)),
    (_no_signing_secret, ("serve",), ("SLACK_SIGNING_SECRET is not set",)),
    (_no_app_token, ("socket",), ("SLACK_APP_TOKEN is not set",)),
]

PARAMS = [
    pytest.param(entry, breaks, words, id=f"{entry}-{breaks.__name__.strip('_')}")
    for breaks, entries, words in CASES
    for entry in entries
]


@pytest.mark.parametrize(("entry", "breaks", "words"), PARAMS)
def test_one_bad_setting_is_one_line_naming_it_and_exit_2(
    entry: str,
    breaks: Breaks,
    words: tuple[str, ...],
    tmp_path: Path,
    slack: SlackStandIn,
    migrated_sqlite_template: Path,
):
    env = good_env(slack, copy_of(migrated_sqlite_template, tmp_path))
    breaks(env, slack, tmp_path)

    result = run(*ENTRIES[entry], env=env, cwd=tmp_path)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("gatebot: ")
    for word in words:
        assert word in line


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path, slack: SlackStandIn):
    env = good_env(slack, "notaurl")
    del env["SLACK_SIGNING_SECRET"]
    slack.fail("auth.test", "invalid_auth")

    result = run("serve", env=env, cwd=tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(" ")[1] for line in lines] == [
        "SLACK_SIGNING_SECRET",
        "DATABASE_URL",
        "SLACK_BOT_TOKEN",
    ]


def test_verbose_adds_what_was_caught(
    tmp_path: Path, slack: SlackStandIn, migrated_sqlite_template: Path
):
    env = good_env(slack, copy_of(migrated_sqlite_template, tmp_path))
    slack.fail("auth.test", "invalid_auth")

    result = run("--verbose", "clock", "--once", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("gatebot: SLACK_BOT_TOKEN was rejected by Slack")
    assert "Traceback" in result.stderr and "SlackApiError" in result.stderr


def test_good_settings_let_the_clock_run(
    tmp_path: Path, slack: SlackStandIn, migrated_sqlite_template: Path
):
    env = good_env(slack, copy_of(migrated_sqlite_template, tmp_path))

    result = run("clock", "--once", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("gatebot: clock pass:")
    assert [call.token for call in slack.calls("auth.test")] == ["xoxb-good"]
