"""One way to write a metric's numbers: its precision, its unit, points for percentages."""

from __future__ import annotations

import pytest

from bot.metrics import MetricSpec
from bot.metrics.format import NumberFormat, allowed_drop, decimals_for, percent


def fmt(unit: str = "", *, warn: float | None = None, breach: float, lower: bool = False):
    return NumberFormat.of(
        MetricSpec(
            name="m",
            kind="product",
            unit=unit,
            direction="lower_is_better" if lower else "higher_is_better",
            warn=warn,
            breach=breach,
        )
    )


def test_a_percentage_changes_in_points_with_the_relative_change_beside_it():
    conversion = fmt("%", warn=3.0, breach=2.8)

    assert conversion.value(3.30) == "3.30%"
    assert conversion.change(0.20, before=3.10) == "+0.20 pts (+6.5%)"
    assert conversion.change(-0.20, before=3.10) == "−0.20 pts (−6.5%)"


def test_thresholds_carry_their_comparison_and_one_precision():
    assert fmt("%", warn=3.0, breach=2.8).thresholds(warn=3.0, breach=2.8) == (
        "warn below 3.00% · breach below 2.80%"
    )
    latency = fmt("ms", warn=300, breach=400, lower=True)
    assert latency.thresholds(warn=300, breach=400) == "warn above 300 ms · breach above 400 ms"
    assert latency.value(312.4) == "312 ms" and latency.change(12.2, before=300) == (
        "+12 ms (+4.1%)"
    )


def test_the_alert_wording_puts_the_value_and_the_trigger_where_they_cannot_be_swapped():
    relevance = fmt(warn=0.75, breach=0.72)

    assert relevance.versus(0.70, threshold=0.72) == (
        "at 0.70 is below its rollback trigger of 0.72"
    )
    assert relevance.versus(0.74, threshold=0.72) == "at 0.74 is above its rollback trigger of 0.72"
    assert relevance.change(0.8032 - 0.9064, before=0.9064) == "−0.10 (−11.4%)"


@pytest.mark.parametrize(
    ("levels", "decimals"),
    [
        ((0.75, 0.72), 2),  # a rating: two decimals
        ((3.0, 2.8), 2),  # under 10: two, though 2.8 needs one
        ((15,), 1),  # a rate in tens: one
        ((300, 400), 0),  # from 100: none
        ((0.0035,), 4),  # the threshold's own digits win
        ((0.01,), 3),  # two significant digits of a small scale
        ((125_000,), 0),
        ((), 2),  # nothing to go by
    ],
)
def test_the_precision_comes_from_the_thresholds(levels, decimals):
    assert decimals_for(*levels) == decimals


def test_large_numbers_are_grouped_and_units_escaped_once():
    revenue = fmt("<EUR>", breach=125_000)

    assert revenue.value(1_250_000) == "1,250,000 &lt;EUR&gt;"
    assert fmt("&", breach=1).value(2) == "2.00 &amp;"
    spec = MetricSpec(name="m", kind="product", unit="<u>", direction="higher_is_better")
    assert NumberFormat.of(spec).value(1.5) == "1.50 &lt;u&gt;"
    assert NumberFormat.of(spec, plain=True).value(1.5) == "1.50 <u>"  # the chart's labels


def test_shares_and_allowed_drops_read_as_people_write_them():
    assert (percent(0.065), percent(-0.128), percent(0.02), percent(1.5)) == (
        "6.5%",
        "−12.8%",
        "2%",
        "150%",
    )
    rate = fmt("%", breach=20)
    assert allowed_drop(max_drop=0.02, relative=True, fmt=rate) == "2% of its level"
    assert allowed_drop(max_drop=0.5, relative=False, fmt=rate) == "0.5 pts"
    assert fmt(breach=0.72).value(None) == "—"
