"""The structured hypothesis: the modal's fields, their validation and the assembled sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from enum import StrEnum

MAX_FIELD_LENGTH = 500
MAX_STATEMENT_LENGTH = 3000

# Slack allows 3,000 characters in a section; the statement is quoted in one.


class Direction(StrEnum):
    """Which way the outcome metric should move."""

    INCREASE = "increase"
    DECREASE = "decrease"
    STAY_ABOVE = "stay_above"
    STAY_BELOW = "stay_below"

    @property
    def label(self) -> str:
        """Return the words shown in the modal's picker."""
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True, kw_only=True)
class HypothesisFields:
    """What the modal asks for; every field is the team's own words."""

    change: str = ""
    population: str = ""
    outcome_metric: str = ""
    direction: str = ""
    magnitude: str = ""
    time_window: str = ""
    reason: str = ""
    falsification: str = ""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Return the field names in the order the modal shows them."""
        return tuple(f.name for f in fields(cls))

    def cleaned(self) -> HypothesisFields:
        """Return a copy with white space collapsed and NUL characters dropped in every field."""
        return HypothesisFields(
            **{n: " ".join(getattr(self, n).replace("\x00", "").split()) for n in self.names()}
        )


REQUIRED_FIELDS = ("change", "outcome_metric", "direction", "magnitude")
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|half|third|quarter|double|triple)\b",
    re.IGNORECASE,
)


def validate(form: HypothesisFields) -> dict[str, str]:
    """Return an error message per invalid field (empty when the form can be checked)."""
    errors: dict[str, str] = {}
    for name in HypothesisFields.names():
        value = getattr(form, name)
        if name in REQUIRED_FIELDS and not value:
            errors[name] = "This one is needed to make the hypothesis testable."
        elif len(value) > MAX_FIELD_LENGTH:
            errors[name] = f"Keep it under {MAX_FIELD_LENGTH} characters ({len(value)} now)."
    if form.direction and form.direction not in set(Direction):
        errors["direction"] = "Pick a direction from the list."
    if "magnitude" not in errors and form.magnitude and not _NUMBER.search(form.magnitude):
        errors["magnitude"] = (
            "Give a number the data can be held to, e.g. 'by at least 2%', 'from 31% to 33%', "
            "'below 120 ms'."
        )
    if not errors:  # assembled here, before the ack, so an overlong whole keeps the modal open
        over = len(assemble(form)) - MAX_STATEMENT_LENGTH
        if over > 0:
            longest = max(HypothesisFields.names(), key=lambda name: len(getattr(form, name)))
            errors[longest] = (
                f"Together the fields make a hypothesis {over} characters over its "
                f"{MAX_STATEMENT_LENGTH}: shorten this one, the longest, or others."
            )
    return errors


_MOVES = {
    Direction.INCREASE: ("raise {metric} {magnitude}", "{metric} does not rise {magnitude}"),
    Direction.DECREASE: ("lower {metric} {magnitude}", "{metric} does not fall {magnitude}"),
    Direction.STAY_ABOVE: ("keep {metric} above {magnitude}", "{metric} drops below {magnitude}"),
    Direction.STAY_BELOW: ("keep {metric} below {magnitude}", "{metric} rises above {magnitude}"),
}


def _magnitude_phrase(direction: Direction, magnitude: str) -> str:
    # "at least 2%" reads as "by at least 2%" after raise/lower; "from 31% to 33%" stands.
    if direction in (Direction.INCREASE, Direction.DECREASE) and not re.match(
        r"^(by|from|to)\b", magnitude, re.IGNORECASE
    ):
        return "by " + magnitude
    return magnitude


def assemble(form: HypothesisFields) -> str:
    """Assemble the one-sentence hypothesis from valid fields, in the DOMAIN.md template."""
    form = form.cleaned()
    direction = Direction(form.direction)
    magnitude = _magnitude_phrase(direction, form.magnitude)
    claim, wrong = _MOVES[direction]
    sentence = f"We believe {form.change} will " + claim.format(
        metric=form.outcome_metric, magnitude=magnitude
    )
    if form.population:
        sentence += f" for {form.population}"
    if form.time_window:
        sentence += f" within {form.time_window}"
    if form.reason:
        sentence += f" because {form.reason}"
    falsification = form.falsification or wrong.format(
        metric=form.outcome_metric, magnitude=magnitude
    ) + (f" within {form.time_window}" if form.time_window else "")
    return f"{sentence.rstrip('.')}. We will know we are wrong if {falsification.rstrip('.')}."
