"""Any Unicode and any JSON at every HTTP boundary: a clear 4xx or an answer, never a 5xx.

Lone surrogates, NUL, direction overrides and zero-width marks go into signed Slack payloads
of every kind (as Slack's JSON escapes carry them), into the metrics API's JSON, and into
the OAuth pages' query strings; unsigned, the same bodies get 401.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.demo.standin.install_browser import get
from bot.demo.standin.slack_requests import Reply
from bot.gates.blocks.answers import ANSWER_CALLBACK
from bot.gates.blocks.decision import DECISION_CALLBACK
from bot.gates.blocks.prompt import ANSWER, DECIDE
from bot.gates.blocks.setup import SETUP_CALLBACK
from bot.home.ids import (
    HOME_ANSWER,
    HOME_DIGEST,
    HOME_HYPOTHESIS,
    HOME_PICK_CHANNEL,
    HOME_WRITE,
    PAGE_ACTIONS,
)
from bot.hypotheses.blocks import DISCARD, EDIT, MODAL_CALLBACK, SAVE
from tests.live_app import OAUTH_SETTINGS
from tests.properties.conftest import QuietApp
from tests.properties.strategies import NASTY, PROPERTY, UNICODE_EDGES
from tests.properties.test_ingestion import Api

FORM, JSON = "application/x-www-form-urlencoded", "application/json"
ACTIONS = [ANSWER, DECIDE, SAVE, EDIT, DISCARD, HOME_ANSWER, HOME_DIGEST, HOME_HYPOTHESIS]
ACTIONS += [HOME_PICK_CHANNEL, HOME_WRITE, *PAGE_ACTIONS, "no_such_action"]
CALLBACKS = [MODAL_CALLBACK, SETUP_CALLBACK, ANSWER_CALLBACK, DECISION_CALLBACK, "no_such_view"]
EVENTS = ["app_home_opened", "app_uninstalled", "tokens_revoked", "message", "no_such_event"]

# Any code point at all (surrogates included), and the edges on purpose.
any_text = st.one_of(
    st.sampled_from(UNICODE_EDGES),
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=()), max_size=24),
)
any_json: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), any_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)
    ),
    max_leaves=12,
)
# A field Slack sends, or anything at all in its place.
field = st.one_of(any_text, any_json)


def _who(team_id: str) -> dict[str, Any]:
    return {
        "user": {"id": "U0PM", "team_id": team_id},
        "team": {"id": team_id},
        "api_app_id": "A0GATEBOT",
        "trigger_id": "trigger.prop",
    }


@st.composite
def slack_bodies(draw: st.DrawFn) -> tuple[str, str]:
    """Return (body, content type) of a Slack request of any kind, odd values throughout."""
    kind = draw(st.sampled_from(["command", "action", "submission", "event"]))
    team = "T0GATEBOT"
    if kind == "command":
        text = draw(st.lists(any_text, max_size=4).map(" ".join))
        command = draw(st.sampled_from(["/hypothesis", "/gate", "/metric", "/digest"]))
        form = {"team_id": team, "channel_id": "C0TEAM", "user_id": "U0PM", "command": command}
        form |= {"text": text, "trigger_id": "trigger.prop"}
        body = urlencode(form, errors="surrogatepass")
        return body, FORM
    if kind == "action":
        action = {"action_id": draw(st.sampled_from(ACTIONS)), "block_id": draw(field)}
        action |= {"type": "button", "value": draw(field)}
        payload = {"type": "block_actions", **_who(team), "actions": [action]}
        payload |= {"channel": {"id": "C0TEAM"}, "view": draw(st.one_of(st.none(), any_json))}
    elif kind == "submission":
        view = {"id": draw(any_text), "callback_id": draw(st.sampled_from(CALLBACKS))}
        view |= {"private_metadata": draw(field), "state": {"values": draw(any_json)}}
        payload = {"type": "view_submission", **_who(team), "view": view}
    else:
        event = {"type": draw(st.sampled_from(EVENTS)), "user": draw(field), "tab": draw(field)}
        event |= draw(st.dictionaries(any_text, any_json, max_size=3))
        body = json.dumps(
            {"type": "event_callback", "team_id": team, "event_id": draw(any_text), "event": event}
        )
        return body, JSON
    return urlencode({"payload": json.dumps(payload)}), FORM


def _post_signed(app: QuietApp, body: str, content_type: str) -> Reply:
    reply = app.live.sender.post(body, content_type=content_type)
    app.settle()
    return reply


@pytest.fixture
def app(quiet_app: Callable[..., QuietApp]) -> QuietApp:
    return quiet_app()


@PROPERTY
@given(request=slack_bodies())
@example(request=(json.dumps({"type": "event_callback", "event": {"user": "\udfff"}}), JSON))
@example(request=(urlencode({"payload": json.dumps({"type": "\udfff\x00"})}), FORM))
@example(request=(urlencode({"payload": json.dumps({"type": "block_actions", "view": [1]})}), FORM))
def test_a_signed_slack_request_of_any_content_is_answered_in_time_and_never_5xx(
    app: QuietApp, request: tuple[str, str]
):
    body, content_type = request

    reply = _post_signed(app, body, content_type)
    unsigned = app.live.sender.post(body, content_type=content_type, signature="v0=" + "0" * 64)

    assert reply.status < 500, (reply.status, reply.body[:300])
    assert reply.seconds < 3
    assert unsigned.status == 401


def _post_with_token(app: QuietApp, token: str) -> tuple[int, Any]:
    """POST an empty batch with `token`; return the status and the JSON answer."""
    request = urllib.request.Request(
        f"{app.live.url}/api/v1/metrics",
        data=b'{"samples": []}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": JSON},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local)
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, json.loads(raw)


@PROPERTY
@given(body=any_json, token=any_text)
@example(body={"samples": [{"name": "x", "value": 1, "at": "\udfff"}]}, token="\x00")
def test_the_metrics_api_answers_any_json_and_any_token_in_json_never_5xx(
    api: Api, body: Any, token: str
):
    answer = api.post(json.dumps(body).encode(), JSON)  # with a valid token
    # A header holds latin-1 only: the odd token's bytes go percent-encoded.
    status, refusal = _post_with_token(api.app, quote(token, errors="surrogatepass"))

    assert answer.status < 500, answer
    assert answer.status == 200 or answer.body.get("message"), answer
    assert status == 401 and refusal.get("message"), refusal


@pytest.fixture
def api(quiet_app: Callable[..., QuietApp]) -> Api:
    return Api(quiet_app())


@pytest.fixture
def oauth_app(quiet_app: Callable[..., QuietApp]) -> QuietApp:
    return quiet_app(slack_bot_token=None, **OAUTH_SETTINGS)


@PROPERTY
@given(
    path=st.sampled_from(["/slack/install", "/slack/oauth_redirect"]),
    query=st.dictionaries(st.sampled_from(["code", "state", "error", "x"]), any_text, max_size=3),
    cookie=any_text,
)
@example(path="/slack/oauth_redirect", query={"code": "\x00", "state": "\udfff"}, cookie="\x00")
def test_the_oauth_pages_answer_any_query_with_a_page_never_5xx(
    oauth_app: QuietApp, path: str, query: dict[str, str], cookie: str
):
    url = f"{oauth_app.live.url}{path}?{urlencode(query, errors='surrogatepass')}"
    state = quote(cookie, errors="surrogatepass")

    page = get(url, cookie=f"slack-app-oauth-state={state}")
    oauth_app.settle()

    assert page.status < 500, (page.status, page.body[:300])
    assert page.body.strip(), "an empty page says nothing"
