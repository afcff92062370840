"""A team's gate rituals: set-up per channel, pause and resume, asking a gate now, phase moves."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session

import db.projects as queries
from bot.core.errors import InvalidInput, NotFound
from bot.gates import GateKind, Phase, phase_gate
from bot.gates.input import Setup, SetupForm, parse, validate
from bot.gates.reviews import open_review
from bot.gates.schedule import calendar_for
from bot.slack import dedupe
from db.columns import utcnow
from db.models.gates import GateReview, Project

COMMAND_CLOCK_ID = "command:/gate"  # claimed_by for reviews asked from Slack, not by a clock


class NoProject(NotFound):
    """The channel has no project set up."""


def get_project(*, session: Session, workspace_id: int, channel_id: str) -> Project | None:
    """Return the channel's project, or None when it has none yet."""
    return queries.get_for_channel(
        session=session, workspace_id=workspace_id, channel_id=channel_id
    )


def for_channel(*, session: Session, workspace_id: int, channel_id: str) -> Project:
    """Return the channel's project or raise NoProject telling how to set one up."""
    project = get_project(session=session, workspace_id=workspace_id, channel_id=channel_id)
    if project is None:
        raise NoProject(
            f"No gate rituals are set up in <#{channel_id}> yet: run `/gate setup` here to "
            "choose the sprint calendar, the leads and the phase."
        )
    return project


def setup_errors(
    *, session: Session, workspace_id: int, form: SetupForm, project_id: int | None
) -> dict[str, str]:
    """Return inline errors for the set-up modal, including a channel another project holds."""
    errors = validate(form)
    if "channel" not in errors:
        holder = queries.get_for_channel(
            session=session, workspace_id=workspace_id, channel_id=form.channel.strip()
        )
        if holder is not None and holder.id != project_id:
            errors["channel"] = (
                f"That channel already runs “{holder.name}”: run /gate setup there to edit it."
            )
    return errors


@dataclass(frozen=True, kw_only=True)
class SetupResult:
    """The project after set-up, whether it is new, and which settings changed."""

    project: Project
    created: bool
    changed: tuple[str, ...]


def save_setup(
    *, session: Session, workspace_id: int, user_id: str, form: SetupForm, project_id: int | None
) -> SetupResult:
    """Create the channel's project or edit it; the clock reads the edit on its next pass."""
    if errors := setup_errors(
        session=session, workspace_id=workspace_id, form=form, project_id=project_id
    ):
        raise InvalidInput(" ".join(errors.values()))
    setup = parse(form)
    project = None
    if project_id is not None:
        project = queries.get(session=session, workspace_id=workspace_id, project_id=project_id)
        if project is None:
            # The modal edits a project this workspace does not have (another workspace's
            # id): creating one in its place would be a change nobody asked for.
            raise NotFound("I can't find the project this form edits; run /gate setup again.")
    created = project is None
    if project is None:
        project = Project(workspace_id=workspace_id, created_by=user_id, **_columns(setup))
        changed: tuple[str, ...] = ()
    else:
        changed = _apply(project, setup)
        if changed:  # the clock never asks before updated_at: an untouched save moves nothing
            project.updated_at = utcnow()
    if not queries.save(session=session, project=project):
        raise InvalidInput(
            f"<#{setup.channel_id}> was set up by someone else a moment ago: "
            "run /gate setup there to edit it."
        )
    return SetupResult(project=project, created=created, changed=changed)


def _columns(setup: Setup) -> dict[str, Any]:
    return asdict(setup) | {"phase": setup.phase.value}  # Setup's fields are Project's columns


def _apply(project: Project, setup: Setup) -> tuple[str, ...]:
    changed = []
    for column, value in _columns(setup).items():
        if getattr(project, column) != value:
            setattr(project, column, value)
            changed.append(column)
    return tuple(changed)


@dataclass(frozen=True, kw_only=True)
class Change:
    """The project after pause, resume or a phase move, and whether this call changed it."""

    project: Project
    changed: bool


def set_paused(*, session: Session, workspace_id: int, channel_id: str, paused: bool) -> Change:
    """Pause or resume the channel's scheduled prompts; asking with /gate now still works."""
    project = for_channel(session=session, workspace_id=workspace_id, channel_id=channel_id)
    if project.paused == paused:
        return Change(project=project, changed=False)
    project.paused = paused
    # The clock sends nothing dated before updated_at, so resuming never back-fills
    # the prompts that fell due while paused.
    project.updated_at = utcnow()
    session.add(project)
    return Change(project=project, changed=True)


@dataclass(frozen=True, kw_only=True)
class Asked:
    """A gate asked from Slack: the project, the gate, and the review (None: asked already)."""

    project: Project
    kind: GateKind
    review: GateReview | None
    moved: bool = False  # /gate phase moved the project before asking


def ask_now(
    *,
    session: Session,
    client: WebClient,
    workspace_id: int,
    channel_id: str,
    gate: str,
    now: datetime,
) -> Asked:
    """Post a gate's prompt at once: the named gate, or the phase's. Commits."""
    project = for_channel(session=session, workspace_id=workspace_id, channel_id=channel_id)
    kind = GateKind.parse(gate) if gate.strip() else phase_gate(Phase(project.phase))
    what = f"gate-now:{project.id}:{kind.value}"
    if not dedupe.first_ask(session=session, what=what, team_id="", now=now):
        return Asked(project=project, kind=kind, review=None)  # "asked a moment ago"
    review = _ask(session, client, project, kind, key=f"now-{now:%Y%m%dT%H%M%S}", now=now)
    return Asked(project=project, kind=kind, review=review)


def move_to_phase(
    *,
    session: Session,
    client: WebClient,
    workspace_id: int,
    channel_id: str,
    phase: str,
    now: datetime,
) -> Asked:
    """Move the project to `phase` and ask that phase's gate; a no-op if it is there. Commits."""
    if not phase.strip():
        choices = ", ".join(p.value for p in Phase)
        raise InvalidInput(f"Name the phase to move to, e.g. `/gate phase evaluation`: {choices}.")
    target = Phase.parse(phase)
    project = for_channel(session=session, workspace_id=workspace_id, channel_id=channel_id)
    kind = phase_gate(target)
    if project.phase == target.value:
        return Asked(project=project, kind=kind, review=None)
    project.phase = target.value
    project.updated_at = utcnow()
    session.add(project)
    session.commit()
    key = f"phase-{target.value}-{now:%Y%m%dT%H%M%S}"
    review = _ask(session, client, project, kind, key=key, now=now)
    return Asked(project=project, kind=kind, review=review, moved=True)


def _ask(
    session: Session,
    client: WebClient,
    project: Project,
    kind: GateKind,
    *,
    key: str,
    now: datetime,
) -> GateReview | None:
    sprint = calendar_for(project).sprint_number(now) or None
    return open_review(
        session=session,
        client=client,
        project=project,
        gate_kind=kind,
        occurrence_key=key,
        due_at=now,
        now=now,
        clock_id=COMMAND_CLOCK_ID,
        sprint_number=sprint,
    )
