"""`gatebot demo`: the real app, offline, driven through a stand-in Slack, told as a chat."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.demo.scenes.gates import gate_scene
from bot.demo.scenes.home import home_scene
from bot.demo.scenes.install import install_scene
from bot.demo.scenes.metrics import metrics_scene
from bot.demo.scenes.setup import setup_scene
from bot.demo.standin.slack import Call
from bot.demo.standin.slack_requests import selected, text_input
from bot.demo.timeline import at
from bot.demo.world import DemoWorld, database_path, demo_world
from bot.hypotheses.blocks import EDIT, SAVE


def hypothesis_scene(world: DemoWorld) -> None:
    """A vague hypothesis flagged, rewritten through the form, saved and listed."""
    world.out("━━ 3. /hypothesis: a vague goal, flagged, rewritten and put on record ━━")
    world.at(at(world.timeline.setup_day, 14), "the team writes down what it will test")
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


# The rituals in the order a team meets them: installed, set up, a hypothesis, the sprint's
# gate review, the metrics and the digest, then the Home showing what all of them made.
SCENES: list[Callable[[DemoWorld], None]] = [
    install_scene,
    setup_scene,
    hypothesis_scene,
    gate_scene,
    metrics_scene,
    home_scene,
]


def default_folder() -> Path:
    """Where `gatebot demo` keeps its database and chart unless told: one folder, reused."""
    return Path(tempfile.gettempdir()) / "gatebot-demo"


def gatebot_command() -> str:
    """Return how to call gatebot from here: `make demo` runs it from .venv, not from PATH."""
    script = Path(sys.executable).with_name("gatebot")
    if not script.exists():
        return "gatebot"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def run_demo(
    out: Callable[[str], None] = print,
    *,
    folder: Path | None = None,
    after: Callable[[DemoWorld], None] | None = None,
) -> int:
    """Run every scene against a fresh database kept in `folder`; return the exit status.

    `after` sees the world once the scenes ran, before it stops (tests read what was sent).
    """
    folder = folder or default_folder()
    folder.mkdir(parents=True, exist_ok=True)
    out("gatebot demo: the real app, a stand-in Slack on 127.0.0.1, a fresh SQLite database.")
    out("No network, no keys: the falsifiability check runs offline. The clock is simulated:")
    out("the demo walks a team's rituals over the days up to today, in seconds.\n")
    # Bolt turns on OAuth by itself when these are in the environment, whatever the
    # settings say; the demo's apps choose their own mode, so a shell's Slack app config
    # must not leak in.
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        os.environ.pop(name, None)
    with demo_world(folder, out) as world:
        world.output_dir = folder  # type: ignore[attr-defined]
        for scene in SCENES:
            scene(world)
            world.out("")
        if after is not None:
            after(world)
    out("Demo finished: every message above came from the real app over HTTP.")
    out(f"Its database is kept at {database_path(folder)}; try the command line on it:")
    hint = f"DATABASE_URL=sqlite:///{database_path(folder)} {gatebot_command()}"
    out(f"  {hint} digest --project 1 --dry-run")
    return 0
