"""The modal's fields: validation and the assembled sentence."""

from bot.hypotheses.form import HypothesisFields, assemble, validate

COMPLETE = HypothesisFields(
    change="in-stock filtering in visual search",
    population="mobile shoppers",
    outcome_metric="purchases per search session",
    direction="increase",
    magnitude="at least 2%",
    time_window="4 weeks",
    reason="out-of-stock results end sessions",
)


def test_a_complete_form_has_no_errors():
    assert validate(COMPLETE) == {}


def test_required_fields_are_named_when_empty():
    errors = validate(HypothesisFields(population="everyone"))

    assert set(errors) == {"change", "outcome_metric", "direction", "magnitude"}


def test_a_magnitude_without_a_number_is_refused_with_examples():
    errors = validate(HypothesisFields(**{**COMPLETE.__dict__, "magnitude": "a lot"}))

    assert list(errors) == ["magnitude"]
    assert "from 31% to 33%" in errors["magnitude"]


def test_magnitudes_in_words_are_accepted():
    assert validate(HypothesisFields(**{**COMPLETE.__dict__, "magnitude": "by a third"})) == {}


def test_an_unknown_direction_and_an_overlong_field_are_refused():
    form = HypothesisFields(**{**COMPLETE.__dict__, "direction": "sideways", "reason": "x" * 501})

    errors = validate(form)

    assert errors["direction"] == "Pick a direction from the list."
    assert "under 500 characters (501 now)" in errors["reason"]


def test_assemble_follows_the_domain_template():
    assert assemble(COMPLETE) == (
        "We believe in-stock filtering in visual search will raise purchases per search "
        "session by at least 2% for mobile shoppers within 4 weeks because out-of-stock "
        "results end sessions. We will know we are wrong if purchases per search session "
        "does not rise by at least 2% within 4 weeks."
    )


def test_assemble_keeps_from_to_magnitudes_and_an_explicit_falsification():
    form = HypothesisFields(
        change="semantic search",
        outcome_metric="zero-result queries",
        direction="decrease",
        magnitude="from 9% to under 5% of searches",
        falsification="zero-result queries stay above 7% after 30 days.",
    )

    assert assemble(form) == (
        "We believe semantic search will lower zero-result queries from 9% to under 5% of "
        "searches. We will know we are wrong if zero-result queries stay above 7% after 30 days."
    )


def test_assemble_states_thresholds_to_stay_under():
    form = HypothesisFields(
        change="quantization",
        outcome_metric="p95 latency",
        direction="stay_below",
        magnitude="120 ms",
        time_window="7 days of production traffic",
    )

    assert assemble(form) == (
        "We believe quantization will keep p95 latency below 120 ms within 7 days of production "
        "traffic. We will know we are wrong if p95 latency rises above 120 ms within 7 days of "
        "production traffic."
    )


def test_white_space_is_collapsed():
    form = HypothesisFields(
        change="  a   b ", outcome_metric="m", direction="increase", magnitude="2%"
    )

    assert assemble(form).startswith("We believe a b will raise m by 2%.")
