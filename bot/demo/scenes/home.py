"""`gatebot demo`, the Home scene: a person's projects on gatebot's Home tab, one click to answer.

It follows the other scenes in the same world: the project, hypotheses, metrics and escape
alert they created through the app are what the Home shows. It asks the escape gate (the
alert says to) so that a review is waiting, and answers it from the Home.
"""

from __future__ import annotations

from typing import Any

from bot.demo.standin.slack_requests import SlackSender
from bot.demo.timeline import at
from bot.demo.world import DemoWorld
from bot.home.blocks import HOME_ANSWER
from bot.slack.transcript import plain, render_blocks


def home_scene(world: DemoWorld) -> None:
    """Ask the escape gate, open @priya's Home, click its [Answer]: the gate's form opens."""
    world.out("━━ 6. The Home tab: each person's projects, and what waits for their answer ━━")
    world.at(at(world.timeline.today, 10), "the pilot's escape plan is asked for")
    world.say(world.pm, "/gate", "now escape")
    # The escape gate's prompt, in the channel; the digest's thread may still arrive first.
    while "Escape gate" not in str(world.expect("chat.postMessage")[0].args.get("blocks")):
        pass

    world.out(f"\n{_name(world.pm)} opens gatebot's Home tab")
    view = open_home(world, world.pm)
    world.out(f"gatebot publishes {_name(world.pm)}'s Home:\n{render_home(view)}")

    review_id = _button_value(view, HOME_ANSWER)
    world.out(f"\n{_name(world.pm)} clicks [Answer] on the Home")
    world.pm.click_in_view(HOME_ANSWER, review_id, view=view)
    world.expect("views.open")
    world.out("(the same form as the [Answer] on the channel's prompt: answers land in its thread)")


def open_home(world: DemoWorld, who: SlackSender) -> dict[str, Any]:
    """Send app_home_opened as `who`; return the view the app published for them.

    Earlier acts redraw Homes through the queue, some from a listener still running after
    its ack: the app settles first (listeners, then the jobs they queued), so the publish
    counted here is the one this opening caused, not a late redraw from before.
    """
    world.settle()
    before = len(world.slack.calls("views.publish"))
    who.event({"type": "app_home_opened", "user": who.user_id, "channel": "D0HOME", "tab": "home"})
    published = world.slack.wait_for("views.publish", count=before + 1, timeout=15)[before]
    if published.args.get("user_id") != who.user_id:
        raise RuntimeError(f"the Home went to {published.args.get('user_id')}, not {who.user_id}")
    return dict(published.args["view"])


def render_home(view: dict[str, Any]) -> str:
    """Render a Home tab as text, with the buttons beside sections (render_blocks skips those)."""
    lines = []
    for block in view.get("blocks", []):
        text = render_blocks([block], indent="  │ ")
        accessory = block.get("accessory") or {}
        if accessory.get("type") == "button":
            text += f"  [{accessory['text']['text']}]"
        lines.append(text)
    return "  ┌ Home\n" + "\n".join(lines) + "\n  └"


def _button_value(view: dict[str, Any], action_id: str) -> str:
    for block in view.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise RuntimeError(f"the Home had no {action_id} button")


def _name(who: SlackSender) -> str:
    return plain(f"<@{who.user_id}>")
