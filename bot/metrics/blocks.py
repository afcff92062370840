"""Blocks for /metric: a metric's line, the project's list, tokens, records and links."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.changes.blocks import change_lines
from bot.metrics import Direction, MetricKind
from bot.metrics.edits import Edited
from bot.metrics.flags import Verdict
from bot.metrics.format import NumberFormat, allowed_drop
from bot.metrics.ingest import IngestResult
from bot.metrics.links import Link
from bot.metrics.registry import MetricLine, spec_of
from bot.metrics.state import MetricState, Standing
from bot.slack.blocks import Block, button, confirm_dialog, context, header, section
from bot.slack.mrkdwn import escape, reader_time
from db.models.metrics import AlertState, IngestToken, Metric

MAX_LISTED = 45  # Slack allows 50 blocks a message; leave room for the header and notes


ICONS = {
    Standing.BREACH: ":red_circle:",
    Standing.VOIDS_LIFT: ":no_entry:",
    Standing.WARN: ":large_orange_circle:",
    Standing.OK: ":large_green_circle:",
    Standing.STALE: ":white_circle:",
    Standing.NO_DATA: ":white_circle:",
}
VERDICT_ICONS = {
    Verdict.ON_TRACK: ":large_green_circle:",
    Verdict.AT_RISK: ":large_orange_circle:",
    Verdict.FALSIFIED: ":red_circle:",
}


def number_format(metric: Metric) -> NumberFormat:
    """Return how every surface writes this metric's numbers."""
    return NumberFormat.of(spec_of(metric))


def thresholds(metric: Metric) -> str:
    """Return the thresholds as a sentence fragment: warn below 0.75 · breach below 0.72."""
    text = number_format(metric).thresholds(
        warn=metric.warn_threshold, breach=metric.breach_threshold, bold=True
    )
    if metric.periods_in_row > 1:
        text += f" ({metric.periods_in_row} days in a row)"
    return text


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{escape(name)}`" for name in names)


def standing_text(state: MetricState) -> str:
    """Return where a metric stands, in the words every surface uses: "*breach*: below 0.72"."""
    status, fmt = state.status, NumberFormat.of(state.spec)
    standing = state.standing
    run = f" for {status.streak} days" if status.streak > 1 else ""
    voids = _names(g.pair.primary for g in state.voids)
    if standing is Standing.BREACH:
        assert status.fired_threshold is not None
        text = f"*breach*: {fmt.threshold(status.fired_threshold)}{run}"
    elif standing is Standing.VOIDS_LIFT:
        text = f"*voids the lift* of {voids}: it fell more than allowed"
    elif standing is Standing.WARN:
        assert status.fired_threshold is not None
        text = f"warn: {fmt.threshold(status.fired_threshold)}{run}"
    elif standing is Standing.STALE:
        text = f"stale: nothing since {status.as_of.isoformat() if status.as_of else 'ever'}"
    else:
        text = "no data yet" if standing is Standing.NO_DATA else "ok"
    if state.voids and standing is not Standing.VOIDS_LIFT:
        text += f" · :no_entry: voids the lift of {voids}"
    if state.voided_by:
        text += f" · :no_entry: its lift does not count: {_names(state.voided_by)} fell too far"
    return text


def _title(metric: Metric) -> str:
    code = f"`{escape(metric.name)}`"
    return f"*{escape(metric.display_name)}* {code}" if metric.display_name else f"*{code}*"


def _guardrail(metric: Metric, guards: str | None) -> str:
    if guards is None or metric.guardrail_max_drop is None:
        return ""
    limit = allowed_drop(
        max_drop=metric.guardrail_max_drop,
        relative=metric.guardrail_relative,
        fmt=number_format(metric),
    )
    return f"\n:shield: guardrail of `{escape(guards)}`: may drop at most {limit}"


def metric_text(metric: Metric, *, guards: str | None = None) -> str:
    """Return a metric's description: name, kind, direction, thresholds, owner, guardrail."""
    kind = MetricKind(metric.kind).label
    direction = Direction(metric.direction).label
    owner = f"owner <@{metric.owner}>" if metric.owner else "no owner"
    return f"{_title(metric)} · {kind} · {direction}\n{thresholds(metric)} · {owner}" + _guardrail(
        metric, guards
    )


def _latest(line: MetricLine) -> str:
    if line.latest is None:
        return "_no values yet_"
    at = line.latest.at
    when = reader_time(at, fallback=at.strftime("%Y-%m-%d %H:%M UTC"))  # each reader's zone
    latest = f"latest {number_format(line.metric).value(line.latest.value)} at {when}"
    if line.state is None:
        return latest
    return f"{ICONS[line.state.standing]} {standing_text(line.state)} · {latest}"


def list_message(lines: list[MetricLine], *, project_name: str) -> list[Block]:
    """Return the project's metrics, model health first, as the digest orders them."""
    if not lines:
        return [
            section(
                f"*{escape(project_name)}* has no shared metrics yet. Define the first with "
                "`/metric define relevance_rating model_health higher_is_better warn=0.75 "
                "breach=0.72`."
            )
        ]
    order = {kind.value: index for index, kind in enumerate(MetricKind)}
    ordered = sorted(lines, key=lambda line: (order.get(line.metric.kind, 9), line.metric.name))
    blocks: list[Block] = [header(f"Shared metrics · {project_name}")]
    for line in ordered[:MAX_LISTED]:
        alarm = ""
        if line.metric.alert_state == AlertState.BREACH:
            since = line.metric.alert_since.isoformat() if line.metric.alert_since else "recently"
            alarm = f" · :rotating_light: in breach since {since}"
        text = metric_text(line.metric, guards=line.guards)
        blocks.append(section(f"{text}\n{_latest(line)}{alarm}"))
    if len(ordered) > MAX_LISTED:
        blocks.append(context(f"… and {len(ordered) - MAX_LISTED} more."))
    return blocks


def defined_message(metric: Metric, *, user_id: str, guards: str | None = None) -> list[Block]:
    """Return the channel's note that a shared metric was defined (an edit is announced)."""
    return [
        section(f"<@{user_id}> defined a shared metric:\n{metric_text(metric, guards=guards)}"),
        context(
            f"Send values with `/metric record {escape(metric.name)} &lt;value&gt;` or through the "
            "API (`/metric token`). `/metric list` shows them all."
        ),
    ]


def edited_message(edited: Edited) -> list[Block]:
    """Return the editor's own view of an update: before → after per field, then the metric."""
    metric = edited.metric
    name = f"`{escape(metric.name)}`"
    if edited.changes:
        head = f":white_check_mark: You changed {name}:\n{change_lines(edited.changes)}\n"
        head += "The channel has been told, and the change is on the project's record."
    else:
        head = f":information_source: Nothing changed: {name} already reads so."
    return [section(head), section(metric_text(metric, guards=edited.guards))]


def recorded_text(metric: Metric, *, value: float, result: IngestResult, day: str) -> str:
    """Return the confirmation of a value recorded from Slack."""
    what = f"`{escape(metric.name)}` = {number_format(metric).value(value)} {day}"
    if result.stored:
        return f":white_check_mark: Recorded {what}."
    if result.updated:
        return f":pencil2: Replaced the earlier value: {what}."
    return f"That value was already recorded: {what}."


def token_message(
    *,
    plaintext: str,
    prefix: str,
    example: str,
    base_url: str,
    scope: str = "ingest",
    project_id: int | None = None,
) -> list[Block]:
    """Return the one-time display of a new token, with a curl example of what it may do."""
    if scope == "read":
        return _read_token_message(
            plaintext=plaintext, prefix=prefix, base_url=base_url, project_id=project_id
        )
    curl = (
        f'curl -X POST "{base_url}/api/v1/metrics" \\\n'
        f'  -H "Authorization: Bearer {plaintext}" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f'  -d \'{{"samples": [{{"name": "{escape(example)}", "value": 0.74, '
        '"at": "2026-03-02T09:00:00Z"}]}\''
    )
    return [
        section(
            ":key: *A new ingestion token for this project.* Copy it now: it is shown only "
            "this once, and gatebot keeps only its hash."
        ),
        section(f"```{plaintext}```"),
        section(f"Post a batch (up to 5,000 samples) with it:\n```{curl}```"),
        context(
            "`$GATEBOT_URL` is where gatebot is served: your Slack app's request URL without "
            f"`/slack/events`. A date alone as `at` (`2026-03-02`) means that day's value. "
            f"Revoke the token with `/metric token revoke {prefix}`."
        ),
    ]


def _read_token_message(
    *, plaintext: str, prefix: str, base_url: str, project_id: int | None
) -> list[Block]:
    curl = (
        f'curl "{base_url}/api/v1/projects/{project_id}/decisions?limit=100" \\\n'
        f'  -H "Authorization: Bearer {plaintext}"'
    )
    return [
        section(
            ":key: *A new read token for this project's record.* Copy it now: it is shown "
            "only this once, and gatebot keeps only its hash. It reads; it cannot post values."
        ),
        section(f"```{plaintext}```"),
        section(
            "Read the hypotheses, reviews, answers, decisions or metric values a page at a "
            f"time (pass each page's `next_cursor` as `cursor`):\n```{curl}```"
        ),
        context(f"Revoke the token with `/metric token revoke {prefix}`."),
    ]


def tokens_message(rows: list[IngestToken]) -> list[Block]:
    """Return the project's active tokens by prefix, creator and last use."""
    if not rows:
        return [section("No active ingestion tokens. Create one with `/metric token`.")]
    lines = []
    for row in rows:
        used = _day(row.last_used_at) if row.last_used_at else "never used"
        who = f"<@{row.created_by}>" if row.created_by else "someone"
        lines.append(
            f"• `{row.prefix}…` ({row.scope}) by {who} on {_day(row.created_at)} · last used {used}"
        )
    return [section("*Active API tokens*\n" + "\n".join(lines))]


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


REVOKE_ALL = "metric_revoke_all_tokens"


def revoke_all_message(*, project_name: str, count: int) -> list[Block]:
    """Return the question before every token goes: how many, and a button that asks again."""
    plural = "token" if count == 1 else "tokens"
    words = (
        f":warning: This revokes *all {count}* active ingestion {plural} of "
        f"*{escape(project_name)}*: every pipeline posting with one gets 401 from then on. "
        "To revoke one, give its prefix: `/metric token revoke gbt_Ab3dE9xQ` "
        "(`/metric token list` shows them)."
    )
    ask = confirm_dialog(
        title=f"Revoke all {count} {plural}?",
        text=f"Every pipeline using one of the {count} {plural} stops being accepted.",
        yes=f"Revoke {count}",
    )
    revoke = button(
        f"Revoke all {count}", action_id=REVOKE_ALL, value=str(count), style="danger", confirm=ask
    )
    return [section(words), {"type": "actions", "elements": [revoke]}]


def revoked_text(rows: list[IngestToken]) -> str:
    """Return the confirmation of revoked tokens."""
    names = ", ".join(f"`{row.prefix}…`" for row in rows)
    plural = "token" if len(rows) == 1 else "tokens"
    return (
        f":no_entry: Revoked {len(rows)} ingestion {plural}: {names}. "
        "Requests with them now get 401."
    )


def linked_text(link: Link, *, user_id: str) -> str:
    """Return the channel's note that a hypothesis is now decided by a metric."""
    hypothesis, metric = link.hypothesis, link.metric
    assert hypothesis.baseline_value is not None and hypothesis.target_value is not None
    deadline = f" by {hypothesis.decide_by.isoformat()}" if hypothesis.decide_by else ""
    fmt = number_format(metric)
    return (
        f"<@{user_id}> linked hypothesis #{hypothesis.id} to `{escape(metric.name)}`: "
        f"from {fmt.value(hypothesis.baseline_value)} to "
        f"{fmt.value(hypothesis.target_value)}{deadline}. The weekly digest will "
        "show where it stands."
    )
