"""Slack payload shapes Bolt can read, and the ones refused before it tries."""

import pytest

from bot.slack.shapes import shape_problem


def test_payloads_as_slack_sends_them_pass():
    click = {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "a"}]}

    assert shape_problem(click) is None
    assert shape_problem({"type": "event_callback", "event": {"type": "app_home_opened"}}) is None
    assert shape_problem({"command": "/gate", "text": "now", "channel": None}) is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([], "the body is not an object"),
        ({"view": [1, True]}, "view is not an object"),
        ({"user": "U1"}, "user is not an object"),
        ({"actions": {"action_id": "a"}}, "actions is not a list of objects"),
        ({"actions": ["a"]}, "actions is not a list of objects"),
        ({"view": {"type": 7}}, "view.type is not text"),
    ],
)
def test_other_shapes_are_named(body: object, problem: str):
    assert shape_problem(body) == problem
