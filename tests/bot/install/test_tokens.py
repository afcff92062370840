"""Install tokens at rest: sealed in the raw rows, opened for each request, rotated by the CLI.

The raw rows of slack_sdk's tables are read straight from the database; the app, running
over real HTTP, must still answer each team with its own token; `gatebot keys rotate` runs
as a process, as an operator runs it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from bot.core.sealing import Sealer, new_key
from bot.demo.standin.slack import SlackStandIn
from db.models.slack import bots, installations
from tests.live_app import SEAL_KEY, LiveApp
from tests.served import GATEBOT

TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


def _raw_rows(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as connection:
        return [
            dict(row)
            for table in (installations, bots)
            for row in connection.execute(select(table)).mappings()
        ]


def _stored_tokens(engine: Engine) -> list[str]:
    return [
        str(row[column])
        for row in _raw_rows(engine)
        for column in TOKEN_COLUMNS
        if row.get(column) is not None
    ]


def _answered_with(live: LiveApp, team_id: str) -> str | None:
    """Open the hypothesis form as someone in `team_id`; return the token Slack was called with."""
    before = len(live.slack.calls("views.open"))
    reply = live.sender_for(team_id).command("/hypothesis")
    live.slack.wait_for("views.open", count=before + 1)
    assert reply.status == 200
    return live.slack.calls("views.open")[-1].token


def _rotate(database_url: str, keys: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "GATEBOT_SEAL_KEYS": keys}
    return subprocess.run(
        [*GATEBOT, "keys", "rotate"], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def _plain_again(engine: Engine, team_id: str, token: str) -> None:
    """Write `token` back in plain text, as a row stored before sealing existed holds it."""
    with engine.begin() as connection:
        for table in (installations, bots):
            connection.execute(
                update(table).where(table.c.team_id == team_id).values(bot_token=token)
            )


def test_the_install_store_holds_no_token_in_plain_text(
    start_app: Callable[..., LiveApp], slack: SlackStandIn
):
    live = start_app(oauth=True)
    live.install("T0ACME")
    live.install("T0BETA")
    issued = {team: slack.token_for(team) for team in ("T0ACME", "T0BETA")}

    raw = repr(_raw_rows(live.engine))
    stored = _stored_tokens(live.engine)

    assert "xox" not in raw
    assert len(stored) == 4 and all(token.startswith("gAAAAA") for token in stored)
    assert {Sealer([SEAL_KEY]).open(token) for token in stored} == set(issued.values())
    assert _answered_with(live, "T0ACME") == issued["T0ACME"]
    assert _answered_with(live, "T0BETA") == issued["T0BETA"]


def test_a_plain_row_from_before_sealing_works_until_rotate_seals_it(
    start_app: Callable[..., LiveApp], slack: SlackStandIn, database_url: str, tmp_path: Path
):
    live = start_app(oauth=True)
    live.install("T0ACME")
    token = slack.token_for("T0ACME") or ""
    _plain_again(live.engine, "T0ACME", token)

    answered_plain = _answered_with(live, "T0ACME")
    rotated = _rotate(database_url, SEAL_KEY, tmp_path)

    assert answered_plain == token
    assert rotated.returncode == 0, rotated.stderr
    assert "re-sealed 2 tokens with the newest key, 2 of them stored in plain text" in (
        rotated.stdout
    )
    assert "xox" not in repr(_raw_rows(live.engine))
    assert _answered_with(live, "T0ACME") == token


def test_rotation_reseals_everything_so_the_old_key_can_be_dropped(
    start_app: Callable[..., LiveApp], slack: SlackStandIn, database_url: str, tmp_path: Path
):
    newer = new_key()
    live = start_app(oauth=True)
    live.install("T0ACME")
    sealed_before = _stored_tokens(live.engine)

    rotated = _rotate(database_url, f"{newer},{SEAL_KEY}", tmp_path)
    after = start_app(oauth=True, gatebot_seal_keys=newer)  # the old key gone

    assert rotated.returncode == 0, rotated.stderr
    assert "re-sealed 2 tokens with the newest key, 0 of them stored in plain text" in (
        rotated.stdout
    )
    stored = _stored_tokens(live.engine)
    assert stored != sealed_before
    assert {Sealer([newer]).open(token) for token in stored} == {slack.token_for("T0ACME")}
    assert _answered_with(after, "T0ACME") == slack.token_for("T0ACME")


def test_rotate_without_the_key_that_sealed_a_token_says_so_and_changes_nothing(
    start_app: Callable[..., LiveApp], database_url: str, tmp_path: Path
):
    live = start_app(oauth=True)
    live.install("T0ACME")
    before = _raw_rows(live.engine)

    rotated = _rotate(database_url, new_key(), tmp_path)

    assert rotated.returncode == 1
    assert "2 tokens were sealed with a key no longer in GATEBOT_SEAL_KEYS" in rotated.stderr
    assert "Traceback" not in rotated.stderr
    assert _raw_rows(live.engine) == before


@pytest.mark.parametrize("keys", ["", "not-a-key"])
def test_rotate_without_a_usable_key_names_the_setting(
    database_url: str, tmp_path: Path, keys: str
):
    rotated = _rotate(database_url, keys, tmp_path)

    assert rotated.returncode == 2
    assert rotated.stderr.startswith("gatebot: GATEBOT_SEAL_KEYS is ")
    assert len(rotated.stderr.splitlines()) == 1
