"""Steps shared by the Home tab's integration tests: open it, read it, press its buttons."""

from __future__ import annotations

from typing import Any

from bot.demo.standin.calls import Call
from bot.demo.standin.slack_requests import SlackSender
from bot.slack.transcript import plain
from tests.handlers.gate_steps import answers, eventually
from tests.live_app import LiveApp


def read(view: dict[str, Any]) -> str:
    """Return what a person reads in a view, line by line as written, buttons in [ ]."""
    lines = []
    for block in view["blocks"]:
        if "text" in block:
            lines.append(plain(block["text"]["text"]))
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "mrkdwn":
                lines.append(plain(element["text"]))
            elif element.get("type") == "button":
                lines.append(f"[{element['text']['text']}]")
    return "\n".join(lines)


def buttons(view: dict[str, Any], action_id: str) -> list[str]:
    """Return the values of the view's buttons with `action_id`, in order."""
    return [
        element["value"]
        for block in view["blocks"]
        for element in [*block.get("elements", []), block.get("accessory") or {}]
        if element.get("action_id") == action_id
    ]


def stored(live: LiveApp, count: int) -> None:
    """Wait until `count` answers are stored: the app saves them after its ack."""

    def check() -> None:
        assert len(answers(live)) == count

    eventually(check)


def kept(live: LiveApp, call: Call) -> dict[str, Any]:
    """Return the Home `call` published as Slack keeps it: with the id and hash a click on it
    sends back. Fails if Slack refused that publish (another Home is on the tab)."""
    home = live.slack.home_of(call.args["user_id"])
    assert home is not None and home["blocks"] == call.args["view"]["blocks"]
    assert len(home["blocks"]) <= 100
    return home


def open_home(live: LiveApp, sender: SlackSender | None = None) -> dict[str, Any]:
    """Open the Home tab as `sender` and return the view the app published for them."""
    sender = sender or live.sender
    published = len(live.slack.calls("views.publish"))
    reply = sender.event(
        {"type": "app_home_opened", "user": sender.user_id, "channel": "D0HOME", "tab": "home"}
    )
    assert reply.status == 200 and reply.seconds < 3
    call = live.slack.wait_for("views.publish", count=published + 1)[-1]
    assert call.args["user_id"] == sender.user_id
    return kept(live, call)


def next_home(live: LiveApp, user_id: str, *, after: int) -> dict[str, Any]:
    """Wait for a Home published to `user_id` after the first `after` publishes; return it.

    No app_home_opened is sent: this is the app redrawing the tab on its own.
    """

    def arrived() -> Call:
        calls = live.slack.calls("views.publish")[after:]
        mine = [c for c in calls if c.args["user_id"] == user_id]
        assert mine, f"no Home published to {user_id}"
        return mine[-1]

    return kept(live, eventually(arrived))


def click(live: LiveApp, view: dict[str, Any], action_id: str, value: str, **kw: Any) -> str:
    """Press a button of a view as the live sender (or `sender=`); return the Slack method
    the app answered with ("views.open", "views.publish", …) once it arrived."""
    sender: SlackSender = kw.pop("sender", live.sender)
    method = kw.pop("expect", "views.open")
    before = len(live.slack.calls(method))
    reply = sender.click_in_view(action_id, value, view=view, **kw)
    assert reply.status == 200 and reply.seconds < 3
    live.slack.wait_for(method, count=before + 1)
    return method


def opened(live: LiveApp) -> dict[str, Any]:
    """Return the modal the app opened last."""
    return live.slack.calls("views.open")[-1].args["view"]


def published(live: LiveApp) -> dict[str, Any]:
    """Return the Home published last, as Slack keeps it."""
    return kept(live, live.slack.calls("views.publish")[-1])
