"""The demo's world: waiting for the app to be idle, and saying where each post went."""

from __future__ import annotations

from pathlib import Path

from bot.demo.run import _button_value
from bot.demo.scenes.home import open_home
from bot.demo.world import demo_world
from bot.hypotheses.blocks import SAVE

FALSIFIABLE = (
    "Showing in-stock items first will raise purchases per search from 2.0% to 2.2% "
    "for mobile shoppers within 4 weeks."
)


def test_settling_waits_for_a_listener_still_at_work_after_its_ack(tmp_path: Path):
    with demo_world(tmp_path, out=lambda _: None) as world:
        world.say(world.ds, "/hypothesis", FALSIFIABLE)
        [verdict] = world.expect("response_url")
        world.click(world.ds, "Save", SAVE, _button_value(verdict, SAVE))
        # Save acks at once; its listener then posts, replies and queues the Home's redraw.
        world.settle()
        redrawn = [c for c in world.slack.calls("views.publish") if c.args["user_id"] == "U0DANIEL"]
        home = open_home(world, world.ds)
        world.settle()
        after = [c for c in world.slack.calls("views.publish") if c.args["user_id"] == "U0DANIEL"]

    assert len(redrawn) == 1  # the Save's redraw was out before settling returned
    assert len(after) == 2 and after[-1].args["view"] == home  # the opening's own, and no other
