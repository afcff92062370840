"""Sample size and test duration for the evaluation gate, against known values."""

from __future__ import annotations

import math

import pytest

from bot.core.errors import InvalidInput
from bot.gates import power
from bot.gates.power import PowerInputError, power_plan, sample_size

# Two-sided alpha 0.05 / 0.01 and power 0.8 / 0.9, from the normal table.
Z_975, Z_995, Z_80, Z_90 = 1.959964, 2.575829, 0.841621, 1.281552


def cohens_h(p2: float, p1: float) -> float:
    return 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1))


def normal_n(effect: float, z_power: float = Z_80, z_alpha: float = Z_975) -> float:
    """The textbook per-arm size for a two-sided two-sample z-test on an effect size."""
    return 2 * ((z_alpha + z_power) / effect) ** 2


def test_thirty_percent_baseline_two_percent_lift_needs_about_92000_per_arm():
    n = sample_size(baseline=0.30, mde_relative=0.02)

    assert abs(n - 92_000) / 92_000 < 0.01
    assert n == 92_088  # statsmodels' NormalIndPower with Cohen's h, rounded up
    assert n == math.ceil(normal_n(cohens_h(0.306, 0.30)))


def test_a_ten_percent_baseline_and_five_percent_lift():
    n = sample_size(baseline=0.10, mde_relative=0.05)

    assert n == 57_756
    assert n == math.ceil(normal_n(cohens_h(0.105, 0.10)))


def test_stricter_tests_need_more_users():
    base = sample_size(baseline=0.30, mde_relative=0.02)
    more_power = sample_size(baseline=0.30, mde_relative=0.02, power=0.9)
    lower_alpha = sample_size(baseline=0.30, mde_relative=0.02, alpha=0.01)

    assert more_power == math.ceil(normal_n(cohens_h(0.306, 0.30), Z_90)) == 123_280
    assert lower_alpha == math.ceil(normal_n(cohens_h(0.306, 0.30), z_alpha=Z_995)) == 137_025
    assert base < more_power < lower_alpha


def test_a_mean_uses_cohens_d_with_a_t_test():
    # Cohen's classic medium effect, d = 0.5: 64 per arm with a two-sample t-test.
    n = sample_size(baseline=100, mde_relative=0.05, sd=10, metric="mean")

    assert n == 64


def test_a_huge_effect_still_needs_two_users_per_arm():
    assert sample_size(baseline=100, mde_relative=2, sd=1, metric="mean") == 2


def test_duration_rounds_up_to_whole_days_and_weeks():
    assert power.test_duration(per_arm=25_000, weekly_traffic=50_000) == power.Duration(
        days=7, weeks=1
    )
    assert power.test_duration(per_arm=25_001, weekly_traffic=50_000) == power.Duration(
        days=8, weeks=2
    )
    assert power.test_duration(per_arm=92_088, weekly_traffic=50_000) == power.Duration(
        days=26, weeks=4
    )
    assert power.test_duration(per_arm=10, arms=3, weekly_traffic=10**6) == power.Duration(
        days=1, weeks=1
    )


def test_plan_summary_reads_as_one_sentence():
    plan = power_plan(baseline=0.30, mde_relative=0.02, weekly_traffic=50_000)

    assert (plan.per_arm, plan.total, plan.days, plan.weeks) == (92_088, 184_176, 26, 4)
    assert plan.metric == "proportion"
    # Rounded up to three figures so the sentence never promises fewer users than needed.
    assert plan.summary() == (
        "≈92,100 users per arm (184,200 total); at 50,000 eligible users a week "
        "the test needs 26 days (4 weeks)"
    )


def test_plan_with_three_arms_and_a_mean():
    plan = power_plan(baseline=100, mde_relative=0.05, sd=10, weekly_traffic=96, arms=3)

    assert plan.metric == "mean"
    assert (plan.per_arm, plan.total, plan.days, plan.weeks) == (64, 192, 14, 2)
    assert plan.summary() == (
        "≈64 users per arm (192 total across 3 arms); at 96 eligible users a week "
        "the test needs 14 days (2 weeks)"
    )


def test_plan_says_one_day_and_one_week_in_the_singular():
    plan = power_plan(baseline=0.30, mde_relative=0.02, weekly_traffic=10**7)

    assert plan.summary().endswith("the test needs 1 day (1 week)")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"baseline": 30, "mde_relative": 0.02},
            r"The baseline must be a rate between 0 and 1 \(e\.g\. 0\.30 for 30%\), got 30\.",
        ),
        ({"baseline": 0, "mde_relative": 0.02}, "between 0 and 1"),
        (
            {"baseline": 0.3, "mde_relative": 0},
            r"The minimum detectable effect must be greater than 0 \(e\.g\. 0\.02 for \+2%\)",
        ),
        ({"baseline": 0.3, "mde_relative": -0.02}, "must be greater than 0"),
        ({"baseline": 0.3, "mde_relative": float("nan")}, "must be greater than 0"),
        ({"baseline": 0.8, "mde_relative": 0.3}, "80% baseline raised by 30% is 104%"),
        ({"baseline": 0.3, "mde_relative": 1e-9}, "too small to detect"),
        ({"baseline": 0.3, "mde_relative": 0.02, "alpha": 0}, "significance level"),
        ({"baseline": 0.3, "mde_relative": 0.02, "power": 1.2}, "The power must be between"),
        ({"baseline": 0.3, "mde_relative": 0.02, "sd": 3}, "only used for a mean"),
        ({"baseline": 5, "mde_relative": 0.1, "metric": "mean"}, "needs its standard deviation"),
        ({"baseline": 5, "mde_relative": 0.1, "metric": "mean", "sd": 0}, "standard deviation"),
        ({"baseline": 0, "mde_relative": 0.1, "metric": "mean", "sd": 1}, "non-zero baseline"),
        ({"baseline": 0.3, "mde_relative": 0.1, "metric": "median"}, "Unknown metric 'median'"),
    ],
)
def test_bad_inputs_are_readable_errors(kwargs, message):
    with pytest.raises(PowerInputError, match=message) as raised:
        sample_size(**kwargs)

    assert isinstance(raised.value, ValueError) and isinstance(raised.value, InvalidInput)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"per_arm": 100, "weekly_traffic": 0}, "Weekly eligible traffic must be greater than 0"),
        ({"per_arm": 0, "weekly_traffic": 100}, "at least 1 user"),
        ({"per_arm": 100, "arms": 1, "weekly_traffic": 100}, "at least 2 arms"),
    ],
)
def test_bad_durations_are_readable_errors(kwargs, message):
    with pytest.raises(PowerInputError, match=message):
        power.test_duration(**kwargs)
