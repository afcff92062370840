"""A project's record as plain rows: what the export files, the read API and the CLI all show.

Each kind's rows are dicts of JSON-ready values with the same field names everywhere: `at` is
when it happened (UTC, ISO 8601) and `who` the Slack user it came from, so one CSV can hold
every kind side by side and a row reads the same in the JSON, the CSV and the API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from bot.core.time import as_utc
from bot.gates import GateError, GateKind, Phase, gate_for, phase_gate
from bot.gates.schedule import calendar_for
from bot.slack.mrkdwn import unescape
from db import record as queries
from db.models.gates import GateReview, Project

Row = dict[str, Any]


class Kind(StrEnum):
    """The kinds of rows in a record, in the order an export lists them."""

    HYPOTHESES = "hypotheses"
    REVIEWS = "reviews"
    ANSWERS = "answers"
    DECISIONS = "decisions"
    METRICS = "metrics"  # the values reported for the project's metrics
    CHANGES = "changes"  # edits of thresholds, owners, guardrails, questions: before → after

    @property
    def singular(self) -> str:
        """Return the name one row of this kind goes by (the CSV's `kind` column)."""
        return {"hypotheses": "hypothesis", "metrics": "metric_sample"}.get(
            self.value, self.value.removesuffix("s")
        )


# Each kind's fields, in the order the files show them (the CSV's columns, even when empty).
FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.HYPOTHESES: (
        "id", "at", "who", "statement", "status", "vague", "missing", "checker",
        "saved_at", "saved_by", "metric", "baseline", "target", "decide_by",
    ),
    Kind.REVIEWS: (
        "id", "at", "review_id", "gate", "phase", "sprint", "occurrence", "status", "due_at",
        "decision",
    ),
    Kind.ANSWERS: (
        "id", "at", "who", "review_id", "gate", "phase", "sprint", "question_key", "question",
        "answer", "vague", "missing", "first_at",
    ),
    Kind.DECISIONS: (
        "id", "at", "who", "review_id", "gate", "phase", "sprint", "decision", "reason",
    ),
    Kind.METRICS: ("id", "at", "metric", "value", "received_at"),
    Kind.CHANGES: (
        "id", "at", "who", "subject_kind", "subject", "field", "before", "after", "edit_key",
    ),
}  # fmt: skip


def _when(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# The gate a review asked tells the phase it belongs to (a sprint review: iteration).
_PHASE_OF = {phase_gate(phase).value: phase.value for phase in Phase}


def _review_fields(review: GateReview) -> Row:
    return {
        "review_id": review.id,
        "gate": review.gate_kind,
        "phase": _PHASE_OF.get(review.gate_kind),
        "sprint": review.sprint_number,
    }


def _hypotheses(*, session: Session, project: Project, after: int, limit: int | None) -> list[Row]:
    rows = queries.hypotheses(session=session, project=project, after=after, limit=limit)
    return [
        {
            "id": h.id,
            "at": _when(h.created_at),
            "who": h.author_id,
            "statement": h.text,
            "status": h.status,
            "vague": h.vague,
            "missing": list(h.missing or []),
            "checker": h.checker,
            "saved_at": _when(h.saved_at),
            "saved_by": h.saved_by,
            "metric": metric,
            "baseline": h.baseline_value,
            "target": h.target_value,
            "decide_by": _day(h.decide_by),
        }
        for h, metric in rows
    ]


def _reviews(*, session: Session, project: Project, after: int, limit: int | None) -> list[Row]:
    rows = queries.reviews(session=session, project=project, after=after, limit=limit)
    return [
        {
            "id": r.id,
            "at": _when(r.posted_at or r.due_at),  # when it was asked, or due if it never was
            **_review_fields(r),
            "occurrence": r.occurrence_key,
            "status": r.status,
            "due_at": _when(r.due_at),
            "decision": r.decision,
        }
        for r in rows
    ]


def _decisions(*, session: Session, project: Project, after: int, limit: int | None) -> list[Row]:
    rows = queries.decisions(session=session, project=project, after=after, limit=limit)
    return [
        {
            "id": r.id,  # a review is decided once: its id is the decision's
            "at": _when(r.decided_at),
            "who": r.decided_by,
            **_review_fields(r),
            "decision": r.decision,
            "reason": r.decision_reason,
        }
        for r in rows
    ]


class _Questions:
    """The wording each review asked its questions in, rendered once per gate and sprint."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._gates: dict[tuple[str, int], dict[str, str]] = {}

    def text(self, review: GateReview, key: str) -> str | None:
        asked_at = as_utc(review.posted_at or review.due_at)
        sprint = review.sprint_number or calendar_for(self.project).sprint_number(asked_at)
        wording = self._gates.get((review.gate_kind, sprint))
        if wording is None:
            wording = self._gates[(review.gate_kind, sprint)] = self._render(review, sprint)
        return wording.get(key)

    def _render(self, review: GateReview, sprint: int) -> dict[str, str]:
        try:
            kind = GateKind(review.gate_kind)
            gate = gate_for(
                kind,
                context={"project": self.project.name, "sprint": sprint},
                overrides=(self.project.question_overrides or {}).get(kind.value),
            )
        except (ValueError, GateError):  # a gate since retired, or overrides no longer valid
            return {}
        # The prompts are Slack mrkdwn with the team's words escaped; a file wants plain text.
        return {q.key: unescape(q.prompt) for q in gate.questions}


def _answers(*, session: Session, project: Project, after: int, limit: int | None) -> list[Row]:
    rows = queries.answers(session=session, project=project, after=after, limit=limit)
    questions = _Questions(project)
    return [
        {
            "id": a.id,
            "at": _when(a.updated_at),  # an edited answer counts from its last edit
            "who": a.user_id,
            **_review_fields(r),
            "question_key": a.question_key,
            "question": questions.text(r, a.question_key),
            "answer": a.text,
            "vague": a.vague,
            "missing": list(a.missing or []),
            "first_at": _when(a.created_at),
        }
        for a, r in rows
    ]


def _samples(*, session: Session, project: Project, after: int, limit: int | None) -> list[Row]:
    rows = queries.samples(session=session, project=project, after=after, limit=limit)
    return [
        {
            "id": s.id,
            "at": _when(s.at),
            "metric": name,
            "value": s.value,
            "received_at": _when(s.received_at),
        }
        for s, name in rows
    ]


def _changes(*, session: Session, project: Project, after: int, limit: int | None) -> list[Row]:
    rows = queries.changes(session=session, project=project, after=after, limit=limit)
    return [
        {
            "id": c.id,
            "at": _when(c.changed_at),
            "who": c.changed_by,
            "subject_kind": c.subject_kind,
            "subject": c.subject,
            "field": c.field,
            "before": c.before,
            "after": c.after,
            "edit_key": c.edit_key,  # the fields of one edit share it
        }
        for c in rows
    ]


_BUILDERS: dict[Kind, Callable[..., list[Row]]] = {
    Kind.HYPOTHESES: _hypotheses,
    Kind.REVIEWS: _reviews,
    Kind.ANSWERS: _answers,
    Kind.DECISIONS: _decisions,
    Kind.METRICS: _samples,
    Kind.CHANGES: _changes,
}


def rows(
    *, session: Session, project: Project, kind: Kind, after: int = 0, limit: int | None = None
) -> list[Row]:
    """Return the project's rows of `kind` with an id above `after`, oldest id first."""
    return _BUILDERS[kind](session=session, project=project, after=after, limit=limit)


def project_fields(project: Project) -> Row:
    """Return what identifies the project a record is of."""
    return {
        "id": project.id,
        "name": project.name,
        "channel_id": project.channel_id,
        "phase": project.phase,
        "timezone": project.timezone,
    }


def record(*, session: Session, project: Project) -> dict[Kind, list[Row]]:
    """Return the project's whole record, every kind."""
    return {kind: rows(session=session, project=project, kind=kind) for kind in Kind}
