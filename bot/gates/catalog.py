"""The gates as data: phases, gate kinds, their questions and the decisions a review ends in.

The wording lives in prompts/gates/<kind>.j2; this module holds the stable keys, which
questions want a falsifiable answer, and how a project's overrides replace the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Self

from jinja2 import UndefinedError

from bot.core.errors import InvalidInput
from bot.slack.mrkdwn import escape
from prompts import render


class GateError(InvalidInput, ValueError):
    """A gate cannot be built as asked; the message says what to change."""


class _Labelled(StrEnum):
    """A choice stored by its value and shown to people by its label."""

    label: str

    if TYPE_CHECKING:
        # Calling the class, Phase("pilot"), looks a member up by its value (the enum
        # metaclass); __new__ below runs only while the members are built. Telling mypy so.
        def __init__(self, value: str) -> None: ...

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, text: str) -> Self:
        """Return the member named by `text`: its value or label, any case, spaces or dashes."""
        wanted = _normalise(text)
        for member in cls:
            if wanted in (member.value, _normalise(member.label)):
                return member
        choices = ", ".join(member.value for member in cls)
        noun = cls.__name__.removesuffix("Kind").lower()
        shown = escape(text.strip()[:40])  # what was typed goes back into mrkdwn
        raise GateError(f"Unknown {noun} '{shown}': use one of {choices}.")


def _normalise(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


class Phase(_Labelled):
    """Where a project is on the timeline in DOMAIN.md."""

    FRAMING = "framing", "Problem framing"
    DATA_READINESS = "data_readiness", "Data readiness review"
    ITERATION = "iteration", "Model iteration"
    EVALUATION = "evaluation", "Evaluation design"
    PILOT = "pilot", "Pilot"
    ROLLOUT = "rollout", "Rollout or sunset"


class GateKind(_Labelled):
    """A review the team answers: at every sprint boundary or once at a phase gate."""

    SPRINT_REVIEW = "sprint_review", "Sprint boundary review"
    FRAMING = "framing", "Problem framing"
    DATA_READINESS = "data_readiness", "Data readiness review"
    EVALUATION = "evaluation", "Evaluation design"
    ESCAPE = "escape", "Escape gate"
    ROLLOUT = "rollout", "Rollout or sunset"


class Decision(_Labelled):
    """How the leads close a review."""

    GO = "go", "Go"
    NO_GO = "no_go", "No-go"
    ITERATE = "iterate", "Iterate"
    SUNSET = "sunset", "Sunset"


# During iteration the gate recurs at each sprint boundary; the pilot is where the escape
# plan must exist, because that is when real users first meet the model.
_PHASE_GATES: dict[Phase, GateKind] = {
    Phase.FRAMING: GateKind.FRAMING,
    Phase.DATA_READINESS: GateKind.DATA_READINESS,
    Phase.ITERATION: GateKind.SPRINT_REVIEW,
    Phase.EVALUATION: GateKind.EVALUATION,
    Phase.PILOT: GateKind.ESCAPE,
    Phase.ROLLOUT: GateKind.ROLLOUT,
}


def phase_gate(phase: Phase) -> GateKind:
    """Return the gate asked when a project is in `phase`."""
    return _PHASE_GATES[phase]


@dataclass(frozen=True, kw_only=True)
class Question:
    """One question of a gate; `prompt` and `hint` are Slack mrkdwn, untrusted parts escaped."""

    key: str
    prompt: str
    hint: str
    check_falsifiability: bool


@dataclass(frozen=True, kw_only=True)
class NumberInput:
    """A number the gate asks for, e.g. the inputs of the power calculation."""

    key: str
    label: str
    hint: str
    required: bool


@dataclass(frozen=True, kw_only=True)
class Gate:
    """A gate ready to ask: its title, why it exists, its questions and number inputs."""

    kind: GateKind
    title: str
    purpose: str
    questions: tuple[Question, ...]
    inputs: tuple[NumberInput, ...] = ()

    def question(self, key: str) -> Question:
        """Return the question stored under `key`."""
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)


# Keys are stable ids: answers are stored under them, so renaming one orphans old answers.
_QUESTIONS: dict[GateKind, tuple[str, ...]] = {
    GateKind.SPRINT_REVIEW: ("assumption", "prove_wrong", "uncertainty", "data_blockers"),
    GateKind.FRAMING: ("user", "behaviour", "meaningful_change", "noise", "ai_fit"),
    GateKind.DATA_READINESS: ("observable", "signals"),
    GateKind.EVALUATION: ("mde", "sample_size", "guardrails", "rollback_criteria", "good_enough"),
    GateKind.ESCAPE: ("rollback_triggers", "decider", "kill_switch", "watchers"),
    GateKind.ROLLOUT: ("evidence", "health_checks", "retirement"),
}

# Answers that are claims data could prove wrong (RUBRIC.md) go through the falsifiability
# check; "who decides" or "what blocks us" are not claims, and a nudge there would be noise.
_FALSIFIABLE = frozenset(
    {
        "assumption",
        "prove_wrong",
        "meaningful_change",
        "mde",
        "guardrails",
        "rollback_criteria",
        "good_enough",
        "rollback_triggers",
        "retirement",
    }
)

# The evaluation gate's numbers are named after bot.gates.power.power_plan's arguments.
_INPUTS: dict[GateKind, tuple[str, ...]] = {
    GateKind.EVALUATION: ("baseline", "mde_relative", "weekly_traffic", "sd"),
}
_OPTIONAL_INPUTS = frozenset({"sd"})  # only a mean metric has a standard deviation


def question_keys(kind: GateKind) -> tuple[str, ...]:
    """Return the keys of `kind`'s questions, in the order they are asked."""
    return _QUESTIONS[kind]


def validate_overrides(kind: GateKind, overrides: Mapping[str, str]) -> dict[str, str]:
    """Return `overrides` tidied, or raise GateError naming a key or text that cannot be used."""
    keys = question_keys(kind)
    unknown = sorted(set(overrides) - set(keys))
    if unknown:
        names = ", ".join(f"'{escape(key[:40])}'" for key in unknown)  # typed: into mrkdwn
        raise GateError(
            f"The {kind.label} has no question {names}: override one of {', '.join(keys)}."
        )
    cleaned = {key: " ".join(text.split()) for key, text in overrides.items()}
    blank = [key for key in keys if cleaned.get(key) == ""]
    if blank:
        raise GateError(f"The override for '{blank[0]}' is empty: write the question or drop it.")
    return cleaned


def gate_for(
    kind: GateKind,
    *,
    context: Mapping[str, object],
    overrides: Mapping[str, str] | None = None,
) -> Gate:
    """Render `kind`'s gate for `context` (project, sprint), with the project's `overrides`."""
    custom = validate_overrides(kind, overrides or {})
    # A newline in a project name would otherwise start a section of the parsed template.
    flat = {k: " ".join(v.split()) if isinstance(v, str) else v for k, v in context.items()}
    try:
        text = render(f"gates/{kind.value}.j2", **flat)
    except UndefinedError as error:
        raise GateError(f"Cannot write the {kind.label}: {error.message}.") from error
    title, purpose, sections = _parse(text, kind=kind)
    expected = [*_QUESTIONS[kind], *_INPUTS.get(kind, ())]
    if sorted(sections) != sorted(expected):
        # A shipped template out of step with the catalog is our bug, not the user's.
        raise RuntimeError(
            f"prompts/gates/{kind.value}.j2 words {sorted(sections)}, the catalog has {expected}."
        )
    questions = tuple(
        Question(
            key=key,
            prompt=escape(custom[key]) if key in custom else sections[key][0],
            hint=sections[key][1],
            check_falsifiability=key in _FALSIFIABLE,
        )
        for key in _QUESTIONS[kind]
    )
    inputs = tuple(
        NumberInput(
            key=key,
            label=sections[key][0],
            hint=sections[key][1],
            required=key not in _OPTIONAL_INPUTS,
        )
        for key in _INPUTS.get(kind, ())
    )
    return Gate(kind=kind, title=title, purpose=purpose, questions=questions, inputs=inputs)


def _parse(text: str, *, kind: GateKind) -> tuple[str, str, dict[str, tuple[str, str]]]:
    """Split a rendered gate into title, purpose and {key: (text, hint)}.

    The format: a "# title" line, purpose lines, then "## key" sections holding the
    question's lines and "> " hint lines. Lines are joined with spaces.
    """
    title = ""
    purpose: list[str] = []
    sections: dict[str, tuple[list[str], list[str]]] = {}
    current: tuple[list[str], list[str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            key = line[3:].strip()
            if key in sections:
                raise RuntimeError(f"prompts/gates/{kind.value}.j2 words '{key}' twice.")
            current = sections[key] = ([], [])
        elif current is None and not title and line.startswith("# "):
            title = line[2:].strip()
        elif current is None:
            purpose.append(line)
        elif line.startswith(">"):
            current[1].append(line[1:].strip())
        else:
            current[0].append(line)
    return (
        title,
        " ".join(purpose),
        {key: (" ".join(lines), " ".join(hint)) for key, (lines, hint) in sections.items()},
    )
