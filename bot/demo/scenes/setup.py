"""`gatebot demo`, the set-up scene: the team's project, its sprints and its leads, via /gate."""

from __future__ import annotations

from typing import Any

from bot.demo.standin.slack_requests import (
    picked_conversation,
    picked_date,
    picked_time,
    picked_user,
    selected,
    text_input,
)
from bot.demo.timeline import ZONE, at
from bot.demo.world import DemoWorld

CHANNEL_ID = "C0TEAM"


def setup_scene(world: DemoWorld) -> None:
    """Set up the project: 14-day sprints, the current one ending tomorrow, two leads."""
    world.out("━━ 2. /gate setup: the team's project, its sprints and who decides ━━")
    world.at(at(world.timeline.setup_day, 11), "the team sets gatebot up")
    world.say(world.pm, "/gate", "setup")
    world.expect("views.open", show=False)
    # The form opens at once and is then filled in with the profile's zone: show it once.
    [filled] = world.expect("views.update")
    world.out("(the form opened at once; the time zone came from @priya's Slack profile)")
    values: dict[str, Any] = {
        "name": text_input("Shop recommendations"),
        "channel": picked_conversation(CHANNEL_ID),
        "sprint_length": {"type": "number_input", "value": "14"},
        "sprint_start": picked_date(world.timeline.sprint_start.isoformat()),
        "timezone": text_input(ZONE),
        "prompt_time": picked_time("09:30"),
        "pm_lead": picked_user(world.pm.user_id),
        "ds_lead": picked_user(world.ds.user_id),
        "phase": selected("iteration"),
    }
    world.out("\n@priya fills in the form and clicks [Save]")
    world.pm.submit_view(filled.args["view"], {key: {key: v} for key, v in values.items()})
    world.expect("chat.postMessage")
