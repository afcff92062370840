"""The result of a falsifiability check, shared by the rules and LLM checkers."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Element(StrEnum):
    """The parts of a falsifiable hypothesis (../shared/eval/RUBRIC.md, DOMAIN.md)."""

    OUTCOME = "outcome metric"
    DIRECTION = "direction"
    MAGNITUDE = "magnitude or decision rule"
    TIME_WINDOW = "time window"
    POPULATION = "population"
    FALSIFICATION = "falsification condition"
    REASON = "reason"


# Without any of these, no data could prove the statement wrong (RUBRIC.md).
REQUIRED_ELEMENTS: tuple[Element, ...] = (Element.OUTCOME, Element.DIRECTION, Element.MAGNITUDE)

# The order people read them in: required first, then the ones that make a test sharp.
ELEMENT_ORDER: tuple[Element, ...] = tuple(Element)


class VagueFamily(StrEnum):
    """Families of words that make a statement unfalsifiable."""

    SUBJECTIVE = "subjective outcome"  # delight, smarter, feel better, happy
    UNQUANTIFIED_COMPARATIVE = "unquantified comparative"  # better, more accurate, faster
    SUPERLATIVE = "superlative"  # best-in-class, state of the art, world class
    LOOPHOLE = "open-ended amount"  # as much as possible, significant, meaningful
    HEDGE = "hedge"  # explore whether, see if, try to, might
    HYPE = "hype or idiom"  # game changer, move the needle, 10x smarter
    OUTPUT_NOT_OUTCOME = "output, not outcome"  # ship v2, train a model, publish 12 posts
    PLACEHOLDER = "placeholder magnitude"  # by N%, from X to Y, TBD
    NO_DIRECTION = "no direction"  # a 15% minimum change in, impact churn by 5%


class VagueTerm(BaseModel):
    """A phrase found in the statement and the family that makes it vague."""

    model_config = ConfigDict(frozen=True)

    term: str
    family: VagueFamily


class Verdict(BaseModel):
    """Whether a statement is falsifiable, what is missing, and a rewrite that would fix it."""

    model_config = ConfigDict(frozen=True)

    vague: bool
    missing: list[Element] = Field(default_factory=list)
    vague_terms: list[VagueTerm] = Field(default_factory=list)
    # The text found for each element, in the statement's own words.
    elements: dict[Element, str] = Field(default_factory=dict)
    # One or two sentences a person reads: why it is (or is not) falsifiable.
    explanation: str
    rewrite: str
    checker: Literal["rules", "llm"]
    # Set when the LLM was tried and failed, so the message can say the offline check was used.
    fallback_reason: str | None = None

    @property
    def missing_required(self) -> list[Element]:
        """Return the missing elements without which the statement cannot be proved wrong."""
        return [e for e in self.missing if e in REQUIRED_ELEMENTS]

    def as_json(self) -> dict[str, object]:
        """Return the verdict as plain JSON types (for the CLI and the database)."""
        return self.model_dump(mode="json")
