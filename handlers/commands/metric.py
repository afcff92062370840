"""/metric: define, update and list shared metrics, record values, manage ingestion tokens."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.core.errors import InvalidInput
from bot.escapes import service as escape
from bot.metrics import blocks, ingest, judging, tokens
from bot.metrics import edits as metric_edits
from bot.metrics import links as metric_links
from bot.metrics import registry as metric_registry
from bot.metrics.command import Action, MetricCommand, parse
from bot.slack.mrkdwn import typed_back
from db.columns import saved_id, utcnow
from db.models.gates import Project
from prompts import render

# The public URL is not in a slash command; the curl example names it for the reader to fill.
BASE_URL = "$GATEBOT_URL"


def register(app: App) -> None:
    """Register the slash command."""
    app.command("/metric")(metric_command)


def metric_command(
    ack: Ack,
    command: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    session: Session,
) -> None:
    """Handle /metric [define | update | list | record | link | token | help]."""
    text = command.get("text", "")
    try:
        parsed = parse(text, user_id=command["user_id"])
    except InvalidInput as problem:  # parsing is pure and fast: answer in the ack itself
        ack(text=f"{problem}\n{typed_back(f'/metric {text}')}")
        return
    if parsed.action is Action.HELP:
        ack(text=render("metric_help.j2", unknown=parsed.unknown))
        return
    ack()
    team_id = context.team_id or command["team_id"]
    project = metric_registry.project_in(
        session=session, team_id=team_id, channel_id=command["channel_id"]
    )
    if parsed.action is Action.RECORD:
        _record(parsed, project=project, session=session, respond=respond, team_id=team_id)
        return
    if parsed.action is Action.UPDATE:
        user = command["user_id"]
        _update(
            parsed, project=project, session=session, user=user, respond=respond, team_id=team_id
        )
        return
    act = _ACTIONS[parsed.action]
    act(parsed, project=project, session=session, user=command["user_id"], respond=respond)


def _define(
    parsed: MetricCommand, *, project: Project, session: Session, user: str, respond: Respond
) -> None:
    metric = metric_registry.define(
        session=session, project=project, name=parsed.name, changes=parsed.changes, user_id=user
    )
    session.commit()
    guards = metric_registry.primary_name(session=session, metric=metric)
    shown = blocks.defined_message(metric, user_id=user, guards=guards)
    respond(blocks=shown, text="Shared metric", response_type="in_channel")


def _update(
    parsed: MetricCommand,
    *,
    project: Project,
    session: Session,
    user: str,
    respond: Respond,
    team_id: str,
) -> None:
    # The channel hears of it from the announcement queued with the edit; the reply is theirs.
    edited = metric_edits.update(
        session=session,
        project=project,
        team_id=team_id,
        name=parsed.name,
        changes=parsed.changes,
        user_id=user,
    )
    session.commit()
    respond(blocks=blocks.edited_message(edited), text="Shared metric", response_type="ephemeral")


def _list(
    parsed: MetricCommand, *, project: Project, session: Session, user: str, respond: Respond
) -> None:
    lines = judging.judged_lines(session=session, project=project, now=utcnow())
    shown = blocks.list_message(lines, project_name=project.name)
    respond(blocks=shown, text="Shared metrics")


def _record(
    parsed: MetricCommand, *, project: Project, session: Session, respond: Respond, team_id: str
) -> None:
    assert parsed.value is not None
    metric, result = ingest.record(
        session=session, project=project, name=parsed.name, value=parsed.value, day=parsed.day
    )
    # Judged on a worker (a breach is posted to the channel, this reply is not held), queued
    # in the samples' transaction: a crash cannot keep the value and lose its check.
    escape.evaluate_later(
        session=session, team_id=team_id, project_id=saved_id(project), metric_ids=result.metric_ids
    )
    session.commit()
    day = f"for {parsed.day.isoformat()}" if parsed.day else "as of now"
    text = blocks.recorded_text(metric, value=parsed.value, result=result, day=day)
    respond(text=text)


def _token(
    parsed: MetricCommand, *, project: Project, session: Session, user: str, respond: Respond
) -> None:
    scope = tokens.Scope(parsed.scope)
    new = tokens.create(session=session, project_id=saved_id(project), created_by=user, scope=scope)
    session.commit()
    names = metric_registry.list_lines(session=session, project=project)
    shown = blocks.token_message(
        plaintext=new.plaintext,
        prefix=new.row.prefix,
        example=names[0].metric.name if names else "relevance_rating",
        base_url=BASE_URL,
        scope=scope,
        project_id=project.id,
    )
    # Ephemeral, explicitly: the token must reach only the person who asked for it.
    text = f"New {'read' if scope is tokens.Scope.READ else 'ingestion'} token (shown once)"
    respond(blocks=shown, text=text, response_type="ephemeral")


def _token_list(
    parsed: MetricCommand, *, project: Project, session: Session, user: str, respond: Respond
) -> None:
    shown = blocks.tokens_message(tokens.active(session=session, project_id=saved_id(project)))
    respond(blocks=shown, text="Ingestion tokens")


def _token_revoke(
    parsed: MetricCommand, *, project: Project, session: Session, user: str, respond: Respond
) -> None:
    if parsed.prefix is None:  # every token: say how many and ask first
        count = len(tokens.active(session=session, project_id=saved_id(project)))
        if count:
            shown = blocks.revoke_all_message(project_name=project.name, count=count)
            respond(blocks=shown, text=f"Revoke all {count} ingestion tokens?")
            return
    revoked = tokens.revoke(session=session, project_id=saved_id(project), prefix=parsed.prefix)
    session.commit()
    text = blocks.revoked_text(revoked)
    respond(text=text)


def _link(
    parsed: MetricCommand, *, project: Project, session: Session, user: str, respond: Respond
) -> None:
    assert parsed.hypothesis_id is not None
    assert parsed.baseline is not None and parsed.target is not None
    link = metric_links.link(
        session=session,
        project=project,
        hypothesis_id=parsed.hypothesis_id,
        metric_name=parsed.name,
        baseline=parsed.baseline,
        target=parsed.target,
        decide_by=parsed.day,
    )
    session.commit()
    text = blocks.linked_text(link, user_id=user)
    respond(text=text, response_type="in_channel")


_ACTIONS = {
    Action.DEFINE: _define,
    Action.LIST: _list,
    Action.TOKEN: _token,
    Action.TOKEN_LIST: _token_list,
    Action.TOKEN_REVOKE: _token_revoke,
    Action.LINK: _link,
}
