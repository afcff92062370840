"""The demo's gate scene runs end to end against the real app and a migrated database."""

from __future__ import annotations

from pathlib import Path

from bot.demo.scenes.gates import gate_scene
from bot.demo.world import demo_world


def test_the_gate_scene_goes_through_a_sprint(tmp_path: Path):
    lines: list[str] = []

    with demo_world(tmp_path, out=lines.append) as world:
        gate_scene(world)

    told = "\n".join(lines)
    assert "set up gate reviews for Shop recommendations" in told
    assert "Sprint 2 boundary review: Shop recommendations" in told
    assert "It reads as vague" in told and "only visible to you" in told
    assert "4 answers from 2 people" in told
    assert "recorded the decision on the Sprint 2 boundary review: Iterate" in told
    assert "Next prompt:" in told
