"""`gatebot demo` as a whole: one simulated clock, every ritual in order, payloads Slack takes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.demo.run import run_demo
from bot.demo.standin.calls import Call
from bot.demo.world import DemoWorld, database_path
from tests.payloads import payload_problems, sent

HEADER = re.compile(r"^── (\w{3} \d{1,2} \w{3}), (\d\d:\d\d) London time: (.*) ──$")
STAMP = re.compile(r"(last change|asked) \w{3} (\d{1,2} \w{3} \d{4}), (\d\d:\d\d)")


class Run:
    """One whole demo run: what it printed, what every stand-in received, where it kept data."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.lines, self.calls = folder, [], []

        def keep(world: DemoWorld) -> None:
            self.year = world.timeline.today.year
            self.calls = [call for slack in world.standins for call in slack.calls()]

        self.status = run_demo(self.lines.append, folder=folder, after=keep)
        self.told = "\n".join(self.lines)

    def moments(self) -> list[tuple[datetime, str]]:
        """The transcript's time headers, as moments, with what happens then."""
        found = (HEADER.match(line) for text in self.lines for line in text.splitlines())
        return [
            (datetime.strptime(f"{m[1]} {self.year} {m[2]}", "%a %d %b %Y %H:%M"), m[3])
            for m in found
            if m
        ]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return Run(tmp_path_factory.mktemp("demo"))


def test_the_demo_walks_every_ritual_in_order_on_one_clock(run: Run):
    assert run.status == 0
    moments = run.moments()
    assert [at for at, _ in moments] == sorted(at for at, _ in moments)
    order = [
        "gatebot is installed",
        "/hypothesis vague",
        "sprint 2 starts",
        "the clock reminds the leads",
        "only @daniel sees the nudge",
        "Sample size and duration",
        "@priya picks Iterate",
        "POST /api/v1/metrics",
        "🚨 Escape alert",
        "Weekly digest: Shop recommendations",
        "gatebot publishes @priya's Home",
    ]
    told = run.told.replace("/hypothesis Improve recommendation relevance.", "/hypothesis vague")
    places = [told.index(step) for step in order]
    assert places == sorted(places)


def test_every_time_shown_is_on_the_demos_clock_never_ahead_of_it(run: Run):
    header: datetime | None = None
    prompt_posted = next(at for at, what in run.moments() if "sprint 2 starts" in what)
    stamps = []
    for text in run.lines:
        for line in text.splitlines():
            if found := HEADER.match(line):
                header = datetime.strptime(f"{found[1]} {run.year} {found[2]}", "%a %d %b %Y %H:%M")
            for kind, day, clock in STAMP.findall(line):
                stamp = datetime.strptime(f"{day} {clock}", "%d %b %Y %H:%M")
                assert header is not None and stamp <= header + timedelta(minutes=5)
                stamps.append((kind, stamp))
    answers = [stamp for kind, stamp in stamps if kind == "last change"]
    assert answers and min(answers) > prompt_posted  # answered after the review was posted


def test_only_saved_hypotheses_are_numbered_and_the_setup_form_shows_once(run: Run):
    assert "✔ Saved hypothesis #1 and posted it to #ai-team." in run.told
    assert "✔ Saved hypothesis #2 and posted it to #ai-team." in run.told
    assert "Saved hypothesis #3" not in run.told
    assert run.told.count("┌ Gate set-up") == 1
    assert "nobody has answered the Sprint boundary review for sprint 2 yet" in run.told
    assert "≈120,000 users per arm (240,000 total)" in run.told


def test_the_worker_and_clock_run_on_the_demos_clock_and_each_dm_says_whose(run: Run):
    # Days pass between scenes: the status and the Home must not call the running app stopped.
    assert "Gate reviews: Shop recommendations" in run.told and "┌ Home" in run.told
    assert "has not run" not in run.told and "has never run" not in run.told
    # The escape alert pages two deciders: two DMs, each saying who it went to.
    assert run.told.count("gatebot (DM to @priya):\n  🚨 Escape alert") == 1
    assert run.told.count("gatebot (DM to @daniel):\n  🚨 Escape alert") == 1
    assert "gatebot (DM):" not in run.told


def test_every_payload_the_demo_sends_parses_and_fits_slack(run: Run):
    shown = sent(run.calls)
    methods = {call.method for call in shown}

    assert payload_problems(shown) == []
    assert len(shown) > 50  # the whole run, both apps: not a handful
    assert {"chat.postMessage", "chat.update", "response_url", "views.open"} <= methods
    assert {"views.update", "views.publish", "chat.postEphemeral"} <= methods


def test_the_payload_check_finds_what_slack_would_refuse():
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}}
    too_long = Call("chat.postMessage", {"blocks": [section] * 5}, {}, 0.0)
    too_many = Call("views.publish", {"view": {"type": "home", "blocks": [section] * 101}}, {}, 0)
    fine = Call("chat.postMessage", {"blocks": [section] * 4}, {}, 0.0)

    assert payload_problems([too_long, too_many, fine]) == [
        "chat.postMessage: Slack would answer msg_blocks_too_long",
        "views.publish: Slack would answer invalid_blocks (home)",
    ]


def test_the_database_is_kept_and_the_cli_runs_on_it(run: Run):
    path = database_path(run.folder)
    hint = re.search(r"DATABASE_URL=sqlite:///(\S+) (\S+) digest --project 1 --dry-run", run.told)
    assert hint and hint[1] == str(path)
    # The venv's own script, as `make demo` leaves no gatebot on PATH (relative to where the
    # demo ran: the checkout).
    script = Path(__file__).resolve().parents[3] / hint[2]
    assert script.is_file() and script.samefile(Path(sys.executable).with_name("gatebot"))

    digest = subprocess.run(
        [sys.executable, "-m", "bot.cli", "digest", "--project", "1", "--dry-run"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert digest.returncode == 0, digest.stderr
    assert "Weekly digest: Shop recommendations" in digest.stdout
    assert "Relevance rating 0.70" in digest.stdout


def test_gatebot_demo_keep_puts_the_database_where_asked_and_says_so(tmp_path: Path):
    kept = tmp_path / "kept"
    demo = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--keep", str(kept)],
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert demo.returncode == 0, demo.stderr
    assert f"Its database is kept at {kept / 'demo.db'}" in demo.stdout
    assert (kept / "demo.db").stat().st_size > 0
    assert (kept / "gatebot-demo-digest-chart.png").read_bytes().startswith(b"\x89PNG")
