"""The demo's metrics scene runs end to end: the API, an escape alert, the digest and its chart."""

from __future__ import annotations

from pathlib import Path

from bot.demo.scenes.metrics import CHART_NAME, metrics_scene
from bot.demo.world import demo_world

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_metrics_scene_feeds_the_api_pages_the_breach_and_posts_the_digest(tmp_path: Path):
    lines: list[str] = []
    out = tmp_path / "out"

    with demo_world(tmp_path, out=lines.append) as world:
        world.output_dir = out  # type: ignore[attr-defined]
        metrics_scene(world)
        alerts = [c for c in world.slack.calls("chat.postMessage") if "Weekly" not in str(c.args)]

    told = "\n".join(lines)
    assert "POST /api/v1/metrics: 385 values over 77 days" in told
    assert "POST /api/v1/metrics: 35 values over 7 days" in told
    assert any("relevance_rating" in str(alert.args) for alert in alerts)  # the escape alert
    assert "Weekly digest: Shop recommendations" in told
    assert "1 breach" in told and "the lift does not count" in told
    assert "⛔ 1 voiding its primary's lift" in told  # discovery_rate, counted, not "ok"
    assert "⛔ discovery_rate 18.4% · −1.7 pts (−8.3%) on last week" in told
    assert "The chart of the 3 flagged metrics against their thresholds" in told
    assert "`relevance_rating`) at 0.70 is below its rollback\n  trigger of 0.72" in told
    assert f"is saved at {out / CHART_NAME}" in told
    assert (out / CHART_NAME).read_bytes().startswith(PNG)
