"""The digest's blocks: Slack's models accept them, limits hold at any size, text is escaped."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from slack_sdk.models.blocks import Block

from bot.digests.blocks import MAX_BLOCKS, DigestMessage, block_texts, digest_message
from bot.digests.data import DigestData, GateView
from db.models import Hypothesis
from db.models.gates import GateReview, Project
from db.models.metrics import Metric
from prompts import render
from tests import digest_views

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
KINDS = ("model_health", "product", "business")


def _series(level: float, *, last: float | None = None, days: int = 84) -> np.ndarray:
    values = level + 0.002 * np.sin(np.arange(days))
    if last is not None:
        values[-3:] = last
    return values


Pending = tuple[Metric, np.ndarray]  # a metric and its days, judged when the digest is built
PendingHypothesis = tuple[Hypothesis, str, float, float]  # with its metric, current, elapsed


def view(
    metric_id: int,
    name: str,
    values: np.ndarray,
    *,
    kind: str = "model_health",
    display_name: str | None = None,
    owner: str | None = "U0DS",
    guardrail_of: int | None = None,
    unit: str = "",
    warn: float | None = 0.75,
    breach: float = 0.72,
) -> Pending:
    metric = Metric(
        id=metric_id,
        project_id=1,
        name=name,
        display_name=display_name,
        kind=kind,
        unit=unit,
        direction="higher_is_better",
        warn_threshold=warn,
        breach_threshold=breach,
        owner=owner,
        guardrail_of=guardrail_of,
        guardrail_max_drop=0.02 if guardrail_of else None,
    )
    return metric, values


def hypothesis_view(
    number: int,
    metric: Pending,
    *,
    current: float,
    elapsed: float,
    text: str,
    baseline: float = 0.80,
    target: float = 0.90,
) -> PendingHypothesis:
    hypothesis = Hypothesis(
        id=number,
        workspace_id=1,
        channel_id="C0TEAM",
        author_id="U0PM",
        text=text,
        vague=False,
        checker="rules",
        status="open",
        baseline_value=baseline,
        target_value=target,
        decide_by=TODAY + timedelta(days=10),
    )
    return hypothesis, metric[0].name, current, elapsed


def gate_view(number: int, *, reason: str = "Test runs this sprint.") -> GateView:
    review = GateReview(
        id=number,
        project_id=1,
        gate_kind="sprint_review",
        occurrence_key=f"sprint-{number}",
        sprint_number=number,
        due_at=NOW,
        decision="iterate",
        decision_reason=reason,
        decided_by="U0PM",
        decided_at=NOW,
    )
    return GateView(review=review, answers=3, people=2, decided=True)


def project(name: str = "Search relevance") -> Project:
    return Project(id=1, workspace_id=1, name=name, channel_id="C0TEAM", sprint_start=TODAY)


def data(
    metrics: list[Pending],
    *,
    name: str = "Search relevance",
    hypotheses: list[PendingHypothesis] | None = None,
    gates: list[GateView] | None = None,
) -> DigestData:
    views, pairs, judgement = digest_views.judged(metrics, today=TODAY)
    by_name = {view.metric.name: view for view in views}
    order = {kind: index for index, kind in enumerate(KINDS)}
    return DigestData(
        project=project(name),
        now=NOW,
        today=TODAY,
        week="2026-W48",
        metrics=sorted(views, key=lambda v: (order[v.metric.kind], *v.state.rank)),
        pairs=pairs,
        hypotheses=[
            digest_views.hypothesis_view(h, by_name[metric], current=current, elapsed=elapsed)
            for h, metric, current, elapsed in hypotheses or []
        ],
        gates=gates or [],
        judgement=judgement,
    )


def fifty() -> DigestData:
    views = []
    for number in range(50):
        last = {0: 0.70, 1: 0.74}.get(number % 10)  # a breach and a warn in every ten
        values = _series(0.80, last=last)
        if number % 10 == 2:
            values[:] = np.nan  # never reported
        guards = number if number % 2 and number < 24 else None  # pairs with the one before
        views.append(
            view(
                number + 1,
                f"metric_{number:02d}",
                values,
                kind=KINDS[number % 3],
                guardrail_of=guards,
            )
        )
    hypotheses = [
        hypothesis_view(n, views[3], current=0.85, elapsed=0.5, text=f"Hypothesis {n}")
        for n in range(1, 11)
    ]
    return data(views, hypotheses=hypotheses, gates=[gate_view(n) for n in range(10)])


def assert_within_slack_limits(blocks: list[dict]) -> None:
    assert 0 < len(blocks) <= MAX_BLOCKS
    for block in blocks:
        Block.parse(block).validate_json()  # raises on any limit Slack's models know
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))


def everything(message: DigestMessage) -> str:
    return "\n".join(block_texts(message.blocks + message.thread))


@pytest.mark.parametrize("compact", [False, True])
def test_fifty_metrics_fit_slacks_limits_and_every_one_is_shown(compact):
    digest = fifty()

    message = digest_message(digest, compact=compact, charted=8)

    for blocks in (message.blocks, message.thread):
        if blocks:
            assert_within_slack_limits(blocks)
    shown = everything(message)
    assert all(f"*metric_{n:02d}*" in shown for n in range(50))
    assert "_…and 2 more guardrail pairs: `/metric list` has them all_" in shown
    assert "_…and 2 more hypotheses: `/hypothesis list` has them all_" in shown
    assert "_…and 2 more gates: `/gate history` has them all_" in shown
    assert message.text == "Weekly digest for Search relevance, 2026-W48: 5 breach, 5 warn, 35 ok"


def test_hundreds_of_flagged_metrics_with_long_names_still_fit_and_count_the_rest():
    views = [
        view(n, f"m{n:03d}", _series(0.8, last=0.70), display_name=f"{n:03d} " + "x" * 76)
        for n in range(700)
    ]

    message = digest_message(data(views), compact=False, charted=8)

    assert_within_slack_limits(message.blocks)
    shown = everything(message)
    listed = len(re.findall(r"\*\d{3} x{76}\*", shown))
    [left] = re.findall(r"…and (\d+) more metrics: `/metric list` has them all", shown)
    assert listed + int(left) == 700
    assert listed > 400  # the budget is spent on metrics, not lost


def test_past_the_budget_ok_metrics_shrink_to_their_names_and_flagged_ones_stay_whole():
    flagged = [view(n, f"bad_{n:03d}", _series(0.8, last=0.70)) for n in range(60)]
    fine = [
        view(1000 + n, f"fine_{n:04d}", _series(0.8), display_name="y" * 80) for n in range(1200)
    ]

    message = digest_message(data(flagged + fine), compact=False, charted=8)

    assert_within_slack_limits(message.blocks)
    shown = everything(message)
    assert all(f"*bad_{n:03d}*" in shown for n in range(60))
    named = len(re.findall(r"`fine_\d{4}`", shown))
    counted = re.findall(r"…and (\d+) more metrics", shown)
    assert named + sum(map(int, counted)) == 1200
    assert "y" * 80 not in shown  # their full lines gave way to their names
    assert re.search(r":large_green_circle: \d+ ok: `fine_0000` · `fine_0001`", shown)


def test_untrusted_text_is_escaped_and_only_real_user_ids_become_mentions():
    sneaky = view(
        1,
        "relevance",
        _series(0.8, last=0.70),
        display_name="<!channel> & <http://x|y>",
        owner="<!here>",
    )
    fine = view(2, "latency", _series(0.8), owner="U0DS")
    digest = data(
        [sneaky, fine],
        name="<!channel> team & co",
        hypotheses=[hypothesis_view(7, fine, current=0.85, elapsed=0.1, text="<!everyone> ship")],
        gates=[gate_view(3, reason="<@U0BOSS> said <!subteam^S1>")],
    )

    message = digest_message(digest, compact=False, charted=1)

    texts = list(block_texts(message.blocks))
    header, *rest = texts
    assert header == "Weekly digest: <!channel> team & co"  # plain_text: Slack never parses it
    body = "\n".join(rest) + message.text
    assert "<!" not in body and "<http" not in body
    assert set(re.findall(r"<[^>]*>", body)) == {"<@U0DS>", "<@U0PM>"}
    assert "&lt;!channel&gt; &amp; &lt;http://x|y&gt;" in body
    assert "&lt;!here&gt;" in body and "&lt;!everyone&gt; ship" in body
    assert "&lt;@U0BOSS&gt; said &lt;!subteam^S1&gt;" in body
    assert "&lt;!channel&gt; team &amp; co" in message.text


def test_compact_puts_the_headline_in_the_channel_and_the_details_in_the_thread():
    breach = view(1, "relevance", _series(0.8, last=0.70))
    warn = view(2, "coverage", _series(0.8, last=0.74), kind="product")
    fine = view(3, "revenue", _series(0.8), kind="business")
    digest = data([breach, warn, fine], gates=[gate_view(1)])

    message = digest_message(digest, compact=True, charted=2)

    channel = "\n".join(block_texts(message.blocks))
    thread = "\n".join(block_texts(message.thread))
    assert [b["type"] for b in message.blocks] == ["header", "context", "section", "context"]
    assert "*Needs attention*" in channel
    assert "*relevance*" in channel and "*coverage*" in channel and "*revenue*" not in channel
    assert "in the thread" in channel
    assert "*revenue*" in thread and "*Gates this week*" in thread
    assert "chart of the 2 flagged metrics" in thread
    assert_within_slack_limits(message.blocks)
    assert_within_slack_limits(message.thread)


def test_the_header_counts_each_status_and_a_quiet_week_says_so():
    views = [
        view(1, "a", _series(0.8, last=0.70)),
        view(2, "b", _series(0.8, last=0.74)),
        view(3, "c", _series(0.8)),
        view(4, "d", _series(0.8)),
        view(5, "e", np.full(84, np.nan)),
    ]
    loud = digest_message(data(views), compact=False, charted=2)
    quiet = digest_message(data(views[2:4]), compact=True, charted=0)

    counts = loud.blocks[1]["elements"][0]["text"]
    assert "*2026-W48* · Tue 17 Nov to Mon 23 Nov" in counts
    assert "*1* breach" in counts and "*1* warn" in counts and "*2* ok" in counts
    assert "1 stale or without data" in counts
    assert "Nothing flagged" in "\n".join(block_texts(quiet.blocks))
    assert "no chart this week" in "\n".join(block_texts(quiet.thread))


def test_a_metric_line_shows_value_change_sparkline_status_and_owner():
    values = _series(0.80)
    values[-7:] = [0.78, 0.77, 0.76, 0.74, 0.71, 0.70, 0.69]

    line = everything(
        digest_message(data([view(1, "relevance", values)]), compact=False, charted=1)
    )

    assert ":red_circle: *relevance* 0.69 · " in line
    assert "on last week" in line and "(−1" in line
    assert re.search(r"`[▁▂▃▄▅▆▇█·]{12}`", line)
    assert "*breach*: below 0.72 for 3 days" in line and "<@U0DS>" in line


def test_hypotheses_show_where_they_stand_against_their_promise():
    metric = view(1, "ctr", _series(0.8))
    hypotheses = [
        hypothesis_view(1, metric, current=0.86, elapsed=0.5, text="On pace"),
        hypothesis_view(2, metric, current=0.81, elapsed=0.8, text="Lagging"),
        hypothesis_view(3, metric, current=0.83, elapsed=1.0, text="Out of time"),
    ]

    shown = everything(
        digest_message(data([metric], hypotheses=hypotheses), compact=False, charted=0)
    )

    assert ":large_green_circle: *#1* On pace" in shown
    assert "60% of the way from 0.80 to 0.90, 50% of the time gone" in shown
    assert ":large_orange_circle: *#2* Lagging" in shown and "*at risk*" in shown
    assert ":red_circle: *#3* Out of time" in shown and "*falsified*" in shown
    assert shown.index("*on track*") < shown.index("*at risk*") < shown.index("*falsified*")


def test_guardrail_pairs_sit_side_by_side():
    primary = view(1, "completion", np.r_[np.full(77, 0.40), np.full(7, 0.45)], kind="product")
    guardrail = view(
        2, "discovery", np.r_[np.full(77, 0.90), np.full(7, 0.80)], kind="product", guardrail_of=1
    )

    message = digest_message(data([primary, guardrail]), compact=False, charted=0)

    [block] = [b for b in message.blocks if b.get("fields")]
    left, right = (f["text"] for f in block["fields"])
    assert left.startswith("*completion* (primary)") and "better by 0.05" in left
    assert ":shield: *discovery* may drop at most 2% of its level" in right
    assert "worse by 11.1%" in right and ":no_entry: *the lift does not count*" in right


def conversion_and_its_guardrail() -> list[Pending]:
    """The issue's example: conversion 3.10% → 3.30% while discovery_rate falls 30% → 27%."""
    conversion = view(
        1,
        "conversion",
        np.r_[np.full(77, 3.10), np.full(7, 3.30)],
        kind="product",
        unit="%",
        warn=3.0,
        breach=2.8,
    )
    discovery = view(
        2,
        "discovery_rate",
        np.r_[np.full(77, 30.0), np.full(7, 27.0)],
        kind="product",
        unit="%",
        warn=25,
        breach=20,
        guardrail_of=1,
    )
    return [conversion, discovery]


def test_a_guardrail_voiding_its_primarys_lift_is_counted_flagged_and_puts_the_hypothesis_at_risk():
    conversion, discovery = conversion_and_its_guardrail()
    promise = hypothesis_view(
        4, conversion, current=3.30, elapsed=0.5, text="Filters lift", baseline=3.1, target=3.3
    )

    message = digest_message(
        data([conversion, discovery], hypotheses=[promise]), compact=False, charted=1
    )

    shown = everything(message)
    counts = message.blocks[1]["elements"][0]["text"]
    assert "*0* breach · :no_entry: *1* voiding its primary's lift" in counts
    assert "*0* warn" in counts and "*1* ok" in counts
    assert message.text.endswith("0 breach, 1 voiding a lift, 0 warn, 1 ok")
    assert ":no_entry: *discovery_rate* 27.0% · −3.0 pts (−10%) on last week" in shown
    assert "*voids the lift* of `conversion`: it fell more than allowed" in shown
    assert ":large_green_circle: *discovery_rate*" not in shown
    assert ":large_green_circle: *conversion* 3.30% · +0.20 pts (+6.5%) on last week" in shown
    assert "its lift does not count: `discovery_rate` fell too far" in shown
    assert "Nothing flagged" not in shown
    assert "The chart of the 1 flagged metric against its thresholds" in shown
    assert ":large_orange_circle: *#4* Filters lift" in shown
    assert "100% of the way from 3.10% to 3.30%" in shown
    assert "*at risk*: its lift does not count while `discovery_rate` falls past" in shown
    assert "*on track*" not in shown


def test_the_footer_counts_every_flagged_metric_even_past_the_charts_panels():
    views = [view(n, f"m{n:02d}", _series(0.8, last=0.70)) for n in range(13)]

    shown = everything(digest_message(data(views), compact=False, charted=8))

    assert "The chart of the 8 worst of the 13 flagged metrics against their thresholds" in shown


def test_a_percentage_metric_reads_in_points_with_its_thresholds_precision():
    conversion, _ = conversion_and_its_guardrail()
    values = np.r_[np.full(77, 3.10), np.full(7, 2.90)]

    shown = everything(digest_message(data([(conversion[0], values)]), compact=False, charted=1))

    assert ":large_orange_circle: *conversion* 2.90% · −0.20 pts (−6.5%) on last week" in shown
    assert "warn: below 3.00% for 7 days" in shown


def test_the_digest_templates_render():
    assert "/digest preview" in render("digest_help.j2", unknown="")
    assert "I don't know `&lt;x&gt;`" in render("digest_help.j2", unknown="<x>")
    assert "compact" in render(
        "digest_compact.j2", project="<P>", compact=True, changed=True, user_id="U1"
    )
    assert "already posted whole" in render(
        "digest_compact.j2", project="P", compact=False, changed=False, user_id="U1"
    )
