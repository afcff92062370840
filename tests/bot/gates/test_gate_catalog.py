"""The gate catalog: every gate's questions, project overrides, phases and decisions."""

from __future__ import annotations

import inspect

import pytest

from bot.core.errors import InvalidInput
from bot.gates.catalog import (
    Decision,
    GateError,
    GateKind,
    Phase,
    gate_for,
    phase_gate,
    question_keys,
    validate_overrides,
)
from bot.gates.power import power_plan
from prompts import template_names

CONTEXT = {"project": "Search ranking", "sprint": 7}

# The questions as DOMAIN.md and the issue word them; a template that loses one fails here.
DOMAIN_WORDING = [
    (GateKind.SPRINT_REVIEW, "assumption", "What assumption are we testing this sprint?"),
    (GateKind.SPRINT_REVIEW, "prove_wrong", "What result would prove it wrong?"),
    (
        GateKind.SPRINT_REVIEW,
        "uncertainty",
        "Are we reducing uncertainty or just tweaking numbers?",
    ),
    (GateKind.FRAMING, "user", "Who is the user?"),
    (GateKind.FRAMING, "behaviour", "What behaviour changes?"),
    (GateKind.FRAMING, "meaningful_change", "How much change is meaningful?"),
    (GateKind.FRAMING, "noise", "How will we know it is not noise?"),
    (GateKind.FRAMING, "ai_fit", "Is AI the right tool at all?"),
    (GateKind.DATA_READINESS, "observable", "Can we observe the behaviour we care about?"),
    (
        GateKind.DATA_READINESS,
        "signals",
        "Which signals exist and are allowed (privacy, bias)?",
    ),
    (GateKind.EVALUATION, "mde", "minimum detectable effect"),
    (GateKind.EVALUATION, "sample_size", "sample size and duration"),
    (GateKind.EVALUATION, "guardrails", "guardrail metrics"),
    (GateKind.EVALUATION, "rollback_criteria", "rollback criteria"),
    (
        GateKind.EVALUATION,
        "good_enough",
        'What is "good enough" for precision, recall, latency?',
    ),
    (GateKind.ESCAPE, "rollback_triggers", "What are the rollback triggers?"),
    (GateKind.ESCAPE, "decider", "Who decides?"),
    (GateKind.ESCAPE, "kill_switch", "kill switch"),
    (GateKind.ROLLOUT, "evidence", "Go, no-go, iterate, or sunset"),
    (GateKind.ROLLOUT, "retirement", "No model is forever: when is it retired?"),
]


@pytest.mark.parametrize("kind", list(GateKind))
def test_every_gate_renders_its_questions(kind):
    gate = gate_for(kind, context=CONTEXT)

    assert gate.kind is kind
    expected_start = "Sprint 7" if kind is GateKind.SPRINT_REVIEW else kind.label
    assert gate.title.startswith(expected_start)
    assert gate.title.endswith(": Search ranking")
    assert len(gate.purpose) > 40
    assert tuple(q.key for q in gate.questions) == question_keys(kind)
    for question in gate.questions:
        assert question.prompt.endswith("?"), question.key
        # Slack caps an input's placeholder at 150 characters.
        assert 0 < len(question.hint) <= 150, question.key
        assert "{" not in question.prompt + question.hint, question.key


def test_every_gate_template_belongs_to_a_gate_kind():
    shipped = {name for name in template_names() if name.startswith("gates/")}

    assert shipped == {f"gates/{kind.value}.j2" for kind in GateKind}


def test_the_sprint_review_names_the_sprint():
    gate = gate_for(GateKind.SPRINT_REVIEW, context=CONTEXT)

    assert gate.title == "Sprint 7 boundary review: Search ranking"
    assert gate.purpose.startswith("A sprint tests an assumption; it does not deliver a feature.")


@pytest.mark.parametrize(("kind", "key", "wording"), DOMAIN_WORDING)
def test_questions_keep_the_domain_wording(kind, key, wording):
    assert wording in gate_for(kind, context=CONTEXT).question(key).prompt


def test_claims_are_checked_for_falsifiability_and_the_rest_are_not():
    def checked(kind: GateKind) -> list[str]:
        gate = gate_for(kind, context=CONTEXT)
        return [q.key for q in gate.questions if q.check_falsifiability]

    assert checked(GateKind.SPRINT_REVIEW) == ["assumption", "prove_wrong"]
    assert checked(GateKind.FRAMING) == ["meaningful_change"]
    assert checked(GateKind.DATA_READINESS) == []
    assert checked(GateKind.EVALUATION) == ["mde", "guardrails", "rollback_criteria", "good_enough"]
    assert checked(GateKind.ESCAPE) == ["rollback_triggers"]
    assert checked(GateKind.ROLLOUT) == ["retirement"]


def test_the_evaluation_gate_asks_for_the_power_calculation_numbers():
    gate = gate_for(GateKind.EVALUATION, context=CONTEXT)
    numbers = {"baseline": 0.30, "mde_relative": 0.02, "weekly_traffic": 50_000}

    assert [(i.key, i.required) for i in gate.inputs] == [
        ("baseline", True),
        ("mde_relative", True),
        ("weekly_traffic", True),
        ("sd", False),
    ]
    assert {i.key for i in gate.inputs} <= set(inspect.signature(power_plan).parameters)
    assert gate.inputs[0].hint == "e.g. 0.30 for a 30% conversion rate"
    assert power_plan(**numbers).per_arm == 92_088
    assert all(
        not gate_for(kind, context=CONTEXT).inputs
        for kind in GateKind
        if kind is not GateKind.EVALUATION
    )


def test_untrusted_project_names_are_escaped_and_kept_on_one_line():
    gate = gate_for(
        GateKind.ESCAPE, context={"project": "<!channel> & co\n## decider", "sprint": 1}
    )

    assert gate.title == "Escape gate: &lt;!channel&gt; &amp; co ## decider"
    assert gate.question("decider").prompt == "Who decides?"


def test_a_missing_context_variable_is_a_readable_error():
    with pytest.raises(GateError, match="Cannot write the Sprint boundary review: 'sprint'"):
        gate_for(GateKind.SPRINT_REVIEW, context={"project": "Search ranking"})


# --- overrides ----------------------------------------------------------------------------


def test_an_override_replaces_one_prompt_and_keeps_the_rest():
    default = gate_for(GateKind.SPRINT_REVIEW, context=CONTEXT)
    gate = gate_for(
        GateKind.SPRINT_REVIEW,
        context=CONTEXT,
        overrides={"data_blockers": "  Which labels are we\n still waiting for? "},
    )

    assert gate.question("data_blockers").prompt == "Which labels are we still waiting for?"
    assert gate.question("data_blockers").hint == default.question("data_blockers").hint
    assert gate.questions[:3] == default.questions[:3]


def test_an_override_keeps_the_falsifiability_check_and_is_escaped():
    gate = gate_for(
        GateKind.ESCAPE,
        context=CONTEXT,
        overrides={"rollback_triggers": "Which alert <@U123> pages the on-call & rolls back?"},
    )

    question = gate.question("rollback_triggers")
    assert question.prompt == "Which alert &lt;@U123&gt; pages the on-call &amp; rolls back?"
    assert question.check_falsifiability is True


def test_unknown_override_keys_are_rejected_with_the_keys_to_use():
    with pytest.raises(GateError) as raised:
        gate_for(GateKind.SPRINT_REVIEW, context=CONTEXT, overrides={"asumption": "x", "zz": "y"})

    assert str(raised.value) == (
        "The Sprint boundary review has no question 'asumption', 'zz': override one of "
        "assumption, prove_wrong, uncertainty, data_blockers."
    )
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, InvalidInput)


def test_number_inputs_and_blank_text_cannot_be_overridden():
    with pytest.raises(GateError, match="has no question 'baseline'"):
        validate_overrides(GateKind.EVALUATION, {"baseline": "Current rate?"})
    with pytest.raises(GateError, match="The override for 'decider' is empty"):
        validate_overrides(GateKind.ESCAPE, {"decider": " \n "})
    assert validate_overrides(GateKind.ESCAPE, {"decider": "Who pulls it?"}) == {
        "decider": "Who pulls it?"
    }


# --- phases, gates, decisions -------------------------------------------------------------


def test_every_phase_maps_to_its_gate():
    assert {phase: phase_gate(phase) for phase in Phase} == {
        Phase.FRAMING: GateKind.FRAMING,
        Phase.DATA_READINESS: GateKind.DATA_READINESS,
        Phase.ITERATION: GateKind.SPRINT_REVIEW,
        Phase.EVALUATION: GateKind.EVALUATION,
        Phase.PILOT: GateKind.ESCAPE,
        Phase.ROLLOUT: GateKind.ROLLOUT,
    }


def test_labels_are_what_people_read_and_values_what_is_stored():
    assert [(p.value, p.label) for p in Phase] == [
        ("framing", "Problem framing"),
        ("data_readiness", "Data readiness review"),
        ("iteration", "Model iteration"),
        ("evaluation", "Evaluation design"),
        ("pilot", "Pilot"),
        ("rollout", "Rollout or sunset"),
    ]
    assert [(d.value, d.label) for d in Decision] == [
        ("go", "Go"),
        ("no_go", "No-go"),
        ("iterate", "Iterate"),
        ("sunset", "Sunset"),
    ]
    assert GateKind.SPRINT_REVIEW.label == "Sprint boundary review"
    assert GateKind.ESCAPE.label == "Escape gate"
    assert Phase("iteration") is Phase.ITERATION and f"{Phase.PILOT}" == "pilot"


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (Phase.parse, "Data readiness", Phase.DATA_READINESS),
        (Phase.parse, " ROLLOUT or sunset ", Phase.ROLLOUT),
        (Phase.parse, "iteration", Phase.ITERATION),
        (GateKind.parse, "sprint-review", GateKind.SPRINT_REVIEW),
        (GateKind.parse, "Escape gate", GateKind.ESCAPE),
        (Decision.parse, "no-go", Decision.NO_GO),
        (Decision.parse, "No go", Decision.NO_GO),
    ],
)
def test_choices_parse_from_what_people_type(parse, text, expected):
    assert parse(text) is expected


def test_unknown_choices_list_the_ones_to_use():
    with pytest.raises(GateError) as raised:
        Phase.parse("launch")

    assert str(raised.value) == (
        "Unknown phase 'launch': use one of framing, data_readiness, iteration, evaluation, "
        "pilot, rollout."
    )
    with pytest.raises(GateError, match="Unknown gate 'demo': use one of sprint_review"):
        GateKind.parse("demo")
    with pytest.raises(GateError, match="Unknown decision 'maybe': use one of go, no_go"):
        Decision.parse("maybe")


def test_a_gate_without_the_key_raises_key_error():
    with pytest.raises(KeyError):
        gate_for(GateKind.FRAMING, context=CONTEXT).question("assumption")
