"""`gatebot demo`: the real app, offline, driven through a stand-in Slack, told as a chat."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from bot.app import create_app, start_embedded_worker
from bot.blocks.hypothesis import EDIT, SAVE
from bot.demo_gates import gate_scene
from bot.demo_home import home_scene
from bot.demo_install import install_scene
from bot.demo_metrics import metrics_scene
from bot.settings import load_settings
from bot.standin.serving import serve_wsgi
from bot.standin.slack import Call, SlackStandIn
from bot.standin.slack_requests import SlackSender, selected, text_input
from bot.standin.transcript import NAMES, plain, render_blocks, render_view
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
            bolt.listener_runner.listener_executor.shutdown(wait=True)  # type: ignore[attr-defined]
            worker.wait_until_drained()
            worker.stop()
            server.stop()
            engine.dispose()


def hypothesis_scene(world: DemoWorld) -> None:
    """A vague hypothesis flagged, rewritten through the form, saved and listed."""
    world.out("━━ 1. /hypothesis: a vague goal, flagged, rewritten and put on record ━━")
    world.say(world.pm, "/hypothesis", "Improve recommendation relevance.")
    [verdict] = world.expect("response_url")
    draft_id = _button_value(verdict, EDIT)

    world.click(world.pm, "Edit", EDIT, draft_id)
    [opened] = world.expect("views.open")
    world.out("\n@priya fills in what was missing and clicks [Check and save]")
    world.pm.submit_view(
        opened.args["view"],
        {
            "change": {
                "change": text_input("re-ranking recommendations to filter out-of-stock items")
            },
            "population": {"population": text_input("mobile shoppers")},
            "outcome_metric": {
                "outcome_metric": text_input("purchases per recommendation session")
            },
            "direction": {"direction": selected("increase")},
            "magnitude": {"magnitude": text_input("from 3.1% to at least 3.3%")},
            "time_window": {"time_window": text_input("a two-week A/B test")},
            "reason": {"reason": text_input("out-of-stock recommendations end sessions")},
            "falsification": {"falsification": text_input("")},
        },
    )
    world.expect("chat.postMessage")
    world.expect("chat.postEphemeral")

    world.say(
        world.ds,
        "/hypothesis",
        "Spam classifier precision will stay at or above 97% "
        "while recall rises from 80% to 88% on the March holdout set.",
    )
    [verdict] = world.expect("response_url")
    saved_id = _button_value(verdict, SAVE)
    world.click(world.ds, "Save", SAVE, saved_id)
    world.click(world.ds, "Save", SAVE, saved_id)
    world.out("(a double click: the hypothesis is saved and posted once)")
    world.expect("chat.postMessage")
    world.expect("response_url", count=2)

    world.say(world.pm, "/hypothesis", "list")
    world.expect("response_url")


def _button_value(call: Call, action_id: str) -> str:
    for block in call.args.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise RuntimeError(f"the app's message had no {action_id} button")


# In this order: the Home shows what the first three created; the install scene runs a
# second app of its own.
SCENES: list[Callable[[DemoWorld], None]] = [
    hypothesis_scene,
    gate_scene,
    metrics_scene,
    home_scene,
    install_scene,
]


def run_demo(out: Callable[[str], None] = print) -> int:
    """Run every scene against a fresh database; return the exit status."""
    out("gatebot demo: the real app, a stand-in Slack on 127.0.0.1, a fresh SQLite database.")
    out("No network, no keys: the falsifiability check runs offline.\n")
    # Bolt turns on OAuth by itself when these are in the environment, whatever the
    # settings say; the demo's apps choose their own mode, so a shell's Slack app config
    # must not leak in.
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        os.environ.pop(name, None)
    with (
        tempfile.TemporaryDirectory(prefix="gatebot-demo-") as tmp,
        demo_world(Path(tmp), out) as world,
    ):
        for scene in SCENES:
            scene(world)
            world.out("")
    out("Demo finished: every message above came from the real app over HTTP.")
    return 0
