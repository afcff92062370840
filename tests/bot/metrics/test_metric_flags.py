"""Metric definitions, daily series and the flags on constructed series."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest

from bot.core.errors import InvalidInput
from bot.metrics import (
    Direction,
    GuardrailPair,
    MetricKind,
    MetricSpec,
    MetricSpecError,
    format_number,
)
from bot.metrics.flags import (
    AlertKind,
    EpisodeState,
    Status,
    Verdict,
    evaluate,
    evaluate_guardrail,
    hypothesis_progress,
    next_alert,
)
from bot.metrics.series import DailySeries, Trend, daily_series, weekly_points

START = date(2024, 3, 1)
NaN = math.nan


def relevance(**changes: object) -> MetricSpec:
    """A model-health rating: higher is better, warn under 0.75, roll back under 0.70."""
    fields: dict[str, object] = {
        "name": "relevance_rating",
        "kind": "model_health",
        "unit": "%",
        "direction": "higher_is_better",
        "warn": 0.75,
        "breach": 0.70,
        "owner": "@dana",
    }
    return MetricSpec(**{**fields, **changes})  # type: ignore[arg-type]


def latency(**changes: object) -> MetricSpec:
    """A p95 latency: lower is better, warn over 800 ms, roll back over 1000 ms."""
    fields: dict[str, object] = {
        "name": "p95_latency",
        "kind": "model_health",
        "unit": "ms",
        "direction": "lower_is_better",
        "warn": 800.0,
        "breach": 1000.0,
    }
    return MetricSpec(**{**fields, **changes})  # type: ignore[arg-type]


def days(*values: float | None, start: date = START) -> DailySeries:
    return DailySeries(start=start, values=[NaN if v is None else v for v in values])


def judge(spec: MetricSpec, *values: float | None, today: date | None = None):  # type: ignore[no-untyped-def]
    series = days(*values)
    return evaluate(spec, series, today=today or series.end)


# --- definitions ---------------------------------------------------------------------------


def test_a_spec_reads_stored_strings_and_tidies_text():
    spec = relevance(kind="Model health", direction="higher-is-better", owner="  ", unit=" % ")

    assert spec.kind is MetricKind.MODEL_HEALTH
    assert spec.direction is Direction.HIGHER_IS_BETTER
    assert spec.owner is None
    assert spec.unit == "%"
    assert (spec.periods_in_row, spec.stale_after_periods) == (1, 2)


def test_higher_is_better_needs_the_breach_at_or_below_warn():
    with pytest.raises(MetricSpecError) as raised:
        relevance(warn=0.75, breach=0.80)

    assert str(raised.value) == (
        "For a higher-is-better metric the breach threshold (0.80) must be at or below "
        "the warn threshold (0.75)."
    )
    assert relevance(warn=0.75, breach=0.75).breach == 0.75  # equal is allowed


def test_lower_is_better_needs_the_breach_at_or_above_warn():
    with pytest.raises(MetricSpecError) as raised:
        latency(warn=800, breach=600)

    assert str(raised.value) == (
        "For a lower-is-better metric the breach threshold (600) must be at or above "
        "the warn threshold (800)."
    )
    assert latency(warn=None, breach=600).breach == 600  # one threshold alone has no order


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "relevance rating"}, "has spaces: use one word, e.g. 'relevance_rating'"),
        ({"name": " "}, "A metric needs a name"),
        ({"name": "x" * 65}, "keep it to 64"),
        ({"kind": "vanity"}, "Unknown metric kind 'vanity': use one of model_health, product"),
        ({"direction": "up"}, "Unknown direction 'up'"),
        ({"warn": math.nan}, "The warn threshold of 'relevance_rating' must be a number"),
        ({"breach": math.inf}, "The breach threshold of 'relevance_rating' must be a number"),
        ({"periods_in_row": 0}, "periods in row must be a whole number of days, 1 or more"),
        ({"periods_in_row": True}, "periods in row must be a whole number"),
        ({"periods_in_row": 1.5}, "periods in row must be a whole number"),
        ({"stale_after_periods": 0}, "stale after periods must be a whole number"),
    ],
)
def test_a_spec_that_cannot_work_is_refused_with_a_readable_reason(changes, message):
    with pytest.raises(MetricSpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        relevance(**changes)


def test_spec_errors_are_value_errors_the_error_handler_can_show():
    assert issubclass(MetricSpecError, ValueError)
    assert issubclass(MetricSpecError, InvalidInput)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"guardrail": "completion"}, "'completion' cannot be its own guardrail"),
        ({"max_drop": 0}, "must be a positive number, not 0"),
        ({"max_drop": math.nan}, "must be a positive number"),
        ({"max_drop": 2, "relative": True}, "write 0.02 for 2%, not 2"),
    ],
)
def test_a_guardrail_pair_that_cannot_work_is_refused(changes, message):
    fields = {"primary": "completion", "guardrail": "discovery", "max_drop": 0.02}
    with pytest.raises(MetricSpecError, match=message):
        GuardrailPair(**{**fields, **changes})


def test_an_absolute_guardrail_may_allow_a_drop_above_one():
    assert GuardrailPair(primary="a", guardrail="b", max_drop=50, relative=False).max_drop == 50


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.8, "0.80"), (0.75, "0.75"), (1250.0, "1250"), (-3.0, "-3"), (0.0035, "0.0035")],
)
def test_numbers_read_the_way_people_write_thresholds(value, text):
    assert format_number(value) == text


# --- daily series --------------------------------------------------------------------------


def test_the_latest_sample_of_a_local_day_wins():
    berlin = timezone(timedelta(hours=1))  # March 2024 is before the clocks change
    samples = [
        (datetime(2024, 3, 1, 20, 0, tzinfo=UTC), 0.71),  # 21:00 Berlin, Mar 1
        (datetime(2024, 3, 1, 9, 0, tzinfo=UTC), 0.70),  # earlier, sent later: loses
        (datetime(2024, 3, 1, 23, 30, tzinfo=UTC), 0.90),  # 00:30 Berlin: Mar 2
        (datetime(2024, 3, 4, 8, 0), 0.60),  # naive means UTC
        (datetime(2024, 3, 4, 9, 0, tzinfo=berlin), math.nan),  # later but not a value
        (datetime(2024, 2, 28, 12, 0, tzinfo=UTC), 0.10),  # before the range
        (datetime(2024, 3, 9, 12, 0, tzinfo=UTC), 0.10),  # after it
    ]

    series = daily_series(samples, tz="Europe/Berlin", start=START, end=date(2024, 3, 5))

    np.testing.assert_array_equal(series.values, [0.71, 0.90, NaN, 0.60, NaN])
    assert series.end == date(2024, 3, 5)
    assert list(series.days.astype(str)) == [f"2024-03-0{d}" for d in range(1, 6)]
    assert not series.values.flags.writeable


def test_a_series_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="ends"):
        daily_series([], tz="UTC", start=START, end=START - timedelta(days=1))


def test_a_window_pads_days_outside_the_series_with_nan():
    series = days(1, 2, 3)

    np.testing.assert_array_equal(series.window(end=START + timedelta(days=3), days=3), [2, 3, NaN])
    np.testing.assert_array_equal(series.window(end=START, days=2), [NaN, 1])
    assert np.isnan(series.window(end=START - timedelta(days=5), days=2)).all()


def test_weekly_points_are_the_mean_of_each_weeks_reports():
    series = days(*([1.0] * 7 + [None] * 7 + [2, 4, None, None, None, None, None]))

    points = weekly_points(series, end=series.end, weeks=4)

    np.testing.assert_array_equal(points, [NaN, 1.0, NaN, 3.0])


# --- thresholds and the N-in-a-row rule ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status", "fired"),
    [(0.80, Status.OK, None), (0.75, Status.OK, None), (0.74, Status.WARN, 0.75),
     (0.70, Status.WARN, 0.75), (0.69, Status.BREACH, 0.70)],
)  # fmt: skip
def test_higher_is_better_thresholds(value, status, fired):
    result = judge(relevance(), 0.8, 0.8, value)

    assert (result.status, result.fired_threshold, result.value) == (status, fired, value)
    assert result.streak == (1 if fired else 0)


@pytest.mark.parametrize(
    ("value", "status", "fired"),
    [(700, Status.OK, None), (800, Status.OK, None), (801, Status.WARN, 800),
     (1000, Status.WARN, 800), (1200, Status.BREACH, 1000)],
)  # fmt: skip
def test_lower_is_better_thresholds(value, status, fired):
    result = judge(latency(), 500, value)

    assert (result.status, result.fired_threshold) == (status, fired)


def test_a_breach_counts_only_after_n_days_in_a_row():
    spec = relevance(periods_in_row=3)

    building = judge(spec, 0.8, 0.8, 0.69, 0.69)
    breached = judge(spec, 0.8, 0.69, 0.69, 0.69)

    assert (building.status, building.fired_threshold, building.streak) == (Status.OK, None, 2)
    assert (breached.status, breached.fired_threshold, breached.streak) == (Status.BREACH, 0.70, 3)


def test_a_short_breach_run_counts_as_warn_when_warn_held_for_n_days():
    result = judge(relevance(periods_in_row=3), 0.8, 0.74, 0.69, 0.69)

    assert (result.status, result.fired_threshold, result.streak) == (Status.WARN, 0.75, 3)


def test_one_good_day_breaks_a_breach_run():
    spec = relevance(periods_in_row=3)

    result = judge(spec, 0.69, 0.69, 0.80, 0.69, 0.69)

    assert (result.status, result.streak) == (Status.OK, 2)
    assert result.clear_of_breach is False


def test_a_day_nobody_reported_neither_breaks_nor_extends_a_run():
    result = judge(relevance(periods_in_row=3), 0.8, 0.69, 0.69, None, 0.69)

    assert (result.status, result.streak) == (Status.BREACH, 3)


def test_a_metric_without_thresholds_is_ok_while_fresh():
    result = judge(relevance(warn=None, breach=None), 0.1, 0.2)

    assert (result.status, result.streak, result.clear_of_breach) == (Status.OK, 0, True)


# --- stale and no data ---------------------------------------------------------------------


def test_stale_once_the_latest_report_is_stale_after_periods_old():
    spec = relevance(stale_after_periods=2)
    series = days(0.69, 0.69, 0.69)

    fresh = evaluate(spec, series, today=series.end + timedelta(days=1))
    stale = evaluate(spec, series, today=series.end + timedelta(days=2))

    assert fresh.status is Status.BREACH
    assert (stale.status, stale.fired_threshold) == (Status.STALE, None)
    assert (stale.value, stale.as_of, stale.day) == (0.69, series.end, series.end + timedelta(2))
    assert stale.flagged


def test_an_old_report_outside_the_history_is_stale_not_missing():
    series = days(0.8, *([None] * 100))

    result = evaluate(relevance(), series, today=series.end)

    assert (result.status, result.value, result.as_of) == (Status.STALE, 0.8, START)


@pytest.mark.parametrize(
    ("series", "today"),
    [
        (days(), START),
        (days(None, None, None), START + timedelta(days=2)),
        (days(0.8, 0.8), START - timedelta(days=1)),  # the reports come after the day judged
    ],
)
def test_no_data_when_nothing_was_reported_by_that_day(series, today):
    result = evaluate(relevance(), series, today=today)

    assert result.status is Status.NO_DATA
    assert (result.value, result.trend, result.z, result.anomaly) == (None, None, None, False)
    assert not result.flagged


def test_days_after_the_one_judged_are_ignored():
    series = days(0.8, 0.8, 0.5, 0.5)

    result = evaluate(relevance(), series, today=START + timedelta(days=1))

    assert (result.status, result.value) == (Status.OK, 0.8)


def test_history_must_leave_room_for_a_baseline():
    with pytest.raises(ValueError, match="history_days must exceed 14"):
        evaluate(relevance(), days(0.8), today=START, history_days=14)


# --- anomaly -------------------------------------------------------------------------------


def noise(n: int, *, seed: int = 7, mean: float = 0.80, sd: float = 0.01) -> list[float]:
    return list(np.random.default_rng(seed).normal(mean, sd, n))


def test_a_spike_is_an_anomaly_measured_against_a_baseline_without_it():
    history = noise(55)
    result = judge(relevance(warn=None, breach=None), *history, 0.86)

    baseline = np.array(history)
    expected = (0.86 - baseline.mean()) / baseline.std(ddof=1)
    with_itself = np.append(baseline, 0.86)
    diluted = (0.86 - with_itself.mean()) / with_itself.std(ddof=1)
    assert result.anomaly and result.flagged
    assert result.z == pytest.approx(expected)
    assert result.z > diluted  # the spike did not widen its own yardstick
    assert result.status is Status.OK  # unusual, yet within thresholds


def test_steady_noise_is_not_an_anomaly():
    statuses = [judge(relevance(), *noise(56, seed=seed)) for seed in range(20)]

    assert not any(status.anomaly for status in statuses)
    assert all(status.z is not None and abs(status.z) < 3 for status in statuses)


def test_a_drop_is_an_anomaly_too():
    result = judge(relevance(warn=None, breach=None), *noise(30), 0.74)

    assert result.anomaly and result.z is not None and result.z < -3


def test_the_baseline_only_covers_the_trailing_history():
    # A wild first week falls out of the 56-day window and no longer hides a later spike.
    wild = [0.2, 1.4] * 4
    result = judge(relevance(warn=None, breach=None), *wild, *noise(55), 0.86)

    assert result.anomaly


def test_no_z_score_under_fourteen_reports():
    result = judge(relevance(), *noise(13), 0.95)

    assert (result.z, result.anomaly) == (None, False)
    assert judge(relevance(), *noise(14), 0.95).anomaly


def test_a_constant_metric_that_moves_is_infinitely_unusual():
    moved = judge(relevance(warn=None, breach=None), *([0.8] * 20), 0.81)
    same = judge(relevance(warn=None, breach=None), *([0.8] * 20), 0.8)

    assert (moved.anomaly, moved.z) == (True, math.inf)
    assert (same.anomaly, same.z) == (False, 0.0)


# --- change on last week and trend ---------------------------------------------------------


def test_change_on_the_same_day_last_week():
    result = judge(relevance(), 0.80, *([0.78] * 6), 0.72)

    assert result.previous_week_value == 0.80
    assert result.change_abs == pytest.approx(-0.08)
    assert result.change_rel == pytest.approx(-0.10)


def test_change_falls_back_to_the_latest_report_in_the_week_before():
    result = judge(relevance(), 0.90, 0.85, None, *([0.8] * 6), 0.72)

    assert result.previous_week_value == 0.85
    assert judge(relevance(), 0.9, *([None] * 7), 0.72).previous_week_value == 0.9
    assert judge(relevance(), 0.9, *([None] * 13), 0.72).previous_week_value is None  # 2 weeks
    assert judge(relevance(), 0.8, 0.8, 0.72).change_abs is None  # this week only


def test_no_relative_change_from_zero():
    result = judge(latency(), 0, *([1] * 6), 5)

    assert (result.change_abs, result.change_rel) == (5, None)


@pytest.mark.parametrize(
    ("values", "trend", "slope"),
    [
        ([0.70, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76], Trend.RISING, 0.01),
        ([0.76, 0.75, None, 0.73, 0.72, 0.71, 0.70], Trend.FALLING, -0.01),
        ([0.80] * 7, Trend.FLAT, 0.0),
        ([0.800, 0.801, 0.802, 0.803, 0.804, 0.805, 0.806], Trend.FLAT, 0.001),  # < 1% a week
        ([None, None, None, None, None, 0.7, 0.8], None, None),  # two points fit any line
    ],
)
def test_trend_over_the_last_seven_days(values, trend, slope):
    result = judge(relevance(), *([0.8] * 10), *values, today=START + timedelta(days=16))

    assert result.trend is trend
    assert result.slope == (None if slope is None else pytest.approx(slope))


def test_noise_without_direction_is_flat():
    trends = [judge(relevance(), *noise(7, seed=seed)).trend for seed in range(20)]

    assert trends.count(Trend.FLAT) >= 18  # p < 0.05 lets through about one in twenty


# --- guardrails ----------------------------------------------------------------------------

COMPLETION = MetricSpec(name="completion", kind="product", direction="higher_is_better")
DISCOVERY = MetricSpec(name="discovery", kind="product", direction="higher_is_better")


def two_weeks(before: float, now: float) -> DailySeries:
    return days(*([before] * 7), *([now] * 7))


def guard(pair: GuardrailPair, primary: DailySeries, guardrail: DailySeries, **specs: MetricSpec):  # type: ignore[no-untyped-def]
    return evaluate_guardrail(
        pair,
        primary_spec=specs.get("primary_spec", COMPLETION),
        primary=primary,
        guardrail_spec=specs.get("guardrail_spec", DISCOVERY),
        guardrail=guardrail,
        today=START + timedelta(days=13),
    )


def test_a_lift_does_not_count_when_the_guardrail_falls_too_far():
    pair = GuardrailPair(primary="completion", guardrail="discovery", max_drop=0.05)

    result = guard(pair, two_weeks(0.50, 0.52), two_weeks(0.30, 0.28))

    assert (result.primary_before, result.primary_now) == (0.50, 0.52)
    assert (result.guardrail_before, result.guardrail_now) == (0.30, 0.28)
    assert result.lift == pytest.approx(0.02)
    assert result.drop == pytest.approx(0.02 / 0.30)
    assert result.primary_lifted and result.guardrail_dropped and result.violated


def test_a_small_guardrail_dip_is_allowed():
    pair = GuardrailPair(primary="completion", guardrail="discovery", max_drop=0.05)

    result = guard(pair, two_weeks(0.50, 0.52), two_weeks(0.30, 0.29))

    assert result.drop == pytest.approx(1 / 30)
    assert not result.guardrail_dropped and not result.violated


def test_a_guardrail_that_falls_without_a_lift_is_shown_but_not_a_violation():
    pair = GuardrailPair(primary="completion", guardrail="discovery", max_drop=0.05)

    result = guard(pair, two_weeks(0.50, 0.49), two_weeks(0.30, 0.20))

    assert result.guardrail_dropped and not result.primary_lifted and not result.violated


def test_an_absolute_latency_guardrail_falls_by_rising():
    pair = GuardrailPair(primary="completion", guardrail="p95_latency", max_drop=50, relative=False)
    specs = {"guardrail_spec": latency()}

    slower = guard(pair, two_weeks(0.50, 0.52), two_weeks(200, 280), **specs)
    bit_slower = guard(pair, two_weeks(0.50, 0.52), two_weeks(200, 250), **specs)
    faster = guard(pair, two_weeks(0.50, 0.52), two_weeks(280, 200), **specs)

    assert (slower.drop, slower.violated) == (80, True)
    assert (bit_slower.drop, bit_slower.violated) == (50, False)  # "more than" 50, not 50
    assert (faster.drop, faster.violated) == (-80, False)


def test_the_limit_is_last_weeks_mean_less_what_the_pair_allows_on_its_bad_side():
    relative = GuardrailPair(primary="completion", guardrail="discovery", max_drop=0.05)
    absolute = GuardrailPair(
        primary="completion", guardrail="p95_latency", max_drop=50, relative=False
    )

    fell = guard(relative, two_weeks(0.50, 0.52), two_weeks(0.30, 0.28))
    slower = guard(absolute, two_weeks(0.50, 0.52), two_weeks(200, 280), guardrail_spec=latency())
    silent = guard(relative, two_weeks(0.50, 0.52), days(*([None] * 7), *([0.3] * 7)))

    assert fell.limit(DISCOVERY.direction) == pytest.approx(0.285)  # 5% under 0.30
    assert slower.limit(latency().direction) == 250  # 50 ms over 200: latency falls by rising
    assert silent.limit(DISCOVERY.direction) is None  # no week before: nothing to measure from


def test_a_lower_is_better_primary_lifts_by_falling():
    pair = GuardrailPair(primary="p95_latency", guardrail="discovery", max_drop=0.05)

    result = guard(pair, two_weeks(900, 700), two_weeks(0.30, 0.20), primary_spec=latency())

    assert result.lift == 200 and result.violated


def test_windows_are_means_of_the_reported_days():
    pair = GuardrailPair(primary="completion", guardrail="discovery", max_drop=0.05)
    primary = days(0.4, None, 0.6, None, None, None, None, 0.5, 0.7, *([None] * 5))

    result = guard(pair, primary, two_weeks(0.3, 0.3))

    assert (result.primary_before, result.primary_now) == (pytest.approx(0.5), 0.6)


def test_a_guardrail_without_data_is_unknown_not_violated():
    pair = GuardrailPair(primary="completion", guardrail="discovery", max_drop=0.05)

    result = guard(pair, two_weeks(0.50, 0.52), days(*([None] * 7), *([0.2] * 7)))

    assert (result.guardrail_before, result.drop, result.violated) == (None, None, False)
    assert result.primary_lifted


def test_specs_must_match_the_pair():
    pair = GuardrailPair(primary="completion", guardrail="discovery", max_drop=0.05)

    with pytest.raises(ValueError, match="do not match"):
        guard(pair, two_weeks(1, 1), two_weeks(1, 1), guardrail_spec=latency())


# --- escape alerts -------------------------------------------------------------------------


def alerts(spec: MetricSpec, *values: float | None, state: EpisodeState | None = None):  # type: ignore[no-untyped-def]
    """Evaluate each day as the scheduler would and collect what would be posted."""
    series = days(*values)
    state = state or EpisodeState()
    posted = []
    for offset in range(len(values)):
        status = evaluate(spec, series, today=START + timedelta(days=offset))
        state, alert = next_alert(state=state, status=status)
        if alert:
            posted.append(alert)
    return posted, state


def test_a_five_day_breach_alerts_once_and_its_recovery_once():
    posted, state = alerts(relevance(), 0.8, 0.69, 0.68, 0.66, 0.67, 0.69, 0.80, 0.81)

    since = START + timedelta(days=1)
    assert [(a.kind, a.day, a.value) for a in posted] == [
        (AlertKind.BREACH, since, 0.69),
        (AlertKind.RECOVERED, START + timedelta(days=6), 0.80),
    ]
    breach, recovered = posted
    assert (breach.metric, breach.threshold, breach.since, breach.streak) == (
        "relevance_rating", 0.70, since, 1
    )  # fmt: skip
    assert (recovered.threshold, recovered.since, recovered.status) == (0.70, since, Status.OK)
    assert state == EpisodeState()


def test_the_breach_alert_waits_for_n_days_and_carries_the_trend():
    spec = relevance(periods_in_row=2)

    posted, state = alerts(spec, 0.80, 0.78, 0.76, 0.74, 0.72, 0.69, 0.67, 0.66, 0.65)

    since = START + timedelta(days=6)
    assert [(a.kind, a.day, a.value, a.streak, a.trend) for a in posted] == [
        (AlertKind.BREACH, since, 0.67, 2, Trend.FALLING)
    ]
    assert state == EpisodeState(in_breach=True, since=since, threshold=0.70)


def test_flapping_at_the_trigger_never_opens_an_episode():
    posted, _ = alerts(relevance(periods_in_row=2), 0.69, 0.71, 0.69, 0.71, 0.69, 0.71, 0.69)

    assert posted == []


def test_flapping_inside_an_episode_does_not_post_recovery_and_breach_again():
    spec = relevance(periods_in_row=2)

    posted, state = alerts(spec, 0.69, 0.69, 0.71, 0.69, 0.71, 0.69, 0.69, 0.71, 0.69)

    assert [a.kind for a in posted] == [AlertKind.BREACH]
    assert state.in_breach


def test_recovery_needs_n_days_back_within_the_trigger():
    posted, state = alerts(relevance(periods_in_row=2), 0.69, 0.69, 0.74, 0.72)

    assert [(a.kind, a.day, a.status) for a in posted] == [
        (AlertKind.BREACH, START + timedelta(days=1), Status.BREACH),
        (AlertKind.RECOVERED, START + timedelta(days=3), Status.WARN),  # better, not yet good
    ]
    assert not state.in_breach


def test_silence_is_not_recovery():
    spec = relevance(stale_after_periods=2)

    posted, state = alerts(spec, 0.69, 0.69, None, None, None, 0.80)

    assert [(a.kind, a.day) for a in posted] == [
        (AlertKind.BREACH, START),
        (AlertKind.RECOVERED, START + timedelta(days=5)),
    ]
    assert not state.in_breach


def test_an_episode_stays_open_while_the_metric_is_stale():
    posted, state = alerts(relevance(), 0.69, None, None, None)

    assert [a.kind for a in posted] == [AlertKind.BREACH]
    assert state.in_breach


def test_re_evaluating_the_same_day_posts_nothing_new():
    status = judge(relevance(), 0.8, 0.69)

    state, first = next_alert(state=EpisodeState(), status=status)
    again, second = next_alert(state=state, status=status)

    assert first is not None and first.kind is AlertKind.BREACH
    assert (second, again) == (None, state)


def test_a_new_episode_after_recovery_alerts_again():
    posted, _ = alerts(relevance(), 0.69, 0.8, 0.69)

    assert [a.kind for a in posted] == [AlertKind.BREACH, AlertKind.RECOVERED, AlertKind.BREACH]


# --- hypothesis progress -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "elapsed", "verdict", "progress"),
    [
        (150, 0.50, Verdict.ON_TRACK, 0.5),
        (150, 0.75, Verdict.ON_TRACK, 0.5),  # exactly a quarter behind is still on track
        (149, 0.75, Verdict.AT_RISK, 0.49),
        (100, 0.20, Verdict.ON_TRACK, 0.0),  # too early to worry
        (90, 0.30, Verdict.AT_RISK, -0.1),  # moving the wrong way
        (200, 0.10, Verdict.ON_TRACK, 1.0),  # reached early
        (199, 1.00, Verdict.FALSIFIED, 0.99),
        (120, 1.40, Verdict.FALSIFIED, 0.2),  # overdue
        (210, 1.00, Verdict.ON_TRACK, 1.1),
    ],
)
def test_hypothesis_progress_against_the_straight_path(current, elapsed, verdict, progress):
    result = hypothesis_progress(
        baseline=100,
        target=200,
        current=current,
        direction="higher_is_better",
        elapsed_fraction=elapsed,
    )

    assert result.verdict is verdict
    assert result.progress == pytest.approx(progress)
    assert result.elapsed_fraction == elapsed


def test_hypothesis_progress_on_a_lower_is_better_metric():
    def verdict(current: float, elapsed: float) -> Verdict:
        return hypothesis_progress(
            baseline=300,
            target=250,
            current=current,
            direction=Direction.LOWER_IS_BETTER,
            elapsed_fraction=elapsed,
        ).verdict

    assert verdict(280, 0.4) is Verdict.ON_TRACK
    assert verdict(295, 0.6) is Verdict.AT_RISK
    assert verdict(260, 1.0) is Verdict.FALSIFIED
    assert verdict(240, 1.0) is Verdict.ON_TRACK


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target": 90}, r"higher-is-better metric the target \(90\) must be above the baseline"),
        ({"target": 100}, r"must be above the baseline \(100\)"),
        ({"direction": "lower_is_better"}, r"target \(200\) must be below the baseline \(100\)"),
        ({"current": math.nan}, "current must be a number"),
        ({"elapsed_fraction": -0.1}, "negative"),
    ],
)
def test_hypothesis_progress_refuses_a_promise_that_cannot_be_kept(changes, message):
    fields = {
        "baseline": 100,
        "target": 200,
        "current": 150,
        "direction": "higher_is_better",
        "elapsed_fraction": 0.5,
    }
    with pytest.raises(MetricSpecError, match=message):
        hypothesis_progress(**{**fields, **changes})
