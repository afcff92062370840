"""/metric blocks: pure builders, text escaped, within Slack's limits."""

from __future__ import annotations

from datetime import UTC, date, datetime

from slack_sdk.models.blocks import Block

from bot.metrics.blocks import list_message, metric_text, thresholds, token_message
from bot.metrics.registry import MetricLine
from db.models.metrics import AlertState, Metric, MetricSample


def _metric(name: str = "latency_p95", **fields: object) -> Metric:
    values = {
        "id": 1,
        "project_id": 1,
        "name": name,
        "kind": "model_health",
        "direction": "lower_is_better",
        "unit": "ms",
        "warn_threshold": 300.0,
        "breach_threshold": 400.0,
        "owner": "U0DS",
    } | fields
    return Metric(**values)


def _texts(blocks: list[dict]) -> str:
    return "\n".join(
        str(b.get("text", {}).get("text", "")) + str(b.get("elements", "")) for b in blocks
    )


def test_thresholds_read_the_way_the_metric_is_judged():
    assert thresholds(_metric()) == "warn above 300 ms · *breach above 400 ms*"
    rate = _metric(direction="higher_is_better", unit="%", warn_threshold=None, periods_in_row=3)
    rate.breach_threshold = 72.5
    assert thresholds(rate) == "*breach below 72.5%* (3 days in a row)"
    fine = _metric(direction="higher_is_better", unit="%", warn_threshold=3.0)
    fine.breach_threshold = 2.8
    assert thresholds(fine) == "warn below 3.00% · *breach below 2.80%*"  # one precision


def test_untrusted_names_labels_and_units_are_escaped():
    metric = _metric(display_name="<!channel> latency", unit="<b>")

    text = metric_text(metric, guards="p&l")

    assert "<!channel>" not in text and "&lt;!channel&gt; latency" in text
    assert "&lt;b&gt;" in text
    guard = _metric(guardrail_max_drop=0.02, guardrail_relative=True)
    assert "guardrail of `p&amp;l`: may drop at most 2% of its level" in metric_text(
        guard, guards="p&l"
    )


def test_the_list_orders_by_kind_marks_breaches_and_fits_in_one_message():
    lines = [
        MetricLine(
            metric=_metric(f"m{i:02d}", kind="product" if i % 2 else "model_health"),
            latest=None,
            guards=None,
        )
        for i in range(60)
    ]
    breached = _metric("errors", alert_state=AlertState.BREACH, alert_since=date(2026, 3, 1))
    sample = MetricSample(metric_id=1, at=datetime(2026, 3, 2, 9, tzinfo=UTC), value=512.0)
    lines.insert(0, MetricLine(metric=breached, latest=sample, guards=None))

    blocks = list_message(lines, project_name="Search <relevance>")

    assert len(blocks) <= 50
    assert blocks[0]["text"]["text"] == "Shared metrics · Search <relevance>"  # plain text
    assert "`errors`" in blocks[1]["text"]["text"]
    assert ":rotating_light: in breach since 2026-03-01" in blocks[1]["text"]["text"]
    at = int(datetime(2026, 3, 2, 9, tzinfo=UTC).timestamp())  # each reader's own zone
    latest = f"latest 512 ms at <!date^{at}^{{date_short_pretty}} {{time}}|2026-03-02 09:00 UTC>"
    assert latest in blocks[1]["text"]["text"]
    assert "… and 16 more." in _texts(blocks)
    assert all(Block.parse(block) is not None for block in blocks)


def test_the_token_message_shows_the_token_and_a_curl_example_once():
    blocks = token_message(
        plaintext="gbt_secret", prefix="gbt_secret"[:12], example="ctr", base_url="$GATEBOT_URL"
    )

    text = _texts(blocks)
    assert text.count("gbt_secret") >= 2
    assert 'curl -X POST "$GATEBOT_URL/api/v1/metrics"' in text
    assert '"name": "ctr"' in text
    assert all(Block.parse(block) is not None for block in blocks)


def test_an_empty_project_is_shown_how_to_define_its_first_metric():
    [block] = list_message([], project_name="Search")

    assert "/metric define" in block["text"]["text"]
