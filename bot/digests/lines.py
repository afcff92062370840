"""The fields each of the digest's lines shows, formatted and escaped for prompts/digest.j2."""

from __future__ import annotations

import math
import re

from bot.digests.data import GateView, HypothesisView, MetricView, PairView
from bot.gates import Decision, GateKind
from bot.metrics.blocks import ICONS, VERDICT_ICONS, standing_text
from bot.metrics.format import NumberFormat, allowed_drop, percent
from bot.metrics.registry import spec_of
from bot.metrics.sparkline import sparkline
from bot.slack.mrkdwn import escape

_USER = re.compile(r"[UW][A-Z0-9]{2,30}")  # a Slack user id: safe to put in <@…>
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


def _format(view: MetricView | HypothesisView) -> NumberFormat:
    return NumberFormat.of(view.state.spec)


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{escape(name)}`" for name in names)


def metric_fields(view: MetricView) -> dict[str, object]:
    """Return one metric's line: value, change on last week, sparkline, state and owner."""
    state, metric, fmt = view.state, view.metric, _format(view)
    status = state.status
    change = ""
    if status.change_abs is not None:
        change = fmt.change(status.change_abs, before=status.previous_week_value)
    anomaly = ""
    if status.anomaly and status.z is not None:
        anomaly = "±∞" if math.isinf(status.z) else f"{status.z:+.1f}".replace("-", "−")
    return {
        "icon": ICONS[state.standing],
        "name": escape(metric.display_name or metric.name),
        "value": fmt.value(status.value),
        "change": change,
        "spark": sparkline(view.weekly.tolist()),
        "state": standing_text(state),
        "anomaly": anomaly,
        "owner": person(metric.owner),
    }


def _moved(change: float | None, fmt: NumberFormat, *, relative: bool = False) -> str:
    """Return a change already signed so that positive is better, in words."""
    if change is None:
        return ""
    if change == 0:
        return "unchanged"
    size = percent(abs(change)) if relative else fmt.size(change)
    return f"{'better' if change > 0 else 'worse'} by {size}"


def pair_fields(pair: PairView) -> tuple[dict[str, object], dict[str, object]]:
    """Return the two sides of a guardrail pair: the primary's lift, the guardrail's drop."""
    status, primary, guardrail = pair.status, pair.primary, pair.guardrail
    lifted, guarded = NumberFormat.of(spec_of(primary)), NumberFormat.of(spec_of(guardrail))
    drop = None if status.drop is None else -status.drop  # the words take "positive is better"
    left: dict[str, object] = {
        "name": escape(primary.display_name or primary.name),
        "before": lifted.value(status.primary_before),
        "now": lifted.value(status.primary_now),
        "change": _moved(status.lift, lifted),
    }
    right = {
        "name": escape(guardrail.display_name or guardrail.name),
        "allowed": allowed_drop(
            max_drop=status.pair.max_drop, relative=status.pair.relative, fmt=guarded
        ),
        "before": guarded.value(status.guardrail_before),
        "now": guarded.value(status.guardrail_now),
        "change": _moved(drop, guarded, relative=status.pair.relative),
        "violated": status.violated,
        "dropped": status.guardrail_dropped,
    }
    return left, right


def hypothesis_fields(view: HypothesisView) -> dict[str, object]:
    """Return an open hypothesis with where its deciding metric stands against the promise."""
    hypothesis, metric, judged, fmt = view.hypothesis, view.metric, view.judged, _format(view)
    problem = ""
    if view.current is None:
        problem = "has no values this week: nothing to judge it by"
    elif judged is None:
        problem = "changed direction: its target is no longer on the good side of the baseline"
    assert hypothesis.baseline_value is not None and hypothesis.target_value is not None
    progress = judged.progress if judged else None
    return {
        "icon": VERDICT_ICONS[judged.verdict] if judged else ":white_circle:",
        "number": hypothesis.id,
        "text": one_line(hypothesis.text),
        "metric": escape(metric.name),
        "problem": problem,
        "current": fmt.value(view.current),
        "progress": percent(progress.progress) if progress else "",
        "baseline": fmt.value(hypothesis.baseline_value),
        "target": fmt.value(hypothesis.target_value),
        "elapsed": percent(min(progress.elapsed_fraction, 1.0)) if progress else "",
        "deadline": hypothesis.decide_by.isoformat() if hypothesis.decide_by else "",
        "verdict": judged.verdict.value.replace("_", " ") if judged else "",
        "voided_by": _names(judged.voided_by) if judged else "",
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
