"""The demo's Home scene: after the other scenes, @priya's Home shows their work, [Answer] works."""

from __future__ import annotations

import re
from pathlib import Path

from bot.demo.run import SCENES
from bot.demo.scenes.home import home_scene
from bot.demo.world import demo_world
from bot.gates.blocks.answers import ANSWER_CALLBACK


def read(lines: list[str]) -> str:
    """What the scene printed as one line of words: frames, bullets and wrapping dropped."""
    words = (re.sub(r"^[\s│┌└·]+", "", line) for text in lines for line in text.splitlines())
    return re.sub(r"\s+", " ", " ".join(words))


def test_the_home_shows_what_the_other_scenes_made_and_answers_from_it(tmp_path: Path):
    lines: list[str] = []

    with demo_world(tmp_path, out=lines.append) as world:
        world.output_dir = tmp_path / "out"  # type: ignore[attr-defined]
        for scene in SCENES[: SCENES.index(home_scene)]:  # as `gatebot demo` runs them
            scene(world)
        before = len(lines)
        home_scene(world)
        *_, home = world.slack.calls("views.publish")  # earlier ones: redrawn after acts
        [*_, form] = world.slack.calls("views.open")

    told = read(lines[before:])
    home_at = told.index("gatebot publishes @priya's Home:")
    click_at = told.index("@priya clicks [Answer] on the Home")
    # The Home, as @priya reads it: her project, the review waiting for her, the team's work.
    shown = told[home_at:click_at]
    assert "You take part in 1 project." in shown
    assert "1 gate review awaits your answers in 1 project." in shown
    assert "Shop recommendations · #ai-team" in shown and "you: PM lead" in shown
    assert "Escape gate awaits your answers · 0 of 4 answered" in shown
    assert re.search(r"Escape gate awaits your answers [^[]*\[Answer\]", shown)
    assert "Hypotheses · 2 on record" in shown
    # discovery_rate fell past its guardrail: the purchases hypothesis's lift does not count.
    assert "#1 ✔ falsifiable · 🟠 at risk: `discovery_rate` voids its lift · yours" in shown
    assert "Flagged metrics · 3 of 5" in shown and "Relevance rating 0.70" in shown
    assert "⛔ discovery_rate 18.4% · −1.7 pts (−8.3%) on last week" in shown
    assert "[Digest preview]" in shown
    assert home.args["user_id"] == "U0PRIYA"
    # The click opens the gate's answer form, the one the channel's prompt opens.
    opened = told[click_at:]
    assert "gatebot opens a form: Answer the gate Escape gate: Shop recommendations" in opened
    assert "What are the rollback triggers?: …" in opened and "[Save answers]" in opened
    assert form.args["view"]["callback_id"] == ANSWER_CALLBACK
