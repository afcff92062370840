"""Digest views built without a database, judged by the one evaluation every surface reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from bot.digests.data import HypothesisView, MetricView, PairView
from bot.metrics.registry import pair_of, spec_of
from bot.metrics.series import DailySeries, weekly_points
from bot.metrics.state import Judgement, judge, judge_hypothesis
from db.models import Hypothesis
from db.models.metrics import Metric


def judged(
    metrics: Sequence[tuple[Metric, np.ndarray]], *, today: date
) -> tuple[list[MetricView], list[PairView], Judgement]:
    """Judge `metrics` (each with its daily values ending `today`) and their guardrail pairs."""
    by_id = {metric.id: metric for metric, _ in metrics}
    pairs = [
        pair_of(guardrail=metric, primary=by_id[metric.guardrail_of])
        for metric, _ in metrics
        if metric.guardrail_of in by_id and metric.guardrail_max_drop is not None
    ]
    series = {
        metric.name: DailySeries(start=today - timedelta(days=len(values) - 1), values=values)
        for metric, values in metrics
    }
    judgement = judge([(spec_of(m), series[m.name]) for m, _ in metrics], pairs, today=today)
    views = [
        MetricView(
            metric=metric,
            state=judgement.of(metric.name),
            weekly=weekly_points(series[metric.name], end=today),
        )
        for metric, _ in metrics
    ]
    by_name = {metric.name: metric for metric, _ in metrics}
    shown = [
        PairView(primary=by_name[g.pair.primary], guardrail=by_name[g.pair.guardrail], status=g)
        for g in judgement.pairs
    ]
    return views, shown, judgement


def hypothesis_view(
    hypothesis: Hypothesis, view: MetricView, *, current: float, elapsed: float
) -> HypothesisView:
    """Return `hypothesis` judged by `view`'s metric at `current`, `elapsed` of its time gone."""
    assert hypothesis.baseline_value is not None and hypothesis.target_value is not None
    return HypothesisView(
        hypothesis=hypothesis,
        metric=view.metric,
        current=current,
        judged=judge_hypothesis(
            baseline=hypothesis.baseline_value,
            target=hypothesis.target_value,
            current=current,
            state=view.state,
            elapsed_fraction=elapsed,
        ),
        state=view.state,
    )
