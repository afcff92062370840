"""The demo's set-up and gate scenes: the clock asks, reminds; answers, a nudge, the test's size."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from bot.demo.scenes.gates import gate_scene
from bot.demo.scenes.setup import setup_scene
from bot.demo.world import demo_world
from db.models.gates import GateReview


def test_the_gate_scenes_go_through_a_sprint_on_the_demos_clock(tmp_path: Path):
    lines: list[str] = []

    with demo_world(tmp_path, out=lines.append) as world:
        setup_scene(world)
        gate_scene(world)
        [_, reminder, *_] = world.slack.calls("chat.postMessage")[1:]
        with Session(world.engine) as session:
            sprint_review = session.exec(select(GateReview).order_by(col(GateReview.id))).first()

    told = "\n".join(lines)
    assert "set up gate reviews for Shop recommendations" in told
    assert told.count("┌ Gate set-up") == 1  # opened, then filled in: shown once
    assert "sprint 2 starts; the clock's pass asks its review" in told
    assert "Sprint 2 boundary review: Shop recommendations" in told
    # The reminder, in the prompt's thread, names the leads nobody heard from; Priya's status
    # says she is away, so Daniel is named in her place.
    assert sprint_review is not None
    assert reminder.args["thread_ts"] == sprint_review.message_ts
    assert "@daniel: nobody has answered the Sprint boundary review for sprint 2" in told
    assert "priya is away (🌴 Vacationing), so @daniel stands in." in told
    assert "<@U0PRIYA>" not in reminder.args["text"]
    assert "It reads as vague" in told and "only visible to you" in told
    assert "4 answers from 2 people" in told
    assert "Sample size and duration: ≈120,000 users per arm" in told
    assert "the test needs 28 days (4 weeks)" in told
    assert "recorded the decision on the Sprint 2 boundary review: Iterate" in told
    assert "Next prompt:" in told
