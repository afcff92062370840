"""The read API's response shapes, for its OpenAPI document: one model per kind of row.

The rows themselves come from bot.record.service; a test holds these models to its FIELDS.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class HypothesisRow(BaseModel):
    """A saved hypothesis, its falsifiability verdict and the metric that decides it."""

    id: int
    at: str = Field(description="When it was written (UTC, ISO 8601).")
    who: str = Field(description="The author's Slack user id.")
    statement: str
    status: str = Field(examples=["open"])
    vague: bool
    missing: list[str] = Field(description="The elements the check found missing.")
    checker: str = Field(examples=["rules", "llm"])
    saved_at: str | None
    saved_by: str | None
    metric: str | None = Field(description="The shared metric that decides it, if linked.")
    baseline: float | None
    target: float | None
    decide_by: str | None = Field(description="A date, YYYY-MM-DD.")


class ReviewRow(BaseModel):
    """One gate review: which gate, in which phase or sprint, when it was asked."""

    id: int
    at: str | None = Field(description="When it was asked, or due when it never was.")
    review_id: int
    gate: str = Field(examples=["sprint_review"])
    phase: str | None
    sprint: int | None
    occurrence: str
    status: str = Field(examples=["posted", "decided"])
    due_at: str
    decision: str | None


class AnswerRow(BaseModel):
    """One person's answer to one question of a review."""

    id: int
    at: str = Field(description="When it was last written or edited.")
    who: str
    review_id: int
    gate: str
    phase: str | None
    sprint: int | None
    question_key: str
    question: str | None = Field(description="The question's words as the gate asked it.")
    answer: str
    vague: bool | None = Field(description="Null when the question is not a claim.")
    missing: list[str]
    first_at: str


class DecisionRow(BaseModel):
    """How the leads closed a review: go, no_go, iterate or sunset, and why."""

    id: int
    at: str | None
    who: str | None = Field(description="The deciding lead's Slack user id.")
    review_id: int
    gate: str
    phase: str | None
    sprint: int | None
    decision: str = Field(examples=["go", "no_go", "iterate", "sunset"])
    reason: str | None


class SampleRow(BaseModel):
    """One value reported for one of the project's metrics."""

    id: int
    at: str
    metric: str
    value: float
    received_at: str


class ChangeRow(BaseModel):
    """One field of an announced edit: a metric's threshold, owner or guardrail, a question."""

    id: int
    at: str
    who: str = Field(description="Who made the edit.")
    subject_kind: str = Field(examples=["metric", "gate_question"])
    subject: str = Field(examples=["relevance_rating"])
    field: str = Field(examples=["breach", "owner", "wording"])
    before: str | None = Field(description="As people read it; null when it was unset.")
    after: str | None
    edit_key: str = Field(description="Shared by the fields of one edit.")


class Page(BaseModel):
    """A page of rows, oldest id first."""

    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
