"""The demo's world: the stand-in Slack, the real app on a fresh database, a sender per person."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from bot.app import create_app, start_embedded_worker
from bot.core.settings import load_settings
from bot.demo.standin.serving import serve_wsgi
from bot.demo.standin.slack import Call, SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from bot.slack.transcript import NAMES, plain, render_blocks, render_view
from bot.web import create_web_app
from db.migrate import upgrade
from db.session import make_engine

SIGNING_SECRET = "demo-signing-secret"  # noqa: S105 (the stand-in's, not a real secret)
CHANNEL = "#ai-team"


@dataclass
class DemoWorld:
    """Everything a scene needs: the stand-in Slack, a signed sender per person, the database."""

    slack: SlackStandIn
    pm: SlackSender
    ds: SlackSender
    engine: Engine
    out: Callable[[str], None] = print
    _seen: dict[str, int] = field(default_factory=dict)

    def say(self, who: SlackSender, command: str, text: str = "") -> None:
        """Send a slash command as a person and show what they saw at once."""
        self.out(f"\n{plain(f'<@{who.user_id}>')} in {CHANNEL}:  {command} {text}".rstrip())
        reply = who.command(command, text)
        ack = _ack_text(reply.body)
        timing = f"answered in {reply.seconds * 1000:.0f} ms"
        if ack:
            self.out(f"gatebot ({timing}, only visible to you): {plain(ack)}")
        else:
            self.out(f"gatebot ({timing})")

    def click(self, who: SlackSender, label: str, action_id: str, value: str) -> None:
        """Click a button as a person."""
        self.out(f"\n{plain(f'<@{who.user_id}>')} clicks [{label}]")
        who.click(action_id, value)

    def expect(self, method: str, count: int = 1) -> list[Call]:
        """Wait for the app's next `count` calls of `method` and show them as a reader sees them."""
        seen = self._seen.get(method, 0)
        fresh = self.slack.wait_for(method, count=seen + count, timeout=15)[seen : seen + count]
        self._seen[method] = seen + count
        for call in fresh:
            self.show(call)
        return fresh

    def show(self, call: Call) -> None:
        """Print one thing the app did in Slack."""
        args = call.args
        if call.method in {"views.open", "views.update"}:
            self.out("gatebot opens a form:\n" + render_view(args["view"]))
            return
        where = {
            "response_url": "only visible to you"
            if args.get("response_type") != "in_channel"
            else CHANNEL,
            "chat.postEphemeral": "only visible to you",
            "chat.postMessage": CHANNEL if str(args.get("channel", "")).startswith("C") else "DM",
        }.get(call.method, call.method)
        if args.get("thread_ts"):
            where += ", in the thread"
        body = render_blocks(args["blocks"]) if args.get("blocks") else "  " + plain(args["text"])
        self.out(f"gatebot ({where}):\n{body}")


def _ack_text(body: str) -> str:
    if not body:
        return ""
    try:
        return str(json.loads(body).get("text", ""))
    except (ValueError, AttributeError):
        return body


@contextmanager
def demo_world(workdir: Path, out: Callable[[str], None] = print) -> Iterator[DemoWorld]:
    """Start the stand-in Slack and the real app on a fresh, migrated SQLite database."""
    database_url = f"sqlite:///{workdir / 'demo.db'}"
    NAMES.update({"U0PRIYA": "priya", "U0DANIEL": "daniel", "C0TEAM": "ai-team"})
    upgrade(database_url)
    with SlackStandIn() as slack:
        slack.set_user("U0PRIYA", tz="Europe/London", real_name="Priya (PM)")
        slack.set_user("U0DANIEL", tz="Europe/London", real_name="Daniel (DS)")
        settings = load_settings(
            _env_file=None,
            slack_bot_token="xoxb-demo",  # noqa: S106 (the stand-in accepts any token)
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack.api_url,
            database_url=database_url,
            openai_api_key=None,
            # Single-workspace, whatever the shell exports: scene 5 starts its own OAuth app.
            slack_client_id=None,
            slack_client_secret=None,
            slack_state_secret=None,
        )
        engine = make_engine(database_url)
        bolt = create_app(settings=settings, engine=engine)
        worker = start_embedded_worker(settings=settings, engine=engine, bolt=bolt)
        server = serve_wsgi(create_web_app(bolt_app=bolt, engine=engine))
        try:

            def sender(user_id: str) -> SlackSender:
                return SlackSender(
                    events_url=f"{server.url}/slack/events",
                    signing_secret=SIGNING_SECRET,
                    team_id=slack.team_id,
                    user_id=user_id,
                    response_url=slack.response_url(user_id),
                )

            yield DemoWorld(slack, sender("U0PRIYA"), sender("U0DANIEL"), engine, out)
        finally:
            bolt.listener_runner.listener_executor.shutdown(wait=True)
            worker.wait_until_drained()
            worker.stop()
            server.stop()
            engine.dispose()
