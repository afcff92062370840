"""A large project, stored for real: what a busy team's digest and lists must still fit.

25 metrics with long labels (10 of them guardrails of the others), 10 hypotheses tied to
their metrics, 10 gate reviews decided this week with long reasons, 30 people answering.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.metrics.links import link
from db.models import Hypothesis
from db.models.gates import GateAnswer, GateReview, Project
from db.models.metrics import MetricSample
from tests.metric_helpers import define, make_project

METRICS, GUARDRAILS, HYPOTHESES, GATES, PEOPLE = 25, 10, 10, 10, 30
LABEL = "Share of sessions with a relevant result in the top three, weighted by q"


def people(count: int = PEOPLE) -> list[str]:
    """Return Slack user ids of `count` team members."""
    return [f"U0PERSON{n:02d}" for n in range(count)]


def large_project(session: Session, *, now: datetime, channel: str = "C0TEAM") -> Project:
    """Store the large project with a week of history before `now`; return it."""
    project = make_project(session, channel_id=channel, name="Search & ranking <beta>")
    project.created_at = now - timedelta(days=90)
    metrics = []
    for n in range(METRICS):
        guards = {}
        if n >= METRICS - GUARDRAILS:  # each guards one of the first metrics
            guards = {"guardrail_of": metrics[n - (METRICS - GUARDRAILS)].name, "max_drop": 0.02}
        metric = define(session, project, f"metric_{n:02d}", label=f"{LABEL} {n:02d}", **guards)
        metrics.append(metric)
        start = now.replace(hour=6, minute=0) - timedelta(days=84)
        session.add_all(
            MetricSample(
                metric_id=metric.id,  # type: ignore[arg-type]
                at=start + timedelta(days=day),
                value=0.70 if n % 4 == 0 and day > 80 else 0.80 + 0.001 * (day % 5),
            )
            for day in range(84)
        )
    session.flush()
    for n in range(HYPOTHESES):
        hypothesis = Hypothesis(
            workspace_id=project.workspace_id,
            channel_id=project.channel_id,
            author_id="U0PM",
            text=f"We believe ranking change {n} will lift {LABEL} " * 3,
            vague=False,
            checker="rules",
            status="open",
            created_at=now - timedelta(days=20),
            saved_at=now - timedelta(days=20),
        )
        session.add(hypothesis)
        session.flush()
        link(
            session=session,
            project=project,
            hypothesis_id=hypothesis.id,  # type: ignore[arg-type]
            metric_name=metrics[n].name,
            baseline=0.80,
            target=0.90,
            decide_by=date(2027, 1, 15),
            now=now - timedelta(days=20),
        )
    for n in range(GATES):
        review = GateReview(
            project_id=project.id,  # type: ignore[arg-type]
            gate_kind="sprint_review",
            occurrence_key=f"sprint-{n + 1}",
            sprint_number=n + 1,
            due_at=now - timedelta(days=3),
            status="decided",
            decision="iterate",
            decision_reason=f"Iterate {n}: the offline gain did not show up with users. " * 6,
            decided_by="U0PM",
            decided_at=now - timedelta(days=1),
        )
        session.add(review)
        session.flush()
        session.add_all(
            GateAnswer(
                review_id=review.id,  # type: ignore[arg-type]
                question_key="assumption",
                user_id=user,
                text="We test whether re-ranking lifts clicks.",
                updated_at=now - timedelta(days=2),
            )
            for user in people()
        )
    session.commit()
    return project
