"""/metric update as an announced edit: before → after to the channel once, and on the record."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from typing import Any

from sqlmodel import Session, select

from bot.slack.posting import key_of
from db.models.changes import RecordChange
from tests.handlers.gate_steps import texts
from tests.live_app import LiveApp
from tests.metric_helpers import make_project

DEFINE = "define relevance_rating model_health higher_is_better warn=0.75 breach=0.72"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def _setup(live: LiveApp) -> int:
    with Session(live.engine) as session:
        project = make_project(
            session, team_id=live.slack.team_id, channel_id=live.sender.channel_id
        )
        session.commit()
        assert project.id is not None
        return project.id


def _metric(live: LiveApp, text: str) -> dict[str, Any]:
    """Send `/metric text`, return the reply, once the jobs it queued have run."""
    before = len(live.slack.calls("response_url"))
    reply = live.sender.command("/metric", text)
    assert reply.status == 200 and reply.seconds < 3
    answered = live.slack.wait_for("response_url", count=before + 1)[-1].args
    live.worker.wait_until_drained()
    return answered


def _announced(live: LiveApp) -> list[str]:
    """Return what the channel reads of each announced edit, oldest first."""
    return [
        texts(message.get("blocks") or [])
        for message in live.slack.messages(live.sender.channel_id)
        if (key_of(message) or "").startswith("edit:metric:")
    ]


def _changes(live: LiveApp) -> list[tuple[str, str | None, str | None, str]]:
    with Session(live.engine) as session:
        rows = session.exec(select(RecordChange).order_by(RecordChange.id)).all()
        return [(row.field, row.before, row.after, row.changed_by) for row in rows]


def test_a_threshold_edit_is_announced_once_even_when_slack_retries_the_request(
    live_app: LiveApp,
):
    _setup(live_app)
    _metric(live_app, DEFINE)
    body = live_app.sender.command_body("/metric", "update relevance_rating breach=0.70")
    signed_at = int(time.time())

    first = live_app.sender.post(body, timestamp=signed_at)
    retried = live_app.sender.post(body, timestamp=signed_at, headers=RETRY)
    reply = live_app.slack.wait_for("response_url", count=2)[-1].args
    live_app.worker.wait_until_drained()
    # Sent once more, signed afresh: the metric already reads so, so there is nothing to tell.
    again = _metric(live_app, "update relevance_rating breach=0.70")

    assert (first.status, retried.status, retried.body) == (200, 200, "")
    assert first.seconds < 3
    [announced] = _announced(live_app)
    assert f"<@{live_app.sender.user_id}> changed the shared metric `relevance_rating`" in announced
    assert "*breach*: below 0.72 → below 0.70" in announced
    assert "*warn*" not in announced  # only what moved
    assert reply["response_type"] == "ephemeral"
    assert "*breach*: below 0.72 → below 0.70" in texts(reply["blocks"])
    assert "Nothing changed" in texts(again["blocks"])
    assert _changes(live_app) == [("breach", "below 0.72", "below 0.70", "U0PM")]


def test_an_edit_that_changes_nothing_posts_nothing_and_records_nothing(live_app: LiveApp):
    _setup(live_app)
    _metric(live_app, DEFINE)
    posts = len(live_app.slack.calls("chat.postMessage"))

    same = _metric(live_app, "update relevance_rating warn=0.75 breach=0.720 owner=me")

    assert same["response_type"] == "ephemeral"
    assert "Nothing changed: `relevance_rating` already reads so." in texts(same["blocks"])
    assert len(live_app.slack.calls("chat.postMessage")) == posts
    assert _changes(live_app) == []


def test_a_new_unit_is_one_change_not_also_one_of_each_threshold(live_app: LiveApp):
    _setup(live_app)
    _metric(live_app, DEFINE)

    reply = _metric(live_app, "update relevance_rating unit=%")

    [announced] = _announced(live_app)
    assert "*unit*: _none_ → %" in announced and "breach" not in announced
    assert "*unit*: _none_ → %" in texts(reply["blocks"])
    assert _changes(live_app) == [("unit", None, "%", "U0PM")]


def test_an_owner_change_and_a_guardrail_link_and_its_removal_are_announced(live_app: LiveApp):
    _setup(live_app)
    _metric(live_app, "define completion product higher_is_better breach=0.3")
    _metric(live_app, "define discovery product higher breach=0.1")

    _metric(live_app, "update discovery owner=<@U0DS|dana> guardrail-of=completion max-drop=2%")
    _metric(live_app, "update discovery guardrail-of=none")

    linked, removed = _announced(live_app)
    assert "*owner*: <@U0PM> → <@U0DS>" in linked
    assert "*guardrail*: _none_ → of completion, may drop at most 2% of its level" in linked
    assert "*guardrail*: of completion, may drop at most 2% of its level → _none_" in removed
    assert "owner" not in removed
    assert _changes(live_app) == [
        ("owner", "U0PM", "U0DS", "U0PM"),
        ("guardrail", None, "of completion, may drop at most 2% of its level", "U0PM"),
        ("guardrail", "of completion, may drop at most 2% of its level", None, "U0PM"),
    ]


def test_a_refused_edit_keeps_the_metric_and_announces_nothing(live_app: LiveApp):
    _setup(live_app)
    _metric(live_app, DEFINE)

    refused = _metric(live_app, "update relevance_rating warn=0.70")  # warn below breach

    assert "must be at or below the warn threshold" in refused["text"]
    assert _announced(live_app) == [] and _changes(live_app) == []


def test_the_announced_edits_are_served_on_the_record(live_app: LiveApp):
    project_id = _setup(live_app)
    _metric(live_app, DEFINE)
    _metric(live_app, "update relevance_rating warn=0.8 breach=0.7 direction=higher")
    shown = _metric(live_app, "token read")
    token = re.search(r"gbt_[A-Za-z0-9_-]{40,}", texts(shown["blocks"])).group(0)  # type: ignore[union-attr]

    request = urllib.request.Request(
        f"{live_app.url}/api/v1/projects/{project_id}/changes",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the local app)
        served = json.loads(response.read())["data"]

    assert [(c["field"], c["before"], c["after"], c["who"]) for c in served] == [
        ("warn", "below 0.75", "below 0.80", "U0PM"),
        ("breach", "below 0.72", "below 0.70", "U0PM"),
    ]
    assert served[0]["subject_kind"] == "metric" and served[0]["subject"] == "relevance_rating"
    assert served[0]["edit_key"] == served[1]["edit_key"]  # one edit, one announcement
    assert len(_announced(live_app)) == 1
