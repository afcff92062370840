"""app_uninstalled and tokens_revoked: the team's tokens go, everything it wrote stays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from bot.install.service import client_for_app
from db.models import Hypothesis, Workspace
from db.models.gates import Project
from db.models.slack import bots, installations
from tests.handlers.gate_steps import eventually, texts
from tests.live_app import LiveApp

ACME, BETA = "T0ACME", "T0BETA"
STATEMENT = "Showing in-stock items first raises purchases per search by 2% within 4 weeks."


@pytest.fixture
def oauth_app(start_app: Callable[..., LiveApp]) -> LiveApp:
    """The app in OAuth mode with ACME and BETA installed, ACME with a project and a hypothesis."""
    live = start_app(oauth=True)
    live.install(ACME, name="Acme")
    live.install(BETA, name="Beta")
    with Session(live.engine) as session:
        workspace = session.exec(sqlmodel_select(Workspace).where(Workspace.team_id == ACME)).one()
        session.add(
            Project(
                workspace_id=workspace.id,  # type: ignore[arg-type]
                name="Search",
                channel_id="C0TEAM",
                sprint_start=date(2026, 11, 2),
            )
        )
        session.add(
            Hypothesis(
                workspace_id=workspace.id,  # type: ignore[arg-type]
                channel_id="C0TEAM",
                author_id="U0PM",
                text=STATEMENT,
                vague=False,
                checker="rules",
                status="open",
            )
        )
        session.commit()
    return live


def _token_teams(engine: Engine) -> dict[str, list[str | None]]:
    with engine.connect() as connection:
        return {
            table.name: sorted(connection.execute(select(table.c.team_id)).scalars())
            for table in (bots, installations)
        }


def _workspace(engine: Engine, team_id: str) -> Workspace:
    with Session(engine) as session:
        return session.exec(sqlmodel_select(Workspace).where(Workspace.team_id == team_id)).one()


def _acme_records(engine: Engine) -> tuple[list[str], list[str]]:
    with Session(engine) as session:
        projects = [p.name for p in session.exec(sqlmodel_select(Project))]
        hypotheses = [h.text for h in session.exec(sqlmodel_select(Hypothesis))]
    return projects, hypotheses


def _send(live: LiveApp, sender: SlackSender, event: dict[str, Any], *, drain: bool = True) -> None:
    """Send the event; with `drain`, wait for its listener (after the ack) and stop the app."""
    reply = sender.event(event)
    assert reply.status == 200, reply.body
    assert reply.seconds < 3  # Slack's ack contract
    if drain:
        live.drain()


def _uninstall(live: LiveApp, team_id: str) -> None:
    """Uninstall as Slack does (tokens revoked, then the event) and wait until it is handled."""
    live.slack.revoke(team_id)
    _send(live, live.sender_for(team_id), {"type": "app_uninstalled"}, drain=False)

    def marked() -> None:
        assert _workspace(live.engine, team_id).uninstalled_at is not None

    eventually(marked)


def _listed(live: LiveApp, slack: SlackStandIn, sender: SlackSender) -> str:
    """Run /hypothesis list as the team and return what it shows."""
    before = len(slack.calls("response_url"))
    assert sender.command("/hypothesis", "list").status == 200

    def answered() -> str:
        calls = slack.calls("response_url")
        assert len(calls) > before
        return str(calls[before].args.get("text", "")) + texts(calls[before].args.get("blocks", []))

    return eventually(answered)


def test_app_uninstalled_forgets_the_tokens_and_keeps_the_records(
    oauth_app: LiveApp, slack: SlackStandIn
):
    slack.revoke(ACME)  # Slack revokes the tokens, then tells the app

    _send(oauth_app, oauth_app.sender_for(ACME), {"type": "app_uninstalled"})

    assert _token_teams(oauth_app.engine) == {"slack_bots": [BETA], "slack_installations": [BETA]}
    assert _workspace(oauth_app.engine, ACME).uninstalled_at is not None
    assert _workspace(oauth_app.engine, BETA).uninstalled_at is None
    assert _acme_records(oauth_app.engine) == (["Search"], [STATEMENT])


def test_a_reinstall_finds_the_team_records_intact(oauth_app: LiveApp, slack: SlackStandIn):
    acme = oauth_app.sender_for(ACME)
    _uninstall(oauth_app, ACME)

    landing = oauth_app.install(ACME, name="Acme").landing

    assert landing.status == 200
    assert _workspace(oauth_app.engine, ACME).uninstalled_at is None
    assert "Showing in-stock items first" in _listed(oauth_app, slack, acme)
    assert _token_teams(oauth_app.engine)["slack_bots"] == [ACME, BETA]
    acme.command("/hypothesis")  # the form opens with the new token, not the revoked one
    [opened] = slack.wait_for("views.open")
    assert opened.token == slack.token_for(ACME)


def test_tokens_revoked_for_the_bot_is_an_uninstall(oauth_app: LiveApp, slack: SlackStandIn):
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}

    _send(oauth_app, oauth_app.sender_for(ACME), event)

    assert _token_teams(oauth_app.engine) == {"slack_bots": [BETA], "slack_installations": [BETA]}
    assert _workspace(oauth_app.engine, ACME).uninstalled_at is not None
    assert _acme_records(oauth_app.engine) == (["Search"], [STATEMENT])


def test_tokens_revoked_for_users_only_keeps_the_bot(oauth_app: LiveApp, slack: SlackStandIn):
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0INSTALLER"], "bot": []}}

    _send(oauth_app, oauth_app.sender_for(ACME), event)

    assert _token_teams(oauth_app.engine)["slack_bots"] == [ACME, BETA]
    assert _workspace(oauth_app.engine, ACME).uninstalled_at is None
    assert client_for_app(oauth_app.bolt)(ACME).token == slack.token_for(ACME)


def test_after_an_uninstall_the_team_is_told_to_reinstall(oauth_app: LiveApp, slack: SlackStandIn):
    acme = oauth_app.sender_for(ACME)
    _uninstall(oauth_app, ACME)

    assert acme.command("/hypothesis").status == 200

    [told] = slack.wait_for("response_url")
    assert "gatebot is not installed in this workspace" in told.args["text"]
    assert slack.calls("views.open") == []


def test_single_workspace_mode_acks_an_uninstall_and_keeps_everything(
    live_app: LiveApp, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
):
    team_id = live_app.sender.team_id
    with Session(live_app.engine) as session:
        session.add(Workspace(team_id=team_id))
        session.commit()

    _send(live_app, live_app.sender, {"type": "app_uninstalled"})

    # The listener ran (after the ack) and told the operator their token is now useless.
    [said] = [
        r for r in caplog.records if r.name == "bot.install.service" and team_id in r.getMessage()
    ]
    assert said.levelname == "WARNING"
    assert said.getMessage() == (
        f"gatebot was uninstalled from team {team_id}; SLACK_BOT_TOKEN is dead"
    )
    workspace = _workspace(live_app.engine, team_id)
    assert workspace.uninstalled_at is None  # the operator's SLACK_BOT_TOKEN is not ours to drop
    assert _token_teams(live_app.engine) == {"slack_bots": [], "slack_installations": []}
