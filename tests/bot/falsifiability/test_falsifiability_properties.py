"""The five rewrite properties, each caught when broken and passed when kept."""

from __future__ import annotations

from bot.falsifiability.properties import (
    bounds,
    check_properties,
    dropped_numbers,
    invented_words,
    lost_bounds,
    lost_condition,
    repeated_runs,
    written_condition,
)

STATEMENT = "Cut median refund handling time from 40 to 25 minutes for marketplace sellers."


def test_a_word_from_another_domain_is_invented() -> None:
    rewrite = "We believe [change] will cause a rise in purchases per session for sellers."

    assert invented_words(statement=STATEMENT, rewrite=rewrite) == [
        "per",
        "purchases",
        "rise",
        "session",
    ]


def test_the_shape_and_function_words_invent_nothing() -> None:
    rewrite = (
        "We believe [change] will cause a change in median refund handling time for "
        "marketplace sellers because [theory]. We will know we are wrong if it does not move "
        "down from 40 to 25 minutes within [time]."
    )

    assert invented_words(statement=STATEMENT, rewrite=rewrite) == []
    assert check_properties(statement=STATEMENT, rewrite=rewrite).ok


def test_a_phrase_written_twice_is_a_repeat_unless_the_team_repeated_it() -> None:
    rewrite = "median refund handling time will fall; if median refund handling time does not"
    assert repeated_runs(statement=STATEMENT, rewrite=rewrite) == [
        "median refund handling",
        "refund handling time",
    ]
    twice = "Support tickets per order fell; support tickets per order must stay low."
    assert repeated_runs(statement=twice, rewrite=twice) == []


def test_every_number_the_team_wrote_must_stay() -> None:
    assert dropped_numbers(statement=STATEMENT, rewrite="from 40 to [amount]") == ["25"]
    assert dropped_numbers(statement="Serve 1,250 shops at 99.5%.", rewrite="1,250 99.5") == []


def test_bounds_are_read_with_their_direction() -> None:
    assert bounds("p99 under 250 ms and at least 1,000 sessions") == {
        ("ceiling", "250"),
        ("floor", "1,000"),
    }
    # A negation turns a floor word round: "should not take more than" is a ceiling.
    assert bounds("recovery should not take more than 5 minutes") == {("ceiling", "5")}
    assert bounds("with no drop greater than 0.5% in opt-ins") == {("ceiling", "0.5")}
    assert bounds("a reply in 2 seconds or less") == {("ceiling", "2")}
    assert bounds("p95 latency") == set()  # a name, not an amount


def test_a_ceiling_turned_into_a_target_or_a_floor_is_lost() -> None:
    text = "Checkout p95 latency stays under 150 ms."

    assert lost_bounds(statement=text, rewrite="p95 latency does not reach 150 ms") == [
        "ceiling 150"
    ]
    assert lost_bounds(statement=text, rewrite="p95 latency above 150 ms") == ["ceiling 150"]
    assert lost_bounds(statement=text, rewrite="p95 latency to be under 150 ms") == []


def test_the_team_condition_is_read_from_its_trigger() -> None:
    assert written_condition("We are wrong if opt-outs stay above 6% after a month.") == (
        "if opt-outs stay above 6% after a month"
    )
    assert written_condition("Kill it if the lift is under 0.05 after 50,000 visits.") == (
        "if the lift is under 0.05 after 50,000 visits"
    )
    assert written_condition("If refunds rise past 2%, we roll back.") == "If refunds rise past 2%"
    assert written_condition("Roll out if CTR improves by 1%.") is None  # success, not failure


def test_a_rewrite_that_asks_for_the_condition_the_team_wrote_loses_it() -> None:
    text = "Grow repeat orders by 4%; we are wrong if they stay below 1%."
    asks = "We will know we are wrong if [metric] does not move by [amount] within [time]."
    keeps = "We will know we are wrong if they stay below 1%."

    assert lost_condition(statement=text, rewrite=asks) == "if they stay below 1%"
    assert lost_condition(statement=text, rewrite=keeps) is None
    assert check_properties(statement=text, rewrite=asks).flags[4] is False
