"""One evaluation per metric: thresholds, days in a row, then the guardrails on top."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from bot.metrics import GuardrailPair, MetricSpec
from bot.metrics.flags import Verdict
from bot.metrics.series import DailySeries
from bot.metrics.state import Standing, judge, judge_hypothesis

TODAY = date(2026, 11, 23)


def spec(name: str, *, warn: float, breach: float) -> MetricSpec:
    return MetricSpec(
        name=name,
        kind="product",
        unit="%",
        direction="higher_is_better",
        warn=warn,
        breach=breach,
    )


def days(before: float, now: float) -> DailySeries:
    values = np.r_[np.full(77, before), np.full(7, now)]
    return DailySeries(start=TODAY - timedelta(days=83), values=values)


CONVERSION = spec("conversion", warn=3.0, breach=2.8)
DISCOVERY = spec("discovery_rate", warn=25, breach=20)
PAIR = GuardrailPair(primary="conversion", guardrail="discovery_rate", max_drop=0.02)


def test_a_guardrail_that_voids_the_lift_is_flagged_and_counted():
    judged = judge([(CONVERSION, days(3.10, 3.30)), (DISCOVERY, days(30, 27))], [PAIR], today=TODAY)

    guardrail, primary = judged.of("discovery_rate"), judged.of("conversion")
    assert guardrail.standing is Standing.VOIDS_LIFT and guardrail.flagged
    assert [g.pair.primary for g in guardrail.voids] == ["conversion"]
    assert primary.standing is Standing.OK and primary.voided_by == ("discovery_rate",)
    assert judged.counts == {"breach": 0, "voids": 1, "warn": 0, "ok": 1, "quiet": 0}
    assert [state.spec.name for state in judged.flagged] == ["discovery_rate"]


def test_a_guardrail_that_holds_or_a_primary_that_did_not_lift_voids_nothing():
    held = judge([(CONVERSION, days(3.10, 3.30)), (DISCOVERY, days(30, 29.8))], [PAIR], today=TODAY)
    flat = judge([(CONVERSION, days(3.30, 3.10)), (DISCOVERY, days(30, 27))], [PAIR], today=TODAY)

    assert held.of("discovery_rate").standing is Standing.OK and not held.flagged
    assert flat.of("discovery_rate").standing is Standing.OK
    assert flat.of("conversion").voided_by == ()


def test_a_breach_outranks_a_voided_lift_and_still_says_it_voids():
    judged = judge([(CONVERSION, days(3.10, 3.30)), (DISCOVERY, days(30, 18))], [PAIR], today=TODAY)

    guardrail = judged.of("discovery_rate")
    assert guardrail.standing is Standing.BREACH and guardrail.voids
    assert judged.counts["breach"] == 1 and judged.counts["voids"] == 0


def test_a_hypothesis_on_track_by_its_metric_is_at_risk_while_a_guardrail_voids_the_lift():
    voided = judge([(CONVERSION, days(3.10, 3.30)), (DISCOVERY, days(30, 27))], [PAIR], today=TODAY)
    held = judge([(CONVERSION, days(3.10, 3.30)), (DISCOVERY, days(30, 30))], [PAIR], today=TODAY)
    promise = {"baseline": 3.1, "target": 3.3, "current": 3.3, "elapsed_fraction": 0.5}

    at_risk = judge_hypothesis(state=voided.of("conversion"), **promise)
    on_track = judge_hypothesis(state=held.of("conversion"), **promise)

    assert (at_risk.verdict, at_risk.voided_by) == (Verdict.AT_RISK, ("discovery_rate",))
    assert (on_track.verdict, on_track.voided_by) == (Verdict.ON_TRACK, ())
    late = judge_hypothesis(
        state=voided.of("conversion"), **(promise | {"current": 3.15, "elapsed_fraction": 1})
    )
    assert late.verdict is Verdict.FALSIFIED  # out of time stays falsified, not merely at risk
