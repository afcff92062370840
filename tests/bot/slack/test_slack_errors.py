"""Which Slack failures are worth trying again, and the words a team reads for them."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web import SlackResponse

from bot.slack.failures import SlackFailure, call_slack


def _raise(error: Exception):
    def call() -> SlackResponse:
        raise error

    return call


def _api_error(status: int, code: str) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=status,
    )
    return SlackApiError(message=code, response=response)


@pytest.mark.parametrize(
    ("error", "code", "transient"),
    [
        (_api_error(200, "channel_not_found"), "channel_not_found", False),
        (_api_error(200, "ratelimited"), "ratelimited", True),
        (_api_error(503, "service_unavailable"), "service_unavailable", True),
        (ConnectionResetError("reset by peer"), "unreachable", True),
        (SlackRequestError("a file argument that is not a file"), "bad_request", False),
    ],
)
def test_each_failure_says_whether_trying_again_can_help(error, code, transient):
    with pytest.raises(SlackFailure) as raised:
        call_slack(_raise(error))

    assert (raised.value.code, raised.value.transient) == (code, transient)
    assert raised.value.message


def test_a_refusal_names_what_to_fix_and_the_code():
    with pytest.raises(SlackFailure) as raised:
        call_slack(_raise(_api_error(200, "not_in_channel")))

    assert raised.value.message == (
        "gatebot is not in the channel: invite it with /invite @gatebot (not_in_channel)"
    )


def test_a_failure_on_slacks_side_does_not_read_as_a_refusal():
    with pytest.raises(SlackFailure) as raised:
        call_slack(_raise(_api_error(503, "fatal_error")))

    assert raised.value.transient
    assert raised.value.message == (
        "Slack had a problem on its side; gatebot will try again (fatal_error)"
    )
