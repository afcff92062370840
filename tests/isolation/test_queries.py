"""The query layer: every lookup by a record's id is scoped, so a foreign id finds nothing."""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

import db.answers
import db.hypotheses
import db.metrics
import db.projects
from bot.core.errors import GatebotError
from bot.metrics.csv_import import find_project, import_csv
from db import workspaces
from db.models import Hypothesis, HypothesisStatus, Workspace
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus
from db.models.metrics import Metric, MetricSample
from tests.isolation.teams import ALPHA, BETA, CHANNEL
from tests.live_app import LiveApp
from tests.metric_helpers import define, make_project

# The modules whose lookups start from an id a request carries (a button, a modal).
WORKSPACE_SCOPED = (db.hypotheses, db.projects, db.answers)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _id_parameters(module: ModuleType) -> dict[str, set[str]]:
    found = {}
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if function.__module__ != module.__name__ or name.startswith("_"):
            continue
        parameters = set(inspect.signature(function).parameters)
        found[name] = {p for p in parameters if p.endswith(("_id", "_ids"))}
    return found


@pytest.mark.parametrize("module", WORKSPACE_SCOPED, ids=lambda m: m.__name__)
def test_every_lookup_by_id_also_takes_the_workspace(module: ModuleType):
    functions = _id_parameters(module)

    unscoped = [
        name
        for name, ids in functions.items()
        if ids - {"workspace_id"} and "workspace_id" not in ids
    ]

    assert functions, "the module has no public queries: the check would prove nothing"
    assert unscoped == []


def _team(session: Session, team_id: str) -> tuple[int, int, int, int]:
    """Store a team's hypothesis, project, review and answer, alike in both teams."""
    workspace = workspaces.ensure(session=session, team_id=team_id)
    assert workspace.id is not None
    hypothesis = Hypothesis(
        workspace_id=workspace.id,
        channel_id=CHANNEL,
        author_id="U0PM",
        text="Churn falls from 12% to 10% by March.",
        vague=False,
        checker="rules",
    )
    project = Project(
        workspace_id=workspace.id,
        name="Search ranking",
        channel_id=CHANNEL,
        sprint_start=NOW.date(),
    )
    session.add_all([hypothesis, project])
    session.flush()
    review = GateReview(
        project_id=project.id or 0,
        gate_kind="sprint_review",
        occurrence_key="now-1",
        due_at=NOW,
        status=ReviewStatus.POSTED,
    )
    session.add(review)
    session.flush()
    session.add(
        GateAnswer(review_id=review.id or 0, question_key="assumption", user_id="U0PM", text="x")
    )
    session.flush()
    return workspace.id, hypothesis.id or 0, project.id or 0, review.id or 0


def test_the_other_workspaces_ids_find_nothing_and_change_nothing(session: Session):
    alpha, alpha_hypothesis, alpha_project, alpha_review = _team(session, ALPHA)
    beta, _, beta_project, beta_review = _team(session, BETA)
    session.commit()

    assert (
        db.hypotheses.get(session=session, workspace_id=beta, hypothesis_id=alpha_hypothesis)
        is None
    )
    moved = db.hypotheses.transition(
        session=session,
        workspace_id=beta,
        hypothesis_id=alpha_hypothesis,
        from_status=HypothesisStatus.DRAFT,
        to_status=HypothesisStatus.DISCARDED,
        user_id="U0PM",
    )
    beta_list = db.hypotheses.list_for_channel(
        session=session, workspace_id=beta, channel_id=CHANNEL, statuses=list(HypothesisStatus)
    )
    assert moved is False
    assert [h.workspace_id for h in beta_list] == [beta]
    assert db.projects.get(session=session, workspace_id=beta, project_id=alpha_project) is None
    channel = db.projects.get_for_channel(session=session, workspace_id=beta, channel_id=CHANNEL)
    assert channel is not None and channel.id == beta_project
    assert db.projects.reviews(session=session, workspace_id=beta, project_id=alpha_project) == []
    counts = db.projects.answer_counts(
        session=session, workspace_id=beta, review_ids=[alpha_review, beta_review]
    )
    assert counts == {beta_review: (1, 1)}
    assert db.answers.get_review(session=session, workspace_id=beta, review_id=alpha_review) is None
    assert db.answers.answers(session=session, workspace_id=beta, review_id=alpha_review) == []
    assert (
        db.answers.lock_review(session=session, workspace_id=beta, review_id=alpha_review) is False
    )
    session.rollback()
    # The same ids work in their own workspace: the checks above are not vacuous.
    assert db.hypotheses.get(session=session, workspace_id=alpha, hypothesis_id=alpha_hypothesis)
    assert db.answers.get_review(session=session, workspace_id=alpha, review_id=alpha_review)
    assert len(db.answers.answers(session=session, workspace_id=alpha, review_id=alpha_review)) == 1
    assert session.get(Hypothesis, alpha_hypothesis).status == HypothesisStatus.DRAFT  # type: ignore[union-attr]


@pytest.mark.parametrize("team_id", ["", "   "])
def test_a_request_without_a_team_id_gets_no_workspace(session: Session, team_id: str):
    with pytest.raises(ValueError, match="without a team id"):
        workspaces.ensure(session=session, team_id=team_id)

    assert session.exec(select(Workspace)).all() == []


def test_a_request_without_a_team_id_is_refused_and_stores_nothing(live_app: LiveApp):
    nobody = replace(live_app.sender, team_id="")

    reply = nobody.command("/gate", "status")

    assert reply.status == 200
    told = live_app.slack.wait_for("response_url")[-1].args
    assert "Something went wrong on our side" in told["text"]
    with Session(live_app.engine) as session:
        assert session.exec(select(Workspace)).all() == []


def test_the_digest_never_shows_another_workspaces_hypothesis_whatever_its_link_says(
    session: Session,
):
    alpha = make_project(session, team_id=ALPHA)
    beta = make_project(session, team_id=BETA)
    metric = define(session, alpha, "relevance_rating")
    for project in (alpha, beta):  # BETA's row names ALPHA's metric: a link no command makes
        session.add(
            Hypothesis(
                workspace_id=project.workspace_id,
                channel_id=CHANNEL,
                author_id="U0PM",
                text=f"{project.workspace_id}: relevance rises from 0.70 to 0.76 in 4 weeks.",
                vague=False,
                checker="rules",
                status=HypothesisStatus.OPEN,
                deciding_metric_id=metric.id,
                baseline_value=0.70,
                target_value=0.76,
            )
        )
    session.commit()

    links = db.metrics.deciding_links(session=session, project_id=alpha.id or 0)

    assert [h.workspace_id for h, _ in links] == [alpha.workspace_id]


def test_csv_import_names_the_teams_of_look_alike_projects(engine: Engine, tmp_path: Path):
    with Session(engine) as session:
        alpha = make_project(session, team_id=ALPHA, name="Search ranking")
        beta = make_project(session, team_id=BETA, name="Search ranking")
        define(session, alpha, "relevance_rating")
        define(session, beta, "relevance_rating")
        session.commit()
        alpha_id, beta_id = alpha.id, beta.id
    source = tmp_path / "samples.csv"
    source.write_text("name,value,at\nrelevance_rating,0.74,2026-01-05\n")

    with Session(engine) as session, pytest.raises(GatebotError) as ambiguous:
        find_project(session=session, ref="search ranking")
    project, result = import_csv(engine=engine, project_ref=str(beta_id), path=source)

    assert f"{alpha_id} (team {ALPHA}, channel {CHANNEL})" in str(ambiguous.value)
    assert f"{beta_id} (team {BETA}, channel {CHANNEL})" in str(ambiguous.value)
    assert (project.id, result.stored) == (beta_id, 1)
    with Session(engine) as session:
        rows = session.exec(select(Metric.project_id).join(MetricSample)).all()
    assert rows == [beta_id]
