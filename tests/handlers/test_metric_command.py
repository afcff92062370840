"""/metric through the real app: signed HTTP in, what the stand-in Slack received out."""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.error
import urllib.request
from datetime import timedelta

from sqlmodel import Session, select

from bot.hypotheses import service as hypotheses
from db.columns import utcnow
from db.models import Hypothesis, HypothesisStatus
from db.models.metrics import IngestToken, Metric, MetricSample
from tests.handlers.test_hypothesis_command import _texts
from tests.live_app import LiveApp
from tests.metric_helpers import make_project

DEFINE = "define relevance_rating model_health higher_is_better warn=0.75 breach=0.72"


def _setup(live: LiveApp, **kwargs: object) -> int:
    with Session(live.engine) as session:
        project = make_project(
            session, team_id=live.slack.team_id, channel_id=live.sender.channel_id, **kwargs
        )
        session.commit()
        assert project.id is not None
        return project.id


def _metric(live: LiveApp, text: str, *, sender=None) -> dict:  # type: ignore[no-untyped-def]
    """Send `/metric text` and return what the app answered, in the ack or through response_url."""
    before = len(live.slack.calls("response_url"))
    reply = (sender or live.sender).command("/metric", text)
    assert reply.status == 200
    assert reply.seconds < 3
    if reply.body:  # answered in the ack itself (usage mistakes, help): plain text
        return {"text": reply.body}
    return live.slack.wait_for("response_url", count=before + 1)[-1].args


def _shown(message: dict) -> str:
    return message.get("text", "") + "\n" + _texts(message.get("blocks", []))


def _metrics(live: LiveApp) -> list[Metric]:
    with Session(live.engine) as session:
        return list(session.exec(select(Metric).order_by(Metric.id)))


def test_without_a_project_the_channel_is_pointed_to_gate_setup(live_app: LiveApp):
    message = _metric(live_app, DEFINE)

    assert "/gate setup" in _shown(message)
    assert message["response_type"] == "ephemeral"
    assert _metrics(live_app) == []


def test_define_posts_the_metric_to_the_channel_and_stores_it(live_app: LiveApp):
    _setup(live_app)

    message = _metric(live_app, DEFINE + ' unit=% periods=2 label="Relevance rating"')

    shown = _shown(message)
    assert message["response_type"] == "in_channel"
    assert "Relevance rating" in shown and "`relevance_rating`" in shown
    assert "warn below 0.75%" in shown and "breach below 0.72%" in shown
    assert "2 days in a row" in shown and f"<@{live_app.sender.user_id}>" in shown
    [metric] = _metrics(live_app)
    assert (metric.kind, metric.direction, metric.unit) == (
        "model_health",
        "higher_is_better",
        "%",
    )
    assert (metric.warn_threshold, metric.breach_threshold, metric.periods_in_row) == (
        0.75,
        0.72,
        2,
    )
    assert metric.owner == live_app.sender.user_id


def test_invalid_definitions_say_what_to_fix_and_store_nothing(live_app: LiveApp):
    _setup(live_app)

    wrong_order = _shown(_metric(live_app, DEFINE.replace("breach=0.72", "breach=0.8")))
    no_trigger = _shown(_metric(live_app, "define ctr product higher_is_better warn=0.1"))
    bad_kind = _shown(_metric(live_app, "define ctr revenue higher_is_better breach=0.1"))
    bad_number = _shown(_metric(live_app, "define ctr product higher breach=lots"))
    bad_name = _shown(_metric(live_app, "define Click-Rate! product higher breach=0.1"))

    assert "must be at or below the warn threshold" in wrong_order
    assert "rollback trigger" in no_trigger and "breach=" in no_trigger
    assert "Unknown metric kind 'revenue'" in bad_kind and "model_health" in bad_kind
    assert "`breach` must be a number" in bad_number
    assert "cannot be a metric name" in bad_name
    assert _metrics(live_app) == []


def test_overlong_texts_are_refused_in_the_ack_with_the_command_to_copy(live_app: LiveApp):
    _setup(live_app)
    _metric(live_app, DEFINE)
    label = (
        "Share of sessions with a relevant result in the top three, weighted by query and device"
    )
    before = _metrics(live_app)

    replies = {
        "label": live_app.sender.command(
            "/metric", f'{DEFINE.replace("relevance", "r2")} label="{label}"'
        ),
        "unit": live_app.sender.command(
            "/metric", "update relevance_rating unit=clicks_per_session"
        ),
        "name": live_app.sender.command("/metric", f"define {'m' * 65} product higher breach=1"),
    }

    told = {what: reply.body for what, reply in replies.items()}
    assert all(reply.seconds < 3 for reply in replies.values())  # answered in the ack
    assert "Keep the label to 80 characters (87 now)." in told["label"]
    assert label in told["label"]  # typed back whole, to fix and send again
    assert "Keep the unit to 16 characters (18 now)." in told["unit"]
    assert "```/metric update relevance_rating unit=clicks_per_session```" in told["unit"]
    assert "Keep the metric name to 64 characters (65 now)." in told["name"]
    assert all("Nothing was saved. What you typed" in text for text in told.values())
    assert _metrics(live_app) == before  # nothing stored, nothing changed
    assert live_app.slack.calls("chat.postMessage")[1:] == []


def test_a_guardrail_pairs_with_its_primary_and_shows_its_allowed_drop(live_app: LiveApp):
    _setup(live_app)
    _metric(live_app, "define completion product higher_is_better breach=0.3")

    message = _metric(
        live_app,
        "define discovery product higher breach=0.1 owner=<@U0DS|dana> "
        "guardrail-of=completion max-drop=2%",
    )

    shown = _shown(message)
    assert "guardrail of `completion`" in shown and "at most 2%" in shown
    assert "<@U0DS>" in shown
    primary, guardrail = _metrics(live_app)
    assert guardrail.guardrail_of == primary.id
    assert (guardrail.guardrail_max_drop, guardrail.guardrail_relative) == (0.02, True)
    assert guardrail.owner == "U0DS"


def test_update_changes_thresholds_and_list_shows_them_with_the_latest_value(live_app: LiveApp):
    _setup(live_app)
    _metric(live_app, DEFINE)
    _metric(live_app, "record relevance_rating 0.74 2026-03-02")

    updated = _metric(live_app, "update relevance_rating warn=0.8 breach=0.7 owner=<@U0DS>")
    listed = _shown(_metric(live_app, "list"))

    assert "You changed `relevance_rating`" in _shown(updated)
    assert "*owner*: <@U0PM> → <@U0DS>" in _shown(updated)
    assert "warn below 0.80" in listed and "breach below 0.70" in listed
    assert "<@U0DS>" in listed
    # Each reader's own zone, UTC where Slack cannot show it.
    assert "at <!date^1772452800^{date_short_pretty} {time}|2026-03-02 12:00 UTC>" in listed


def test_list_shows_where_each_metric_stands_a_voiding_guardrail_flagged(live_app: LiveApp):
    _setup(live_app)
    _metric(live_app, "define conversion product higher warn=3.0 breach=2.8 unit=%")
    _metric(
        live_app,
        "define discovery_rate product higher warn=25 breach=20 unit=% "
        "guardrail-of=conversion max-drop=2%",
    )
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    with Session(live_app.engine) as session:
        conversion, discovery = _metrics(live_app)
        for ago in range(21):  # last week up, the two before level
            at = today - timedelta(days=ago)
            session.add(MetricSample(metric_id=conversion.id, at=at, value=3.3 if ago < 7 else 3.1))
            session.add(MetricSample(metric_id=discovery.id, at=at, value=27 if ago < 7 else 30))
        session.commit()

    listed = _shown(_metric(live_app, "list"))

    assert "warn below 3.00% · *breach below 2.80%*" in listed
    assert ":no_entry: *voids the lift* of `conversion`: it fell more than allowed" in listed
    assert "latest 27.0% at" in listed and "may drop at most 2% of its level" in listed
    assert (
        ":large_green_circle: ok · :no_entry: its lift does not count: `discovery_rate`" in listed
    )
    assert "latest 3.30% at" in listed


def test_record_stores_a_value_and_refuses_an_unknown_metric_with_a_suggestion(
    live_app: LiveApp,
):
    _setup(live_app)
    _metric(live_app, DEFINE)

    recorded = _shown(_metric(live_app, "record relevance_rating 0.74"))
    again = _shown(_metric(live_app, "record relevance_rating 0.70 2026-03-02"))
    corrected = _shown(_metric(live_app, "record relevance_rating 0.71 2026-03-02"))
    typo = _shown(_metric(live_app, "record relevence_rating 0.5"))

    assert "Recorded `relevance_rating` = 0.74 as of now" in recorded
    assert "Recorded" in again
    assert "Replaced the earlier value" in corrected
    assert "Did you mean `relevance_rating`?" in typo
    with Session(live_app.engine) as session:
        values = sorted(s.value for s in session.exec(select(MetricSample)))
    assert values == [0.71, 0.74]


def _post(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(
        f"{url}/api/v1/metrics",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_token_is_shown_once_stored_hashed_and_stops_working_once_revoked(
    live_app: LiveApp,
):
    _setup(live_app)
    _metric(live_app, DEFINE)

    message = _metric(live_app, "token")

    assert message["response_type"] == "ephemeral"
    token = re.search(r"gbt_[A-Za-z0-9_-]{40,}", _shown(message)).group(0)  # type: ignore[union-attr]
    assert "curl -X POST" in _shown(message) and "relevance_rating" in _shown(message)
    with Session(live_app.engine) as session:
        [row] = session.exec(select(IngestToken)).all()
    assert token not in json.dumps(row.model_dump(mode="json"))
    assert token.startswith(row.prefix)
    sample = {"samples": [{"name": "relevance_rating", "value": 0.7, "at": "2026-03-02"}]}
    assert _post(live_app.url, token, sample) == 200

    listed = _shown(_metric(live_app, "token list"))
    revoked = _shown(_metric(live_app, f"token revoke {row.prefix}"))

    assert f"`{row.prefix}…`" in listed and "last used" in listed
    assert "Revoked 1 ingestion token" in revoked
    assert _post(live_app.url, token, sample) == 401
    assert "No active ingestion tokens" in _shown(_metric(live_app, "token list"))


def test_link_names_the_metric_that_decides_a_hypothesis(live_app: LiveApp):
    _setup(live_app)
    _metric(live_app, DEFINE)
    with Session(live_app.engine) as session:
        hypothesis = Hypothesis(
            workspace_id=1,
            channel_id=live_app.sender.channel_id,
            author_id="U0PM",
            text="Reranking lifts relevance from 0.70 to 0.76 within 4 weeks.",
            vague=False,
            checker="rules",
            status=HypothesisStatus.OPEN,
        )
        session.add(hypothesis)
        session.commit()
        hypothesis_id = hypothesis.id

    wrong_way = _shown(_metric(live_app, f"link #{hypothesis_id} relevance_rating 0.76 0.70"))
    linked = _metric(live_app, f"link #{hypothesis_id} relevance_rating 0.70 0.76 by 2099-01-31")

    assert "must be above the baseline" in wrong_way
    assert linked["response_type"] == "in_channel"
    assert "from 0.70 to 0.76 by 2099-01-31" in _shown(linked)
    with Session(live_app.engine) as session:
        stored = hypotheses.get(session=session, workspace_id=1, hypothesis_id=hypothesis_id)
        metric = session.exec(select(Metric)).one()
    assert (stored.deciding_metric_id, stored.baseline_value, stored.target_value) == (
        metric.id,
        0.70,
        0.76,
    )
    assert stored.decide_by is not None and stored.decide_by.isoformat() == "2099-01-31"


def test_another_workspace_sees_neither_the_project_nor_its_metrics(live_app: LiveApp):
    _setup(live_app)
    _metric(live_app, DEFINE)
    stranger = dataclasses.replace(live_app.sender, team_id="T0OTHER")

    listed = _shown(_metric(live_app, "list", sender=stranger))
    recorded = _shown(_metric(live_app, "record relevance_rating 0.1", sender=stranger))

    assert "/gate setup" in listed and "relevance_rating" not in listed
    assert "/gate setup" in recorded
    with Session(live_app.engine) as session:
        assert session.exec(select(MetricSample)).all() == []


def test_help_and_unknown_words_show_the_usage(live_app: LiveApp):
    helped = _shown(_metric(live_app, "help"))
    unknown = _shown(_metric(live_app, "delete <everything>"))

    assert "/metric define" in helped and "/metric token" in helped
    assert "I don't know `delete`" in unknown


def test_revoking_every_token_says_how_many_and_asks_first(live_app: LiveApp):
    _setup(live_app)
    for _ in range(3):
        _metric(live_app, "token")

    asked = _metric(live_app, "token revoke")

    assert "This revokes *all 3* active ingestion tokens" in _shown(asked)
    with Session(live_app.engine) as session:
        assert all(row.revoked_at is None for row in session.exec(select(IngestToken)))
    [revoke] = [e for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert revoke["text"]["text"] == "Revoke all 3"
    assert revoke["confirm"]["title"]["text"] == "Revoke all 3 tokens?"
    assert revoke["confirm"]["confirm"]["text"] == "Revoke 3"
    before = len(live_app.slack.calls("response_url"))
    live_app.sender.click(revoke["action_id"], revoke["value"])
    done = live_app.slack.wait_for("response_url", count=before + 1)[-1].args
    assert "Revoked 3 ingestion tokens" in done["text"] and done["replace_original"] is True
    with Session(live_app.engine) as session:
        assert all(row.revoked_at is not None for row in session.exec(select(IngestToken)))
