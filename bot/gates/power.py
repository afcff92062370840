"""The evaluation gate's arithmetic: how many users a live test needs, and for how long."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal

from bot.core.errors import InvalidInput

Metric = Literal["proportion", "mean"]
_MIN_PER_ARM = 2  # a two-sample t-test has no variance estimate with fewer


class PowerInputError(InvalidInput, ValueError):
    """An input of the power calculation cannot be used; the message says what to change."""


@dataclass(frozen=True, kw_only=True)
class Duration:
    """How long a test runs: whole days, and the whole weeks that cover them."""

    days: int
    weeks: int


@dataclass(frozen=True, kw_only=True)
class PowerPlan:
    """The sample size and duration of a live test, with the inputs they came from."""

    per_arm: int
    arms: int
    days: int
    weeks: int
    weekly_traffic: int
    baseline: float
    mde_relative: float
    metric: Metric
    alpha: float
    power: float

    @property
    def total(self) -> int:
        """Return the users needed across all arms."""
        return self.per_arm * self.arms

    def summary(self) -> str:
        """Return the plan in one sentence a stakeholder can read."""
        per_arm = _round_up(self.per_arm)
        across = "" if self.arms == 2 else f" across {self.arms} arms"
        return (
            f"≈{per_arm:,} users per arm ({per_arm * self.arms:,} total{across}); "
            f"at {self.weekly_traffic:,} eligible users a week the test needs "
            f"{_plural(self.days, 'day')} ({_plural(self.weeks, 'week')})"
        )


def sample_size(
    *,
    baseline: float,
    mde_relative: float,
    alpha: float = 0.05,
    power: float = 0.8,
    metric: Metric = "proportion",
    sd: float | None = None,
) -> int:
    """Return the users each arm needs to detect a relative change of `mde_relative`, two-sided.

    A proportion uses Cohen's h between the baseline and the shifted rate; a mean uses
    Cohen's d, the absolute change over `sd`, with a two-sample t-test.
    """
    # statsmodels takes about a second to import: only the evaluation gate should pay it.
    from statsmodels.stats.power import NormalIndPower, TTestIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    _check_test(alpha=alpha, power=power)
    _check_positive(mde_relative, "The minimum detectable effect", example="0.02 for +2%")
    if metric == "proportion":
        if sd is not None:
            raise PowerInputError("A standard deviation is only used for a mean metric.")
        if not (_finite(baseline) and 0 < baseline < 1):
            raise PowerInputError(
                f"The baseline must be a rate between 0 and 1 (e.g. 0.30 for 30%), got {baseline}."
            )
        target = baseline * (1 + mde_relative)
        if target >= 1:
            raise PowerInputError(
                f"A {baseline:.0%} baseline raised by {mde_relative:.0%} is {target:.0%}, "
                "more than every user: pick a smaller effect."
            )
        effect = proportion_effectsize(target, baseline)
        solver = NormalIndPower()
    elif metric == "mean":
        if sd is None:
            raise PowerInputError("A mean metric needs its standard deviation (sd).")
        _check_positive(sd, "The standard deviation", example="12.5")
        if not _finite(baseline) or baseline == 0:
            raise PowerInputError(
                f"A relative effect needs a non-zero baseline mean, got {baseline}."
            )
        effect = abs(baseline) * mde_relative / sd
        solver = TTestIndPower()
    else:
        raise PowerInputError(f"Unknown metric '{metric}': use 'proportion' or 'mean'.")
    with warnings.catch_warnings():
        # At the extremes the root finder warns (no convergence, sqrt of a negative) and
        # returns nan; the checks below turn that into an answer or a readable error.
        warnings.simplefilter("ignore")
        n = solver.solve_power(
            effect_size=effect, alpha=alpha, power=power, ratio=1.0, alternative="two-sided"
        )
        if not _finite(n):
            smallest = solver.power(effect_size=effect, nobs1=_MIN_PER_ARM, alpha=alpha, ratio=1.0)
            if _finite(smallest) and smallest >= power:
                return _MIN_PER_ARM
            raise PowerInputError(
                "The effect is too small to detect with any sample: raise the MDE."
            )
    return max(_MIN_PER_ARM, math.ceil(n))


def test_duration(*, per_arm: int, arms: int = 2, weekly_traffic: int) -> Duration:
    """Return how long `arms` arms of `per_arm` users take at `weekly_traffic` eligible users."""
    if per_arm < 1:
        raise PowerInputError(f"Each arm needs at least 1 user, got {per_arm}.")
    if arms < 2:
        raise PowerInputError(f"A test compares at least 2 arms, got {arms}.")
    _check_positive(weekly_traffic, "Weekly eligible traffic", example="50000")
    days = math.ceil(per_arm * arms * 7 / weekly_traffic)
    return Duration(days=days, weeks=math.ceil(days / 7))


# Its name starts with "test": tell pytest it is not a test when a test module imports it.
test_duration.__test__ = False  # type: ignore[attr-defined]


def power_plan(
    *,
    baseline: float,
    mde_relative: float,
    weekly_traffic: int,
    sd: float | None = None,
    metric: Metric | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    arms: int = 2,
) -> PowerPlan:
    """Return the sample size and duration; `metric` defaults to a mean when `sd` is given.

    With more than two arms each is compared with the control at `alpha`, uncorrected.
    """
    chosen: Metric = metric or ("mean" if sd is not None else "proportion")
    per_arm = sample_size(
        baseline=baseline, mde_relative=mde_relative, alpha=alpha, power=power, metric=chosen, sd=sd
    )
    duration = test_duration(per_arm=per_arm, arms=arms, weekly_traffic=weekly_traffic)
    return PowerPlan(
        per_arm=per_arm,
        arms=arms,
        days=duration.days,
        weeks=duration.weeks,
        weekly_traffic=weekly_traffic,
        baseline=baseline,
        mde_relative=mde_relative,
        metric=chosen,
        alpha=alpha,
        power=power,
    )


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _check_positive(value: float, name: str, *, example: str) -> None:
    if not (_finite(value) and value > 0):
        raise PowerInputError(f"{name} must be greater than 0 (e.g. {example}), got {value}.")


def _check_test(*, alpha: float, power: float) -> None:
    if not (_finite(alpha) and 0 < alpha < 1):
        raise PowerInputError(f"The significance level must be between 0 and 1, got {alpha}.")
    if not (_finite(power) and alpha < power < 1):
        raise PowerInputError(f"The power must be between {alpha} and 1 (e.g. 0.8), got {power}.")


def _round_up(n: int, digits: int = 3) -> int:
    """Round `n` up to `digits` significant figures, so a summary never understates it."""
    step = 10 ** max(0, len(str(n)) - digits)
    return -(-n // step) * step


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
