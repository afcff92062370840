"""Answering a gate review: each person's answers, and the falsifiability nudge on vague ones.

A decided review is closed to answers, so the record shows what the decision was based on.
Clearing an answer in the modal withdraws it. Empty number boxes never clear the review's
numbers: they are shared, and a modal opened before someone entered them must not erase them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

import db.answers as queries
from bot.core.errors import InvalidInput, NotFound
from bot.core.time import as_utc
from bot.falsifiability.verdict import REQUIRED_ELEMENTS
from bot.gates import Decision, Gate, GateKind, gate_for
from bot.gates.input import plan_for
from bot.gates.schedule import calendar_for
from bot.hypotheses.service import Checker
from db import workspaces
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus

MAX_ANSWER_LENGTH = 3000  # Slack's limit for a plain_text_input
CLOSED = {
    ReviewStatus.FAILED: "its prompt never reached the channel",
    ReviewStatus.SKIPPED: "it was skipped while the clock was down",
}


@dataclass(frozen=True, kw_only=True)
class Review:
    """A review with its project and its gate as the team was asked it."""

    review: GateReview
    project: Project
    gate: Gate

    @property
    def id(self) -> int:
        """Return the review's id."""
        return self.review.id or 0


def load(*, session: Session, workspace_id: int, review_id: int) -> Review:
    """Return a review of this workspace with its gate, or raise NotFound."""
    found = queries.get_review(session=session, workspace_id=workspace_id, review_id=review_id)
    if found is None:
        raise NotFound("I can't find that gate review; it may belong to another workspace.")
    review, project = found
    kind = GateKind(review.gate_kind)
    asked_at = as_utc(review.posted_at or review.due_at)
    gate = gate_for(
        kind,
        context={
            "project": project.name,
            "sprint": review.sprint_number or calendar_for(project).sprint_number(asked_at),
        },
        overrides=(project.question_overrides or {}).get(kind.value),
    )
    return Review(review=review, project=project, gate=gate)


@dataclass(frozen=True, kw_only=True)
class AnswerForm:
    """What the answer modal shows: the gate, this person's earlier answers, the numbers."""

    review: Review
    texts: dict[str, str]
    numbers: dict[str, str]


def answer_form(*, session: Session, workspace_id: int, review_id: int, user_id: str) -> AnswerForm:
    """Return the answer modal's content, pre-filled; raise if the review takes no answers."""
    review = load(session=session, workspace_id=workspace_id, review_id=review_id)
    _require_open(review)
    mine = queries.answers(
        session=session, workspace_id=workspace_id, review_id=review.id, user_id=user_id
    )
    inputs = review.review.inputs or {}
    numbers = {n.key: _number_text(inputs.get(n.key)) for n in review.gate.inputs}
    return AnswerForm(review=review, texts={a.question_key: a.text for a in mine}, numbers=numbers)


def _require_open(review: Review) -> None:
    status = review.review.status
    if status == ReviewStatus.DECIDED:
        decision = Decision(review.review.decision or Decision.GO).label
        raise InvalidInput(
            f"The {review.gate.kind.label} is decided ({decision}), so its answers are closed: "
            "the record shows what the decision was based on. Ask the leads in the thread."
        )
    if status in CLOSED:
        raise InvalidInput(f"The {review.gate.kind.label} takes no answers: {CLOSED[status]}.")


def _number_text(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return ""


def length_errors(texts: dict[str, str]) -> dict[str, str]:
    """Return an error per answer too long to keep whole (Slack's box stops at the limit)."""
    lengths = {key: len(" ".join(text.split())) for key, text in texts.items()}
    return {
        key: f"Keep it under {MAX_ANSWER_LENGTH:,} characters ({length:,} now)."
        for key, length in lengths.items()
        if length > MAX_ANSWER_LENGTH
    }


def essential(missing: list[str]) -> list[str]:
    """Return the missing elements without which no data could prove the answer wrong, if any."""
    required = {str(e) for e in REQUIRED_ELEMENTS}
    return [m for m in missing if m in required] or missing


@dataclass(frozen=True, kw_only=True)
class Nudge:
    """A vague answer: the question (mrkdwn), the answer, what is missing, and a rewrite."""

    question: str
    answer: str
    explanation: str
    missing: list[str]
    rewrite: str


@dataclass(frozen=True, kw_only=True)
class Recorded:
    """A person's submission: the review, the answers that changed, and the nudges to send."""

    review: Review
    changed: list[GateAnswer]
    withdrawn: int
    nudges: list[Nudge]


def submit_answers(
    *,
    session: Session,
    checker: Checker,
    team_id: str,
    review_id: int,
    user_id: str,
    texts: dict[str, str],
    claims: Collection[str],
    numbers: dict[str, float] | None,
    now: datetime,
) -> Recorded:
    """Keep this person's answers (new, edited or withdrawn) and check the ones that are claims.

    The checks (an LLM call each, up to GATEBOT_LLM_TIMEOUT) and the power calculation run
    before the database is touched, so no connection idles in a transaction meanwhile.
    `claims` are the keys the modal marked for checking; the checker caches verdicts, so
    an unchanged answer costs nothing, and keeps its stored verdict.
    """
    cleaned = {
        key: " ".join(text.replace("\x00", "").split())[:MAX_ANSWER_LENGTH]
        for key, text in texts.items()
    }
    verdicts = {key: checker.check(text) for key, text in cleaned.items() if key in claims and text}
    plan, problem = plan_for(numbers) if numbers else (None, None)
    workspace_id = workspaces.ensure(session=session, team_id=team_id).id or 0
    review = load(session=session, workspace_id=workspace_id, review_id=review_id)
    _require_open(review)
    earlier = {
        a.question_key: a
        for a in queries.answers(
            session=session, workspace_id=workspace_id, review_id=review.id, user_id=user_id
        )
    }
    changed: list[GateAnswer] = []
    nudges: list[Nudge] = []
    withdrawn = 0
    for question in review.gate.questions:
        text, answer = cleaned.get(question.key, ""), earlier.get(question.key)
        if not text:
            if answer is not None:
                session.delete(answer)
                withdrawn += 1
            continue
        if answer is not None and answer.text == text:
            continue  # unchanged: keep its time and its verdict
        if answer is None:
            answer = GateAnswer(
                review_id=review.id,
                question_key=question.key,
                user_id=user_id,
                text=text,
                created_at=now,
            )
        answer.text, answer.updated_at = text, now
        verdict = verdicts.get(question.key)
        if question.check_falsifiability and verdict is not None:
            answer.vague, answer.verdict = verdict.vague, verdict.as_json()
            answer.missing = [str(e) for e in verdict.missing]
            if verdict.vague:
                nudges.append(
                    Nudge(
                        question=question.prompt,
                        answer=text,
                        explanation=verdict.explanation,
                        missing=essential(answer.missing),
                        rewrite=verdict.rewrite,
                    )
                )
        session.add(answer)
        changed.append(answer)
    if numbers:
        review.review.inputs = {
            **numbers,
            "plan": {"per_arm": plan.per_arm, "days": plan.days, "summary": plan.summary()}
            if plan
            else {"error": problem},
            "by": user_id,
            "at": as_utc(now).isoformat(),
        }
        session.add(review.review)
    session.flush()
    return Recorded(review=review, changed=changed, withdrawn=withdrawn, nudges=nudges)


def thread_answers(*, session: Session, workspace_id: int, review_id: int) -> list[GateAnswer]:
    """Return everyone's answers to a review, oldest first."""
    return queries.answers(session=session, workspace_id=workspace_id, review_id=review_id)
