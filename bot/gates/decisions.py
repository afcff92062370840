"""The leads' decision on a gate review: go, no-go, iterate or sunset, with a reason.

Only the project's leads decide; with no lead set, anyone in the channel may. A lead may
revise a decision: the review keeps the latest one (who, when, why) and the thread gets a
new message naming the change, so the earlier decision stays visible there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

import db.answers as queries
from bot.core.errors import GatebotError, InvalidInput, NotFound
from bot.gates import Decision
from bot.gates.answers import CLOSED, Review, load
from db.models.gates import Project, ReviewStatus
from prompts import render


class NotALead(GatebotError):
    """Someone other than the project's leads tried to record a decision."""


def leads(project: Project) -> set[str]:
    """Return the user ids who may decide; empty means anyone in the channel may."""
    return {lead for lead in (project.pm_lead, project.ds_lead) if lead}


def may_decide(*, project: Project, user_id: str) -> bool:
    """Return whether `user_id` may record the project's decisions."""
    allowed = leads(project)
    return not allowed or user_id in allowed


def decision_form(*, session: Session, workspace_id: int, review_id: int, user_id: str) -> Review:
    """Return the review to decide, or raise NotALead with a polite word for anyone else."""
    review = load(session=session, workspace_id=workspace_id, review_id=review_id)
    if not may_decide(project=review.project, user_id=user_id):
        raise NotALead(
            render(
                "gate_not_lead.j2",
                project=review.project.name,
                pm_lead=review.project.pm_lead,
                ds_lead=review.project.ds_lead,
            )
        )
    if review.review.status in CLOSED:
        reason = CLOSED[review.review.status]
        raise InvalidInput(f"The {review.gate.kind.label} cannot be decided: {reason}.")
    return review


@dataclass(frozen=True, kw_only=True)
class Decided:
    """A recorded decision and the one it replaced, if a lead revised it."""

    review: Review
    decision: Decision
    previous: Decision | None


def decide(
    *,
    session: Session,
    workspace_id: int,
    review_id: int,
    user_id: str,
    decision: Decision,
    reason: str,
    now: datetime,
) -> Decided:
    """Record a lead's decision with its reason; a later decision by a lead replaces it."""
    # The row lock makes two leads deciding at once take turns, so each sees the other's.
    if not queries.lock_review(session=session, workspace_id=workspace_id, review_id=review_id):
        raise NotFound("I can't find that gate review; it may belong to another workspace.")
    review = decision_form(
        session=session, workspace_id=workspace_id, review_id=review_id, user_id=user_id
    )
    row = review.review
    previous = Decision(row.decision) if row.decision else None
    row.status, row.decision = ReviewStatus.DECIDED, decision.value
    row.decision_reason, row.decided_by, row.decided_at = reason.strip(), user_id, now
    session.add(row)
    return Decided(review=review, decision=decision, previous=previous)
