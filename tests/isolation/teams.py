"""Two Slack workspaces driving one live app, deliberately alike: same channel, users, names.

Slack ids are unique only within a team, so ALPHA and BETA share the channel id C0TEAM and
the users U0PM and U0DS; only the team id tells their requests apart. Each team's
response_url has its own key, so what the app answered each team can be told apart too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from bot.demo.standin.slack_requests import Reply, SlackSender
from db.models import Hypothesis, Workspace
from db.models.digests import DigestRun
from db.models.gates import GateAnswer, GateReview, Project
from db.models.metrics import IngestToken, Metric, MetricSample
from tests.handlers.gate_steps import eventually, setup_values, texts
from tests.live_app import LiveApp

ALPHA, BETA = "T0GATEBOT", "T0BETA"  # ALPHA is the stand-in's own team
CHANNEL = "C0TEAM"
PM, DS = "U0PM", "U0DS"

Rows = dict[str, list[dict[str, Any]]]


@dataclass
class Teams:
    """The live app and one signed sender per workspace, same channel and same user."""

    live: LiveApp
    alpha: SlackSender
    beta: SlackSender


def two_teams(live: LiveApp) -> Teams:
    """Return senders for ALPHA and BETA, each answered on its own response_url."""
    alpha = replace(live.sender, team_id=ALPHA, response_url=live.slack.response_url(ALPHA))
    beta = replace(live.sender, team_id=BETA, response_url=live.slack.response_url(BETA))
    return Teams(live=live, alpha=alpha, beta=beta)


def responses(live: LiveApp, sender: SlackSender) -> list[dict[str, Any]]:
    """Return what the app sent to this team's response_url, oldest first."""
    return [c.args for c in live.slack.calls("response_url") if c.key == sender.team_id]


def shown(message: dict[str, Any]) -> str:
    """Return all a person reads in a message: its text and its blocks."""
    return str(message.get("text") or "") + "\n" + texts(message.get("blocks") or [])


def next_response(live: LiveApp, sender: SlackSender, before: int) -> dict[str, Any]:
    """Wait for the team's response after the first `before` and return it."""

    def arrived() -> dict[str, Any]:
        found = responses(live, sender)
        assert len(found) > before, f"no answer to {sender.team_id} yet"
        return found[before]

    return eventually(arrived)


def answered(live: LiveApp, sender: SlackSender, send: Any) -> dict[str, Any]:
    """Send a request (`send()` returns the Reply) and return the app's answer to this team.

    An answer in the ack's body (usage, help) is returned as {"text": body}.
    """
    before = len(responses(live, sender))
    reply: Reply = send()
    assert reply.status == 200, reply.body
    assert reply.seconds < 3  # Slack's ack contract
    if reply.body and not reply.body.startswith(":hourglass"):
        return {"text": reply.body}
    return next_response(live, sender, before)


def command(live: LiveApp, sender: SlackSender, name: str, text: str = "") -> dict[str, Any]:
    """Run a slash command as `sender` and return what its team was told."""
    return answered(live, sender, lambda: sender.command(name, text))


def click(live: LiveApp, sender: SlackSender, action_id: str, value: object) -> dict[str, Any]:
    """Click a button carrying `value` as `sender` and return what its team was told."""
    return answered(live, sender, lambda: sender.click(action_id, str(value)))


def dm_after(live: LiveApp, sender: SlackSender, submit: Any) -> dict[str, Any]:
    """Submit something answered by DM (a modal) and return the DM to the sender's user."""
    before = len(live.slack.calls("chat.postMessage"))
    reply: Reply = submit()
    assert reply.status == 200 and reply.body == "", reply.body

    def arrived() -> dict[str, Any]:
        dms = [
            c.args
            for c in live.slack.calls("chat.postMessage")[before:]
            if c.args.get("channel") == sender.user_id
        ]
        assert dms, "no DM yet"
        return dms[0]

    return eventually(arrived)


def set_up(teams: Teams, sender: SlackSender, **fields: Any) -> Project:
    """Set up the sender's channel through /gate setup and its modal; return the project."""
    live = teams.live
    opened, updated = len(live.slack.calls("views.open")), len(live.slack.calls("views.update"))
    assert sender.command("/gate", "setup").status == 200
    view = live.slack.wait_for("views.open", count=opened + 1)[-1].args["view"]
    if json.loads(view["private_metadata"])["project_id"] is None:
        # A new project: the profile's time zone is filled in by an update.
        view = live.slack.wait_for("views.update", count=updated + 1)[-1].args["view"]
    ids = {block.get("block_id") for block in view["blocks"]}
    tz_block = "timezone" if "timezone" in ids else "timezone_pending"
    posts = len(live.slack.calls("chat.postMessage"))
    values = setup_values(timezone_block=tz_block, channel=sender.channel_id, **fields)
    reply = sender.submit_view(view, values)
    assert reply.status == 200 and reply.body == "", reply.body
    live.slack.wait_for("chat.postMessage", count=posts + 1)
    found = project_of(live, sender.team_id)
    assert found is not None
    return found


def project_of(live: LiveApp, team_id: str, channel_id: str = CHANNEL) -> Project | None:
    """Return a team's project in a channel."""
    with Session(live.engine) as session:
        return session.exec(
            select(Project)
            .join(Workspace, col(Workspace.id) == col(Project.workspace_id))
            .where(Workspace.team_id == team_id, Project.channel_id == channel_id)
        ).first()


def _dump(rows: list[Any]) -> list[dict[str, Any]]:
    return [row.model_dump() for row in sorted(rows, key=lambda row: row.id)]


def _where(session: Session, model: type[SQLModel], column: Any, ids: list[int]) -> list[Any]:
    return list(session.exec(select(model).where(col(column).in_(ids)))) if ids else []


def rows_of(live: LiveApp, team_id: str) -> Rows:
    """Return every stored row that belongs to a team, table by table, every column."""
    with Session(live.engine) as session:
        workspace = session.exec(select(Workspace).where(Workspace.team_id == team_id)).first()
        if workspace is None:
            return {}
        projects = _where(session, Project, Project.workspace_id, [workspace.id or 0])
        project_ids = [p.id for p in projects]
        reviews = _where(session, GateReview, GateReview.project_id, project_ids)
        metrics = _where(session, Metric, Metric.project_id, project_ids)
        metric_ids = [m.id for m in metrics]
        return {
            "workspace": _dump([workspace]),
            "hypotheses": _dump(
                _where(session, Hypothesis, Hypothesis.workspace_id, [workspace.id])
            ),
            "projects": _dump(projects),
            "reviews": _dump(reviews),
            "answers": _dump(
                _where(session, GateAnswer, GateAnswer.review_id, [r.id for r in reviews])
            ),
            "metrics": _dump(metrics),
            "samples": _dump(_where(session, MetricSample, MetricSample.metric_id, metric_ids)),
            "tokens": _dump(_where(session, IngestToken, IngestToken.project_id, project_ids)),
            "digests": _dump(_where(session, DigestRun, DigestRun.project_id, project_ids)),
        }


def everything(live: LiveApp) -> dict[str, Rows]:
    """Return every workspace's records by team id: a forged request must change none of them.

    A workspace row alone is left out: one is made on a team's first contact, which changes
    nothing that team or any other could see.
    """
    with Session(live.engine) as session:
        teams = sorted(w.team_id for w in session.exec(select(Workspace)))
    found = {}
    for team in teams:
        records = {
            table: rows for table, rows in rows_of(live, team).items() if table != "workspace"
        }
        if any(records.values()):
            found[team] = records
    return found
