"""A large project, stored for real: what a busy team's digest and lists must still fit.

25 metrics with long labels (10 of them guardrails of the others), 10 hypotheses tied to
their metrics, 10 gate reviews decided this week with long reasons, 30 people answering.
`large_workspace` adds the rest of a busy workspace around it: 40 projects led by one
person, 200 hypotheses in the channel, every sprint question reworded to its cap, open
reviews with long answers from all 30 people, a long decision history.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.gates import question_keys
from bot.gates.catalog import GateKind
from bot.gates.questions import MAX_QUESTION_LENGTH
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


PROJECTS, ALL_HYPOTHESES, OPEN_REVIEWS, DECIDED_REVIEWS = 40, 200, 15, 25
ANSWER = "We test whether re-ranking by freshness lifts clicks & <saves> in the top three. "


def large_project(
    session: Session, *, now: datetime, channel: str = "C0TEAM", team_id: str = "T0GATEBOT"
) -> Project:
    """Store the large project with a week of history before `now`; return it."""
    project = make_project(
        session, team_id=team_id, channel_id=channel, name="Search & ranking <beta>"
    )
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


def reworded(kind: GateKind) -> dict[str, str]:
    """Return a team's own wording of each of a gate's questions, each as long as allowed."""
    return {
        key: (f"In our words, for {key} & <the team>: what would prove us wrong? " * 9)[
            :MAX_QUESTION_LENGTH
        ].strip()
        for key in question_keys(kind)
    }


def large_workspace(
    session: Session, *, team_id: str, channel: str, user: str, now: datetime
) -> Project:
    """Store a busy workspace around the large project in `channel`; return that project.

    `user` leads all 40 projects (each with a review waiting for answers), so their Home
    is as full as a Home gets.
    """
    project = large_project(session, now=now, channel=channel, team_id=team_id)
    project.pm_lead, project.phase = user, "iteration"
    project.question_overrides = {GateKind.SPRINT_REVIEW.value: reworded(GateKind.SPRINT_REVIEW)}
    for n in range(ALL_HYPOTHESES - HYPOTHESES):
        session.add(
            Hypothesis(
                workspace_id=project.workspace_id,
                channel_id=channel,
                author_id=people()[n % PEOPLE],
                text=f"Hypothesis {n}: re-ranking will lift {LABEL} by 2 points in 3 weeks.",
                vague=False,
                checker="rules",
                status="open",
                created_at=now - timedelta(days=30, minutes=n),
                saved_at=now - timedelta(days=30, minutes=n),
            )
        )
    for n in range(DECIDED_REVIEWS - GATES):
        _review(session, project, f"old-{n}", now - timedelta(days=40 + n), decided=True)
    for n in range(OPEN_REVIEWS):
        review = _review(session, project, f"now-{n}", now - timedelta(hours=n + 1))
        session.add_all(
            GateAnswer(
                review_id=review.id,  # type: ignore[arg-type]
                question_key=key,
                user_id=person,
                text=(ANSWER * 12).strip(),
                updated_at=now - timedelta(minutes=30),
            )
            for key in question_keys(GateKind.SPRINT_REVIEW)
            for person in (people() if n == 0 else people()[:2])
        )
    for n in range(1, PROJECTS):
        other = make_project(
            session, team_id=team_id, channel_id=f"C0OTHER{n:02d}", name=f"Project {n:02d} <ai>"
        )
        other.pm_lead, other.phase = user, "iteration"
        session.flush()
        _review(session, other, "now-0", now - timedelta(hours=2))
    session.commit()
    return project


def _review(
    session: Session, project: Project, key: str, at: datetime, *, decided: bool = False
) -> GateReview:
    review = GateReview(
        project_id=project.id,  # type: ignore[arg-type]
        gate_kind=GateKind.SPRINT_REVIEW.value,
        occurrence_key=key,
        sprint_number=3,
        due_at=at,
        status="decided" if decided else "posted",
        posted_at=at,
        channel_id=project.channel_id,
        message_ts=f"{at.timestamp():.6f}",
        decision="go" if decided else None,
        decision_reason="Shipped: the A/B test held every guardrail. " * 20 if decided else None,
        decided_by="U0PM" if decided else None,
        decided_at=at if decided else None,
        created_at=at,
    )
    session.add(review)
    session.flush()
    return review
