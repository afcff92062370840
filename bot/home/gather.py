"""Gathering one person's Home: their projects on a page, each card's work read for members.

"Their projects" are those they lead, set up, answered a gate review of, wrote a hypothesis
in (on record, in the project's channel) or own a shared metric of. A project's work (its
reviews, hypotheses and metrics) is read only when they are in its channel; otherwise the
card gives the name and status alone. A review "awaits" them while it is posted, undecided,
and they have not answered every one of its questions.

Each page reads only its own projects' details (the sprint calendar, hypotheses, the digest's
judgement of the metrics), so a person in many projects costs no more per page than one in
a few. Projects with a review awaiting the person come first.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime

from sqlmodel import Session

import db.home as queries
from bot.core.errors import GatebotError
from bot.digests import data as digest_data
from bot.gates import GateKind, question_keys
from bot.gates import status as project_status
from bot.home.membership import Membership
from bot.home.model import AwaitingReview, Home, ProjectCard
from db import workspaces
from db.columns import utcnow
from db.models.gates import Project

logger = logging.getLogger(__name__)

PAGE_SIZE = 8  # projects a page: with their reviews and buttons, well inside 100 blocks
SHOWN_HYPOTHESES = 3


def gather(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    membership: Membership,
    page: int = 1,
    now: datetime | None = None,
) -> Home:
    """Return the person's Home in workspace `team_id` at `page` (clamped to the pages), with
    the work of the projects whose channel `membership` allows."""
    now = now or utcnow()
    workspace = workspaces.get_by_team(session=session, team_id=team_id)
    if workspace is None or workspace.id is None:
        return Home(user_id=user_id)
    workspace_id = workspace.id
    projects = queries.user_projects(session=session, workspace_id=workspace_id, user_id=user_id)
    if not projects:
        count = queries.project_count(session=session, workspace_id=workspace_id)
        return Home(user_id=user_id, workspace_projects=count)
    visible = [p for p in projects if membership.allows(p.channel_id)]
    awaiting = _awaiting(session, workspace_id, visible, user_id) if visible else {}
    # Stable sort: projects awaiting the person first, each group still by name.
    projects.sort(key=lambda p: not awaiting.get(p.id or 0))
    pages = math.ceil(len(projects) / PAGE_SIZE)
    page = min(max(page, 1), pages)
    shown = projects[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    metrics = queries.metric_counts(
        session=session, project_ids=[p.id or 0 for p in shown if membership.allows(p.channel_id)]
    )
    cards = [
        _card(
            session,
            project,
            user_id=user_id,
            awaiting=awaiting.get(project.id or 0, []),
            metrics=metrics.get(project.id or 0, 0),
            now=now,
        )
        if membership.allows(project.channel_id)
        else _outsider_card(session, project, user_id=user_id, now=now)
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
        membership_problem=membership.problem,
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


def _status(
    session: Session, project: Project, now: datetime
) -> tuple[project_status.ProjectStatus | None, str | None]:
    try:
        found = project_status.status(
            session=session,
            workspace_id=project.workspace_id,
            channel_id=project.channel_id,
            now=now,
        )
    except GatebotError as error:  # e.g. a time zone stored broken: /gate setup fixes it
        return None, str(error)
    return found, None


def _outsider_card(
    session: Session, project: Project, *, user_id: str, now: datetime
) -> ProjectCard:
    """The card of a project whose channel the person is not in: its name and status only."""
    status, problem = _status(session, project, now)
    return ProjectCard(
        project=project,
        roles=_roles(project, user_id),
        status=status,
        problem=problem,
        awaiting=[],
        hypotheses=[],
        open_hypotheses=0,
        progress={},
        metrics=0,
        watched=[],
        member=False,
    )


def _card(
    session: Session,
    project: Project,
    *,
    user_id: str,
    awaiting: list[AwaitingReview],
    metrics: int,
    now: datetime,
) -> ProjectCard:
    status, problem = _status(session, project, now)
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
            watched = data.flagged
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
