"""The App Home: one person's projects in one workspace, what awaits them, where each stands.

"Their projects" are those they lead, set up, answered a gate review of, wrote a hypothesis
in (on record, in the project's channel) or own a shared metric of. A review "awaits" them
while it is posted, undecided, and they have not answered every one of its questions.

The Home is paged: each page reads only its own projects' details (the sprint calendar,
hypotheses, the digest's judgement of the metrics), so a person in many projects costs no
more per page than one in a few. Projects with a review awaiting the person come first.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlmodel import Session

import db.home as queries
import db.projects as project_queries
from bot import digest_data, project_status
from bot.blocks.home import home_view
from bot.errors import GatebotError, NotFound
from bot.gates import GateKind, Phase, question_keys
from bot.metrics.flags import Status
from bot.project_status import ProjectStatus
from db import workspaces
from db.gate_models import GateReview, Project
from db.models import Hypothesis, utcnow

logger = logging.getLogger(__name__)

PAGE_SIZE = 8  # projects a page: with their reviews and buttons, well inside 100 blocks
SHOWN_HYPOTHESES = 3
WATCHED = (Status.BREACH, Status.WARN)


@dataclass(frozen=True, kw_only=True)
class AwaitingReview:
    """A review waiting for this person: how many of its questions they have answered."""

    review: GateReview
    answered: int
    questions: int


@dataclass(frozen=True, kw_only=True)
class ProjectCard:
    """One project as its Home card shows it."""

    project: Project
    roles: tuple[str, ...]  # "PM lead", "DS lead", "set it up"
    status: ProjectStatus | None  # None when the stored calendar cannot be read
    problem: str | None  # why not, in words a person can act on
    awaiting: list[AwaitingReview]  # newest first, all of them (the card shows a few)
    hypotheses: list[Hypothesis]  # the channel's newest on record
    open_hypotheses: int
    progress: dict[int, digest_data.HypothesisView]  # by hypothesis id, when metric-decided
    metrics: int
    watched: list[digest_data.MetricView]  # metrics in breach or warn, worst first
    metrics_problem: bool = False  # the metrics could not be judged (logged)

    @property
    def next_phase(self) -> Phase | None:
        """Return the phase after the project's current one, None after the last."""
        return following_phase(self.project.phase)


@dataclass(frozen=True, kw_only=True)
class Home:
    """What one person's Home shows on one page."""

    user_id: str
    cards: list[ProjectCard] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    projects: int = 0  # the person's projects in all, on every page
    awaiting: int = 0  # reviews awaiting them, across every project
    awaiting_projects: int = 0
    workspace_projects: int = 0  # the workspace's projects, for the empty Home's words


def following_phase(phase: str) -> Phase | None:
    """Return the phase after `phase` on the timeline, or None (last, or unknown)."""
    order = list(Phase)
    try:
        index = order.index(Phase(phase))
    except ValueError:
        return None
    return order[index + 1] if index + 1 < len(order) else None


def gather(
    *, session: Session, team_id: str, user_id: str, page: int = 1, now: datetime | None = None
) -> Home:
    """Return the person's Home in workspace `team_id` at `page` (clamped to the pages)."""
    now = now or utcnow()
    workspace = workspaces.get_by_team(session=session, team_id=team_id)
    if workspace is None or workspace.id is None:
        return Home(user_id=user_id)
    workspace_id = workspace.id
    projects = queries.user_projects(session=session, workspace_id=workspace_id, user_id=user_id)
    if not projects:
        count = queries.project_count(session=session, workspace_id=workspace_id)
        return Home(user_id=user_id, workspace_projects=count)
    awaiting = _awaiting(session, workspace_id, projects, user_id)
    # Stable sort: projects awaiting the person first, each group still by name.
    projects.sort(key=lambda p: not awaiting.get(p.id or 0))
    pages = math.ceil(len(projects) / PAGE_SIZE)
    page = min(max(page, 1), pages)
    shown = projects[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    metrics = queries.metric_counts(session=session, project_ids=[p.id or 0 for p in shown])
    cards = [
        _card(
            session,
            project,
            user_id=user_id,
            awaiting=awaiting.get(project.id or 0, []),
            metrics=metrics.get(project.id or 0, 0),
            now=now,
        )
        for project in shown
    ]
    return Home(
        user_id=user_id,
        cards=cards,
        page=page,
        pages=pages,
        projects=len(projects),
        awaiting=sum(len(a) for a in awaiting.values()),
        awaiting_projects=sum(1 for a in awaiting.values() if a),
    )


def _awaiting(
    session: Session, workspace_id: int, projects: list[Project], user_id: str
) -> dict[int, list[AwaitingReview]]:
    rows = queries.posted_reviews_with_answers(
        session=session,
        workspace_id=workspace_id,
        project_ids=[p.id or 0 for p in projects],
        user_id=user_id,
    )
    found: dict[int, list[AwaitingReview]] = {}
    for review, answered in rows:
        try:
            questions = len(question_keys(GateKind(review.gate_kind)))
        except ValueError:  # a gate this version does not know: it cannot be answered here
            continue
        if answered < questions:
            found.setdefault(review.project_id, []).append(
                AwaitingReview(review=review, answered=answered, questions=questions)
            )
    return found


def _roles(project: Project, user_id: str) -> tuple[str, ...]:
    roles = [
        role
        for role, lead in (("PM lead", project.pm_lead), ("DS lead", project.ds_lead))
        if lead == user_id
    ]
    if not roles and project.created_by == user_id:
        roles.append("set it up")
    return tuple(roles)


def _card(
    session: Session,
    project: Project,
    *,
    user_id: str,
    awaiting: list[AwaitingReview],
    metrics: int,
    now: datetime,
) -> ProjectCard:
    status, problem = None, None
    try:
        status = project_status.status(
            session=session,
            workspace_id=project.workspace_id,
            channel_id=project.channel_id,
            now=now,
        )
    except GatebotError as error:  # e.g. a time zone stored broken: /gate setup fixes it
        problem = str(error)
    hypotheses, count = queries.open_hypotheses(
        session=session,
        workspace_id=project.workspace_id,
        channel_id=project.channel_id,
        limit=SHOWN_HYPOTHESES,
    )
    watched, progress, metrics_problem = [], {}, False
    if metrics:
        try:
            data = digest_data.gather(session=session, project=project, now=now)
        except Exception:  # one project's bad data must not blank the person's whole Home
            logger.exception("the Home could not judge the metrics of project %s", project.id)
            session.rollback()
            metrics_problem = True
        else:
            watched = [view for view in data.flagged if view.status.status in WATCHED]
            progress = {view.hypothesis.id or 0: view for view in data.hypotheses}
    return ProjectCard(
        project=project,
        roles=_roles(project, user_id),
        status=status,
        problem=problem,
        awaiting=awaiting,
        hypotheses=hypotheses,
        open_hypotheses=count,
        progress=progress,
        metrics=metrics,
        watched=watched,
        metrics_problem=metrics_problem,
    )


def project(*, session: Session, workspace_id: int, project_id: int) -> Project:
    """Return a project of this workspace for a Home button, or raise NotFound."""
    found = project_queries.get(session=session, workspace_id=workspace_id, project_id=project_id)
    if found is None:
        raise NotFound(
            "I can't find that project any more: it may have moved. Refresh the Home and try again."
        )
    return found


def publish(
    *,
    session: Session,
    client: WebClient,
    team_id: str,
    user_id: str,
    page: int = 1,
    now: datetime | None = None,
) -> Home:
    """Gather the person's Home and publish it to their Home tab."""
    home = gather(session=session, team_id=team_id, user_id=user_id, page=page, now=now)
    session.commit()  # end the read before waiting on Slack
    client.views_publish(user_id=user_id, view=home_view(home))
    return home


def publish_job(*, session: Session, checker: object, **kwargs: object) -> None:
    """Publish a Home from BackgroundJobs (which hands every job a checker the Home needs not)."""
    publish(session=session, **kwargs)  # type: ignore[arg-type]
