"""The metrics API's limit, 60 requests a minute per token, is one limit for every process.

Two `gatebot serve` processes on one database take turns answering one token's requests:
together they allow 60, then both answer 429 with Retry-After; another token is unaffected.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from bot.demo.standin.slack import SlackStandIn
from bot.metrics import api, tokens
from db import rate_limits
from db.session import make_engine
from tests.metric_helpers import make_project
from tests.served import serving


def _post(url: str, token: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(
        f"{url}/api/v1/metrics",
        data=json.dumps({"samples": []}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def _tokens(database_url: str) -> tuple[str, str]:
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        project = make_project(session, team_id="T0GATEBOT")
        other = make_project(session, team_id="T0GATEBOT", channel_id="C0OTHER")
        first = tokens.create(session=session, project_id=project.id or 0, created_by="U0PM")
        second = tokens.create(session=session, project_id=other.id or 0, created_by="U0PM")
        session.commit()
    engine.dispose()
    return first.plaintext, second.plaintext


def test_two_server_processes_share_one_limit(
    tmp_path: Path, database_url: str, migrated_sqlite_template: Path
):
    with SlackStandIn() as slack:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-limit-test",
            "SLACK_SIGNING_SECRET": "limit-secret",
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
        }
        with serving(
            env, cwd=tmp_path, processes=2, migrated_from=migrated_sqlite_template
        ) as servers:
            token, other = _tokens(database_url)

            allowed = [_post(servers[n % 2], token)[0] for n in range(api.RATE_LIMIT)]
            over = [_post(url, token) for url in servers]
            unaffected = _post(servers[1], other)[0]

    assert allowed == [200] * api.RATE_LIMIT
    assert [status for status, _ in over] == [429, 429]
    assert all(1 <= int(headers["Retry-After"]) <= 60 for _, headers in over)
    assert unaffected == 200


def test_a_token_is_allowed_again_once_its_oldest_request_is_a_minute_old(engine):  # type: ignore[no-untyped-def]
    start = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    window = timedelta(seconds=60)

    def take(at: datetime) -> float:
        with engine.begin() as connection:
            return rate_limits.take(
                connection=connection, token_id=7, limit=2, window=window, now=at
            )

    assert take(start) == 0 and take(start + timedelta(seconds=10)) == 0
    assert take(start + timedelta(seconds=20)) == 40  # the oldest leaves the window at 60 s
    assert take(start + timedelta(seconds=60)) == 0  # it did; its row is pruned
    assert take(start + timedelta(seconds=61)) == 9
