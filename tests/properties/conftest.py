"""One real app per test function, serving every generated example, settled between examples.

Hypothesis runs many examples through one app, so each example must start from a quiet app:
work left over from the previous example (a reply still being sent, an escape check) would
be mistaken for this one's. With one listener thread and one job thread, a no-op queued
behind them runs only once everything queued before it has finished.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import Engine, MetaData, select
from sqlmodel import SQLModel

from bot.app import create_app
from bot.core.settings import load_settings
from bot.demo.standin.serving import LocalServer, serve_wsgi
from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import Reply, SlackSender
from bot.falsifiability.service import FalsifiabilityChecker
from bot.slack.jobs import BackgroundJobs
from bot.web import create_web_app
from tests.live_app import SIGNING_SECRET, LiveApp

_examples = itertools.count(1)
# Each reply shows up in the stand-in as one of these calls.
REPLY_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update")
# What a refused input may still touch: bookkeeping times, and the receipt that dedupes
# Slack's re-sends of the request itself and the signature that refuses its replay.
_VOLATILE = {"last_used_at", "updated_at", "received_at"}
_BOOKKEEPING = {"slack_receipts", "seen_signatures", "ingest_rate_hits"}


@dataclass
class Answered:
    """One slash command's HTTP reply and everything the app sent because of it."""

    typed: str
    reply: Reply
    messages: list[dict[str, Any]]  # the ack's text, response_url posts, chat posts
    opened_views: list[dict[str, Any]]


class QuietApp:
    """A LiveApp whose background work can be waited for without stopping it."""

    def __init__(self, live: LiveApp) -> None:
        self.live = live

    def __repr__(self) -> str:
        return f"QuietApp({self.live.url}, {self.live.engine.url.get_backend_name()})"

    def settle(self) -> None:
        """Return once every listener and job started so far has finished."""
        executor = self.live.bolt.listener_runner.listener_executor  # type: ignore[attr-defined]
        executor.submit(lambda: None).result(timeout=60)
        for _ in range(2):  # a job may queue one more (an escape check after a record)
            self.live.jobs.submit(lambda **_: None).result(timeout=60)

    def command(self, command: str, text: str) -> Answered:
        """Send `command text` as Slack would; return the reply and all it caused, settled."""
        key = f"example-{next(_examples)}"
        sender = replace(self.live.sender, response_url=self.live.slack.response_url(key))
        body = sender.command_body(command, text)
        trigger = parse_qs(body)["trigger_id"][0]
        before = {m: len(self.live.slack.calls(m)) for m in REPLY_METHODS}
        reply = sender.post(body)
        self.settle()
        messages = []
        if reply.body:  # Bolt acks bare text as text/plain, anything more as JSON
            plain = not reply.body.startswith("{")
            messages.append({"text": reply.body} if plain else reply.json())
        calls = self.live.slack.calls
        messages += [c.args for c in calls("response_url") if c.key == key]
        for method, count in before.items():
            messages += [c.args for c in calls(method)[count:]]
        views = [c.args["view"] for c in calls("views.open") if c.args["trigger_id"] == trigger]
        return Answered(text, reply, messages, views)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Return every stored row of every table (minus bookkeeping times), in id order."""
        return snapshot(self.live.engine)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Return every stored row of every table (minus bookkeeping times), in key order."""
    metadata: MetaData = SQLModel.metadata
    rows = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name in _BOOKKEEPING:
                continue
            columns = [c for c in table.columns if c.name not in _VOLATILE]
            order = list(table.primary_key.columns) or columns
            found = connection.execute(select(*columns).order_by(*order))
            rows[table.name] = [tuple(row) for row in found]
    return rows


@pytest.fixture
def quiet_app(
    engine: Engine, database_url: str, slack: SlackStandIn
) -> Iterator[Callable[..., QuietApp]]:
    """Yield a factory starting the real app over HTTP with one listener and one job thread."""
    started: list[tuple[LocalServer, LiveApp]] = []

    def start(**overrides: object) -> QuietApp:
        settings = load_settings(
            _env_file=None,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack.api_url,
            database_url=database_url,
            gatebot_listener_threads=1,
            **{"slack_bot_token": "xoxb-test-token", **overrides},
        )
        checker = FalsifiabilityChecker.from_settings(settings)
        jobs = BackgroundJobs(engine=engine, checker=checker, max_workers=1)
        bolt = create_app(settings=settings, engine=engine, checker=checker, jobs=jobs)
        server = serve_wsgi(create_web_app(bolt_app=bolt, engine=engine))
        sender = SlackSender(
            events_url=f"{server.url}/slack/events",
            signing_secret=SIGNING_SECRET,
            team_id=slack.team_id,
            response_url=slack.response_url("command"),
        )
        live = LiveApp(server.url, sender, slack, engine, settings, bolt, jobs)
        started.append((server, live))
        return QuietApp(live)

    yield start
    for server, live in started:
        live.drain()
        server.stop()
