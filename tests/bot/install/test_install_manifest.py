"""Installing gatebot in many workspaces through Slack's OAuth flow, over real HTTP.

The browser's steps are real (install page, state cookie, redirect); Slack's approval screen
is the stand-in's one-time code for the team, traded at the stand-in's oauth.v2.access.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from base64 import b64decode
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from slack_sdk import WebClient
from sqlalchemy import Engine, select, update
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from bot.clock.runner import run_once
from bot.core.sealing import Sealer
from bot.demo.standin.install_browser import page_words
from bot.demo.standin.slack import SlackStandIn
from bot.install.service import REDIRECT_PATH
from bot.metrics import tokens
from db.models import Workspace
from db.models.gates import GateReview, Project
from db.models.slack import bots, installations, oauth_states
from tests.install_flow import Page, get, open_install_page, redirect
from tests.live_app import OAUTH_SETTINGS, SEAL_KEY, LiveApp
from tests.metric_helpers import define, make_project


@pytest.fixture
def oauth_app(start_app: Callable[..., LiveApp]) -> LiveApp:
    """The app in OAuth mode: no bot token, installs at /slack/install."""
    return start_app(oauth=True)


def _bot_rows(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(select(bots)).mappings()]


def _states(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(oauth_states.c.state)).scalars())


def _manifest() -> dict[str, Any]:
    return yaml.safe_load((Path(__file__).parents[3] / "manifest.yml").read_text())


def _manifest_scopes() -> list[str]:
    return _manifest()["oauth_config"]["scopes"]["bot"]


def test_the_install_page_links_to_slack_with_a_state_and_sets_it_as_a_cookie(
    oauth_app: LiveApp,
):
    start = open_install_page(oauth_app.url)

    link = urlsplit(start.authorize_url)
    query = parse_qs(link.query)
    assert f"{link.scheme}://{link.netloc}{link.path}" == "https://slack.com/oauth/v2/authorize"
    assert query["client_id"] == [OAUTH_SETTINGS["slack_client_id"]]
    assert query["scope"][0].split(",") == _manifest_scopes()
    assert start.cookie == f"slack-app-oauth-state={start.state}"
    assert _states(oauth_app.engine) == [start.state]  # kept until used or expired


def test_an_install_stores_the_team_token_and_says_so(oauth_app: LiveApp, slack: SlackStandIn):
    result = oauth_app.install("T0ACME", name="Acme & Co")

    assert result.landing.status == 200
    assert "gatebot is installed" in result.landing.body
    assert "Acme &amp; Co" in result.landing.body  # the team's name, escaped
    [bot] = _bot_rows(oauth_app.engine)
    assert (bot["team_id"], bot["team_name"]) == ("T0ACME", "Acme & Co")
    assert Sealer([SEAL_KEY]).open(bot["bot_token"]) == slack.token_for("T0ACME")
    assert bot["client_id"] == OAUTH_SETTINGS["slack_client_id"]
    [exchange] = slack.calls("oauth.v2.access")  # the app's credentials go as Basic auth
    basic = exchange.headers["authorization"].removeprefix("Basic ")
    assert b64decode(basic).decode() == (
        f"{OAUTH_SETTINGS['slack_client_id']}:{OAUTH_SETTINGS['slack_client_secret']}"
    )
    assert _states(oauth_app.engine) == []  # the state was used up
    with Session(oauth_app.engine) as session:
        [workspace] = session.exec(sqlmodel_select(Workspace)).all()
    assert (workspace.team_id, workspace.name, workspace.uninstalled_at) == (
        "T0ACME",
        "Acme & Co",
        None,
    )


def test_a_state_used_twice_is_refused_with_a_page_that_says_why(
    oauth_app: LiveApp, slack: SlackStandIn
):
    first = oauth_app.install("T0ACME")
    again = redirect(
        oauth_app.url,
        code=slack.install_code("T0EVIL"),
        state=first.start.state,
        cookie=first.start.cookie,
    )

    assert again.status == 401
    assert "gatebot was not installed" in again.body
    assert "expired or was already used" in again.body
    assert [row["team_id"] for row in _bot_rows(oauth_app.engine)] == ["T0ACME"]


def test_an_expired_state_is_refused(oauth_app: LiveApp, slack: SlackStandIn):
    start = open_install_page(oauth_app.url)
    with oauth_app.engine.begin() as connection:  # ten minutes pass
        connection.execute(
            update(oauth_states).values(expire_at=datetime.now(UTC).replace(tzinfo=None))
        )

    landing = redirect(
        oauth_app.url, code=slack.install_code("T0ACME"), state=start.state, cookie=start.cookie
    )

    assert landing.status == 401
    assert "expired or was already used" in landing.body
    assert _bot_rows(oauth_app.engine) == []


def test_a_forged_state_is_refused_even_with_a_matching_cookie(
    oauth_app: LiveApp, slack: SlackStandIn
):
    forged = "made-up-nonce." + "0" * 64

    landing = redirect(
        oauth_app.url,
        code=slack.install_code("T0ACME"),
        state=forged,
        cookie=f"slack-app-oauth-state={forged}",
    )

    assert landing.status == 401
    assert "expired or was already used" in landing.body
    assert slack.calls("oauth.v2.access") == []  # refused before Slack was asked
    assert _bot_rows(oauth_app.engine) == []


def test_a_redirect_without_the_state_cookie_is_refused(oauth_app: LiveApp, slack: SlackStandIn):
    start = open_install_page(oauth_app.url)

    landing = redirect(
        oauth_app.url, code=slack.install_code("T0ACME"), state=start.state, cookie=None
    )

    assert landing.status == 400
    assert "without the cookie the install started with" in landing.body
    assert _bot_rows(oauth_app.engine) == []


def test_a_code_slack_refuses_gives_a_clear_page(oauth_app: LiveApp, slack: SlackStandIn):
    start = open_install_page(oauth_app.url)
    slack.fail("oauth.v2.access", "invalid_code", times=1)

    landing = redirect(oauth_app.url, code="stale", state=start.state, cookie=start.cookie)

    assert landing.status == 401
    assert "Slack did not accept the install code" in landing.body
    assert _bot_rows(oauth_app.engine) == []


def test_a_cancelled_install_changes_nothing(oauth_app: LiveApp):
    landing = get(f"{oauth_app.url}/slack/oauth_redirect?error=access_denied&state=x")

    assert "The install was cancelled in Slack" in landing.body
    assert _bot_rows(oauth_app.engine) == []


def test_each_team_is_answered_with_its_own_token(oauth_app: LiveApp, slack: SlackStandIn):
    oauth_app.install("T0ACME")
    oauth_app.install("T0BETA")

    for team in ("T0ACME", "T0BETA"):
        reply = oauth_app.sender_for(team).command("/hypothesis")  # opens the form
        assert reply.status == 200
    slack.wait_for("views.open", count=2)

    for team in ("T0ACME", "T0BETA"):
        [opened] = slack.calls("views.open", team=team)
        assert opened.token == slack.token_for(team)
    assert slack.token_for("T0ACME") != slack.token_for("T0BETA")


def test_a_team_that_never_installed_is_told_to_install(oauth_app: LiveApp, slack: SlackStandIn):
    oauth_app.install("T0ACME")

    reply = oauth_app.sender_for("T0STRANGER").command("/hypothesis")

    assert reply.status == 200
    [told] = slack.calls("response_url")  # only the person who typed the command sees it
    assert "gatebot is not installed in this workspace" in told.args["text"]
    assert slack.calls("views.open") == []


def test_single_workspace_mode_serves_no_install_pages(live_app: LiveApp):
    assert get(f"{live_app.url}/slack/install").status == 404
    assert get(f"{live_app.url}/slack/oauth_redirect?code=x&state=y").status == 404


def _due_project(engine: Engine, team_id: str, channel_id: str) -> None:
    """A one-day sprint project of `team_id` whose prompt went out a minute ago."""
    due = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    with Session(engine) as session:
        query = sqlmodel_select(Workspace).where(Workspace.team_id == team_id)
        workspace = session.exec(query).first()
        if workspace is None:
            workspace = Workspace(team_id=team_id)
            session.add(workspace)
            session.flush()
        session.add(
            Project(
                workspace_id=workspace.id,  # type: ignore[arg-type]
                name=f"Ranking {team_id}",
                channel_id=channel_id,
                sprint_length_days=1,
                sprint_start=due.date(),
                timezone="UTC",
                prompt_time=due.time(),
                phase="iteration",
                created_at=due - timedelta(days=1),
                updated_at=due - timedelta(days=1),
            )
        )
        session.commit()


def test_the_clock_posts_to_each_team_with_its_own_token(oauth_app: LiveApp, slack: SlackStandIn):
    oauth_app.install("T0ACME")
    oauth_app.install("T0BETA")
    for team, channel in (("T0ACME", "C0ACME"), ("T0BETA", "C0BETA"), ("T0GONE", "C0GONE")):
        _due_project(oauth_app.engine, team, channel)

    report = run_once(settings=oauth_app.settings, engine=oauth_app.engine)

    assert report.posted == 2
    posts = {call.args["channel"]: call.token for call in slack.calls("chat.postMessage")}
    assert posts == {"C0ACME": slack.token_for("T0ACME"), "C0BETA": slack.token_for("T0BETA")}
    with Session(oauth_app.engine) as session:
        query = sqlmodel_select(GateReview).join(Project).where(Project.channel_id == "C0GONE")
        review = session.exec(query).one()
    assert "gatebot is not installed in Slack workspace T0GONE" in (review.error or "")


def _install_granting(live: LiveApp, slack: SlackStandIn, team_id: str, **grants: bool) -> Page:
    """Install as a browser does, Slack's exchange granting more than gatebot asked for."""
    start = open_install_page(live.url)
    code = slack.install_code(team_id, **grants)
    return redirect(live.url, code=code, state=start.state, cookie=start.cookie)


def test_installations_table_keeps_no_user_tokens(oauth_app: LiveApp, slack: SlackStandIn):
    # An app given user scopes in its settings: Slack's exchange then carries a user token.
    granted = WebClient(base_url=slack.api_url).oauth_v2_access(
        client_id="c", client_secret="s", code=slack.install_code("T0OTHER", user_token=True)
    )
    assert str(granted["authed_user"]["access_token"]).startswith("xoxp-")

    landing = _install_granting(oauth_app, slack, "T0ACME", user_token=True)

    assert landing.status == 200 and "gatebot is installed" in landing.body
    with oauth_app.engine.connect() as connection:
        [row] = connection.execute(select(installations)).mappings().all()
    assert (row["user_id"], row["user_token"], row["user_scopes"]) == ("U0INSTALLER", None, None)
    assert Sealer([SEAL_KEY]).open(row["bot_token"]) == slack.token_for("T0ACME")


def test_an_app_with_token_rotation_on_is_refused_with_a_page_that_says_why(
    oauth_app: LiveApp, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
):
    landing = _install_granting(oauth_app, slack, "T0ACME", rotation=True)

    assert landing.status == 400
    words = page_words(landing)
    assert "gatebot was not installed" in words
    assert "This Slack app has token rotation turned on" in words
    assert "manifest.yml" in words
    assert _bot_rows(oauth_app.engine) == []
    assert "refused the install of team T0ACME: the Slack app has token rotation on" in caplog.text
    reply = oauth_app.sender_for("T0ACME").command("/hypothesis")  # not installed: told so
    assert reply.status == 200
    [told] = slack.wait_for("response_url")
    assert "gatebot is not installed in this workspace" in told.args["text"]


def test_no_token_or_secret_reaches_the_logs(
    oauth_app: LiveApp, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)

    oauth_app.install("T0ACME")
    oauth_app.sender_for("T0ACME").command("/hypothesis")
    slack.wait_for("views.open")
    oauth_app.sender_for("T0ACME").event({"type": "app_uninstalled"})
    oauth_app.drain()

    token = slack.token_for("T0ACME")
    assert token and "T0ACME" in caplog.text  # the install was logged, by team
    for secret in (
        token,
        OAUTH_SETTINGS["slack_client_secret"],
        OAUTH_SETTINGS["slack_state_secret"],
    ):
        assert secret not in caplog.text


def test_the_manifest_sends_the_installer_back_and_subscribes_to_uninstalls():
    manifest = _manifest()

    [redirect_url] = manifest["oauth_config"]["redirect_urls"]
    assert urlsplit(redirect_url).path == REDIRECT_PATH
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)


def test_an_escape_alert_from_the_api_goes_out_with_the_team_token(
    oauth_app: LiveApp, slack: SlackStandIn
):
    oauth_app.install("T0ACME")
    oauth_app.install("T0BETA")
    with Session(oauth_app.engine) as session:
        project = make_project(session, team_id="T0BETA", channel_id="C0BETA")
        define(session, project, "relevance_rating")
        token = tokens.create(session=session, project_id=project.id, created_by="U0PM")  # type: ignore[arg-type]
        session.commit()
    today = datetime.now(UTC).date()
    week = [
        {"name": "relevance_rating", "value": 0.78, "at": (today - timedelta(days=d)).isoformat()}
        for d in range(7, 0, -1)
    ]
    breach = {"name": "relevance_rating", "value": 0.70, "at": today.isoformat()}

    request = urllib.request.Request(  # noqa: S310 (the app's own local URL)
        f"{oauth_app.url}/api/v1/metrics",
        data=json.dumps({"samples": [*week, breach]}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token.plaintext}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 200

    [alert] = slack.wait_for("chat.postMessage", timeout=15)
    assert (alert.args["channel"], alert.token) == ("C0BETA", slack.token_for("T0BETA"))
