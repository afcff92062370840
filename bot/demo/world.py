"""The demo's world: the stand-in Slack, the real app on a fresh database, a sender per person.

Everything runs on the demo's one simulated clock: the app, its worker and the clock's
passes the scenes run all read `utcnow()` from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from slack_bolt import App
from sqlalchemy import Engine
from sqlmodel import Session

from bot.app import create_app, start_embedded_worker
from bot.core.request_ids import ContextThreadPoolExecutor
from bot.core.settings import load_settings
from bot.core.time import time_source, utcnow
from bot.demo.clock import SimulatedClock
from bot.demo.standin.serving import serve_wsgi
from bot.demo.standin.slack import Call, SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from bot.demo.timeline import ZONE, Timeline, timeline_for
from bot.gates import time_zone
from bot.queue.embedded import EmbeddedWorker
from bot.slack.transcript import display_names, plain, render_blocks, render_view
from bot.web import create_web_app
from db import heartbeats
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
    timeline: Timeline
    clock: SimulatedClock
    settle: Callable[[], None]  # waits until the listeners and the worker are done
    out: Callable[[str], None] = print
    # Says the worker and the clock are running at the simulated now (see `keep_alive`).
    alive: Callable[[], None] = lambda: None
    # Every stand-in Slack of the run, the install scene's own too: what the app sent to each.
    standins: list[SlackStandIn] = field(default_factory=list)
    _seen: dict[str, int] = field(default_factory=dict)

    def at(self, moment: datetime, what: str) -> None:
        """Move the clock forward to `moment` once the app is idle, and say when it is."""
        self.settle()  # nothing in flight: a lease never sees the clock jump under it
        now = self.clock.move_to(moment).astimezone(time_zone(ZONE))
        self.alive()
        self.out(f"\n── {now:%a %-d %b, %H:%M} London time: {what} ──")

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

    def expect(self, method: str, count: int = 1, *, show: bool = True) -> list[Call]:
        """Wait for the app's next `count` calls of `method` and show them as a reader sees them."""
        seen = self._seen.get(method, 0)
        fresh = self.slack.wait_for(method, count=seen + count, timeout=15)[seen : seen + count]
        self._seen[method] = seen + count
        for call in fresh if show else ():
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
            "chat.postMessage": _where_posted(str(args.get("channel", ""))),
        }.get(call.method, call.method)
        if args.get("thread_ts"):
            where += ", in the thread"
        body = render_blocks(args["blocks"]) if args.get("blocks") else "  " + plain(args["text"])
        self.out(f"gatebot ({where}):\n{body}")


def _settle(bolt: App, worker: EmbeddedWorker) -> None:
    """Wait until the app is idle: its listeners done, then every job they queued.

    A listener goes on after its ack (Save posts, replies, then queues the Home's redraw), so
    the queue alone can look drained while a redraw is still to be queued; the next scene
    would then read that late publish as its own.
    """
    executor = bolt.listener_runner.listener_executor
    if isinstance(executor, ContextThreadPoolExecutor):
        executor.wait_idle()
    worker.wait_until_drained()


def _where_posted(channel: str) -> str:
    """Return where a post went: the team's channel, or whose DM (several people may get one)."""
    if channel.startswith("C"):
        return CHANNEL
    return f"DM to {plain(f'<@{channel}>')}" if channel.startswith(("U", "W")) else "DM"


def keep_alive(*, worker: EmbeddedWorker, engine: Engine) -> None:
    """Record the worker's and the clock's heartbeats at the simulated now.

    The worker beats every few real seconds, and the scenes run the clock's passes only when
    something is due; a jump of days would otherwise read as both stopped ("has not run
    for 8640 min") on /gate status and the Home. In the simulated team's week both run
    throughout: the passes between the scenes' ones find nothing due.
    """
    worker.worker.beat()
    with Session(engine) as session:
        heartbeats.beat(session=session, process="clock", now=utcnow())
        session.commit()


def _ack_text(body: str) -> str:
    if not body:
        return ""
    try:
        return str(json.loads(body).get("text", ""))
    except (ValueError, AttributeError):
        return body


def database_path(workdir: Path) -> Path:
    """Where the demo keeps its SQLite database."""
    return workdir / "demo.db"


@contextmanager
def demo_world(
    workdir: Path, out: Callable[[str], None] = print, *, today: date | None = None
) -> Iterator[DemoWorld]:
    """Start the stand-in Slack and the real app on a fresh, migrated SQLite database.

    The simulated clock starts on the set-up morning of a timeline that ends `today`
    (the team's today by default).
    """
    timeline = timeline_for(today or utcnow().astimezone(time_zone(ZONE)).date())
    clock = SimulatedClock(timeline.start)
    path = database_path(workdir)
    path.unlink(missing_ok=True)  # a kept database of an earlier run
    database_url = f"sqlite:///{path}"
    names = {"U0PRIYA": "priya", "U0DANIEL": "daniel", "C0TEAM": "ai-team"}
    # The scenes add their own names (the install scene's teams); all go when the world does.
    with display_names(names), time_source(clock), SlackStandIn() as slack:
        upgrade(database_url)
        slack.set_user("U0PRIYA", tz="Europe/London", name="priya", real_name="Priya (PM)")
        slack.set_user("U0DANIEL", tz="Europe/London", name="daniel", real_name="Daniel (DS)")
        settings = load_settings(
            _env_file=None,
            slack_bot_token="xoxb-demo",  # noqa: S106 (the stand-in accepts any token)
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack.api_url,
            database_url=database_url,
            openai_api_key=None,
            # Single-workspace, whatever the shell exports: the install scene runs an OAuth app.
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

            yield DemoWorld(
                slack,
                sender("U0PRIYA"),
                sender("U0DANIEL"),
                engine,
                timeline=timeline,
                clock=clock,
                settle=lambda: _settle(bolt, worker),
                out=out,
                alive=lambda: keep_alive(worker=worker, engine=engine),
                standins=[slack],
            )
        finally:
            bolt.listener_runner.listener_executor.shutdown(wait=True)
            worker.wait_until_drained()
            worker.stop()
            server.stop()
            engine.dispose()
