"""A project with a record: hypotheses, reviews, answers, a decision and metric values.

Built through the services people's actions go through (set-up, the check, save, link,
answers, decide, ingest), so the record tests read what gatebot really stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from bot.falsifiability.rules import check_rules
from bot.gates import Decision, GateKind, answers, decisions, gate_for
from bot.gates.input import SetupForm
from bot.gates.setup import save_setup
from bot.hypotheses import service as hypotheses
from bot.metrics import ingest
from bot.metrics.links import link
from db import workspaces
from db.models.changes import RecordChange
from db.models.gates import GateReview, Project, ReviewStatus
from tests.metric_helpers import define

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
SHARP = "Purchases per search session rise from 3.1% to 3.3% within the two-week A/B test."
VAGUE = "Make the ranking smarter & <better>."
DRAFT = "A draft nobody saved stays off the record."


class Rules:
    """The offline checker, as the app uses it without an OpenAI key."""

    def check(self, text: str):  # type: ignore[no-untyped-def]
        return check_rules(text)


@dataclass
class Built:
    """What went in: the project, and (who, text) of every hypothesis, answer and decision."""

    project: Project
    team_id: str
    hypotheses: list[tuple[str, str]] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)
    decisions: list[tuple[str, str, str]] = field(default_factory=list)  # who, decision, reason
    samples: int = 0
    review_ids: list[int] = field(default_factory=list)


def _hypothesis(session: Session, built: Built, author: str, text: str, save: bool) -> int:
    drafted = hypotheses.check_and_draft(
        session=session,
        checker=Rules(),
        team_id=built.team_id,
        channel_id=built.project.channel_id,
        author_id=author,
        text=text,
    )
    assert drafted.id is not None
    if save:
        hypotheses.save(
            session=session,
            workspace_id=built.project.workspace_id,
            hypothesis_id=drafted.id,
            user_id=author,
        )
        built.hypotheses.append((author, text))
    return drafted.id


def _review(session: Session, project: Project, sprint: int, at: datetime) -> GateReview:
    review = GateReview(
        project_id=project.id,  # type: ignore[arg-type]
        gate_kind=GateKind.SPRINT_REVIEW.value,
        occurrence_key=f"sprint-{sprint}",
        sprint_number=sprint,
        due_at=at,
        status=ReviewStatus.POSTED,
        posted_at=at,
        channel_id=project.channel_id,
        message_ts=f"17000000{sprint:02d}.000100",
    )
    session.add(review)
    session.flush()
    return review


def _answer(session: Session, built: Built, review: GateReview, user: str, **texts: str) -> None:
    gate = gate_for(GateKind.SPRINT_REVIEW, context={"project": "P", "sprint": 1})
    answers.submit_answers(
        session=session,
        checker=Rules(),
        team_id=built.team_id,
        review_id=review.id,  # type: ignore[arg-type]
        user_id=user,
        texts=texts,
        claims=[q.key for q in gate.questions if q.check_falsifiability],
        numbers=None,
        now=NOW,
    )
    built.answers.extend((user, text) for text in texts.values())


def build_record(
    session: Session, *, team_id: str = "T1", channel_id: str = "C0TEAM", name: str = "Search"
) -> Built:
    """Store a project with its record in `channel_id` of `team_id`; commit it."""
    workspace_id = workspaces.ensure(session=session, team_id=team_id).id
    assert workspace_id is not None
    form = SetupForm(
        name=name,
        channel=channel_id,
        sprint_length="14",
        sprint_start="2026-03-02",
        timezone="Europe/London",
        prompt_time="09:30",
        pm_lead="U0PM",
        ds_lead="U0DS",
        phase="iteration",
    )
    project = save_setup(
        session=session, workspace_id=workspace_id, user_id="U0PM", form=form, project_id=None
    ).project
    session.flush()
    built = Built(project=project, team_id=team_id)
    define(session, project, "purchases_per_session", kind="product", warn=0.03, breach=0.029)
    first = _hypothesis(session, built, "U0PM", SHARP, save=True)
    _hypothesis(session, built, "U0DS", VAGUE, save=True)
    _hypothesis(session, built, "U0PM", DRAFT, save=False)
    link(
        session=session,
        project=project,
        hypothesis_id=first,
        metric_name="purchases_per_session",
        baseline=0.031,
        target=0.033,
        decide_by=date(2026, 4, 1),
        now=NOW,
    )
    rows = [
        {
            "name": "purchases_per_session",
            "value": 0.031 + i / 1000,
            "at": (NOW - timedelta(days=i)).isoformat(),
        }
        for i in range(5)
    ]
    built.samples = ingest.store(session=session, project=project, rows=rows, now=NOW).stored
    first_review = _review(session, project, 1, NOW - timedelta(days=14))
    second_review = _review(session, project, 2, NOW)
    built.review_ids = [first_review.id, second_review.id]  # type: ignore[list-item]
    _answer(session, built, first_review, "U1", assumption=SHARP, data_blockers="No labels yet.")
    _answer(session, built, first_review, "U2", assumption="Latency is <fine> & stable.")
    _answer(session, built, second_review, "U1", uncertainty="=SUM(A1:A9) is what we watch.")
    session.commit()
    decisions.decide(
        session=session,
        workspace_id=workspace_id,
        review_id=first_review.id,  # type: ignore[arg-type]
        user_id="U0DS",
        decision=Decision.ITERATE,
        reason="One more sprint on the labels.",
        now=NOW,
    )
    built.decisions.append(("U0DS", "iterate", "One more sprint on the labels."))
    session.add(
        RecordChange(
            workspace_id=workspace_id,
            project_id=project.id,  # type: ignore[arg-type]
            edit_key=f"metric-edit:{project.id}:1",
            subject_kind="metric",
            subject="purchases_per_session",
            field="breach",
            before="0.029",
            after="0.028",
            changed_by="U0DS",
            changed_at=NOW,
        )
    )
    session.commit()
    return built
