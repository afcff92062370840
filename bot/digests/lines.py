"""The fields each of the digest's lines shows, formatted and escaped for prompts/digest.j2."""

from __future__ import annotations

import math
import re

from bot.digests.data import GateView, HypothesisView, MetricView, PairView
from bot.gates import Decision, GateKind
from bot.metrics import Direction
from bot.metrics.blocks import amount
from bot.metrics.flags import Status, Verdict
from bot.metrics.sparkline import sparkline
from bot.slack.mrkdwn import escape

_USER = re.compile(r"[UW][A-Z0-9]{2,30}")  # a Slack user id: safe to put in <@…>
_ICONS = {
    Status.BREACH: ":red_circle:",
    Status.WARN: ":large_orange_circle:",
    Status.OK: ":large_green_circle:",
    Status.STALE: ":white_circle:",
    Status.NO_DATA: ":white_circle:",
}
_VERDICT_ICONS = {
    Verdict.ON_TRACK: ":large_green_circle:",
    Verdict.AT_RISK: ":large_orange_circle:",
    Verdict.FALSIFIED: ":red_circle:",
}
TEXT_LIMIT = 200  # a hypothesis's sentence, or a decision's reason, as quoted in the digest


def person(user_id: str | None, *, nobody: str = "no owner") -> str:
    """Return a mention for a Slack user id; anything else is shown escaped, never linked."""
    if not user_id:
        return nobody
    return f"<@{user_id}>" if _USER.fullmatch(user_id) else escape(user_id)


def one_line(text: str, *, limit: int = TEXT_LIMIT) -> str:
    """Return `text` on one line, cut at `limit` characters, then escaped."""
    flat = " ".join(text.split())
    return escape(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def rounded(value: float) -> float:
    """Return `value` to three significant digits (whole numbers from 100): a digest's reading."""
    if not math.isfinite(value):
        return value
    return float(round(value)) if abs(value) >= 100 else float(f"{value:.3g}")


def _signed(change: float, unit: str) -> str:
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{amount(rounded(abs(change)), unit)}"


def _percent(fraction: float) -> str:
    if math.isinf(fraction):
        return "∞"
    share = fraction * 100
    return f"{share:.1f}%" if abs(share) < 10 and share != int(share) else f"{share:.0f}%"


def metric_fields(view: MetricView) -> dict[str, object]:
    """Return one metric's line: value, change on last week, sparkline, status and owner."""
    status, spec, metric = view.status, view.spec, view.metric
    change = ""
    if status.change_abs is not None:
        change = _signed(status.change_abs, spec.unit)
        if status.change_rel is not None:
            change += f" ({status.change_rel * 100:+.1f}%)".replace("-", "−")
    anomaly = ""
    if status.anomaly and status.z is not None:
        anomaly = "±∞" if math.isinf(status.z) else f"{status.z:+.1f}".replace("-", "−")
    return {
        "icon": _ICONS[status.status],
        "name": escape(metric.display_name or metric.name),
        "value": _level(status.value, spec.unit),
        "change": change,
        "spark": sparkline(view.weekly.tolist()),
        "status": status.status.value,
        "side": "below" if spec.direction is Direction.HIGHER_IS_BETTER else "above",
        "threshold": ""
        if status.fired_threshold is None
        else amount(status.fired_threshold, spec.unit),
        "streak": status.streak,
        "as_of": status.as_of.isoformat() if status.as_of else "",
        "anomaly": anomaly,
        "owner": person(metric.owner),
    }


def _level(value: float | None, unit: str) -> str:
    return "—" if value is None else amount(rounded(value), unit)


def _moved(change: float | None, unit: str, *, relative: bool = False) -> str:
    """Return a change already signed so that positive is better, in words."""
    if change is None:
        return ""
    if change == 0:
        return "unchanged"
    size = _percent(abs(change)) if relative else amount(rounded(abs(change)), unit)
    return f"{'better' if change > 0 else 'worse'} by {size}"


def pair_fields(pair: PairView) -> tuple[dict[str, object], dict[str, object]]:
    """Return the two sides of a guardrail pair: the primary's lift, the guardrail's drop."""
    status, primary, guardrail = pair.status, pair.primary, pair.guardrail
    allowed = status.pair.max_drop
    drop = None if status.drop is None else -status.drop  # the words take "positive is better"
    left = {
        "name": escape(primary.display_name or primary.name),
        "before": _level(status.primary_before, primary.unit),
        "now": _level(status.primary_now, primary.unit),
        "change": _moved(status.lift, primary.unit),
    }
    right = {
        "name": escape(guardrail.display_name or guardrail.name),
        "allowed": _percent(allowed) if status.pair.relative else amount(allowed, guardrail.unit),
        "before": _level(status.guardrail_before, guardrail.unit),
        "now": _level(status.guardrail_now, guardrail.unit),
        "change": _moved(drop, guardrail.unit, relative=status.pair.relative),
        "violated": status.violated,
        "dropped": status.guardrail_dropped,
    }
    return left, right


def hypothesis_fields(view: HypothesisView) -> dict[str, object]:
    """Return an open hypothesis with where its deciding metric stands against the promise."""
    hypothesis, metric, progress = view.hypothesis, view.metric, view.progress
    problem = ""
    if view.current is None:
        problem = "has no values this week: nothing to judge it by"
    elif progress is None:
        problem = "changed direction: its target is no longer on the good side of the baseline"
    assert hypothesis.baseline_value is not None and hypothesis.target_value is not None
    return {
        "icon": _VERDICT_ICONS[progress.verdict] if progress else ":white_circle:",
        "number": hypothesis.id,
        "text": one_line(hypothesis.text),
        "metric": escape(metric.name),
        "problem": problem,
        "current": "" if view.current is None else _level(view.current, metric.unit),
        "progress": _percent(progress.progress) if progress else "",
        "baseline": amount(hypothesis.baseline_value, metric.unit),
        "target": amount(hypothesis.target_value, metric.unit),
        "elapsed": _percent(min(progress.elapsed_fraction, 1.0)) if progress else "",
        "deadline": hypothesis.decide_by.isoformat() if hypothesis.decide_by else "",
        "verdict": progress.verdict.value.replace("_", " ") if progress else "",
    }


def gate_fields(view: GateView) -> dict[str, object]:
    """Return a gate review's week: answers, people, and the decision if logged this week."""
    review = view.review
    try:
        title = GateKind(review.gate_kind).label
    except ValueError:
        title = escape(review.gate_kind)
    if review.sprint_number:
        title += f" (sprint {review.sprint_number})"
    decision = ""
    if view.decided and review.decision:
        try:
            decision = Decision(review.decision).label
        except ValueError:
            decision = escape(review.decision)
    return {
        "title": title,
        "answers": view.answers,
        "people": view.people,
        "decision": decision,
        "decided_by": person(review.decided_by, nobody="") if decision else "",
        "reason": one_line(review.decision_reason or "") if decision else "",
    }
