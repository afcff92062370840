"""Shared metrics, ingestion tokens and the API in two workspaces using the same metric names."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

from bot.demo.standin.slack_requests import SlackSender
from tests.isolation.teams import (
    ALPHA,
    BETA,
    Teams,
    click,
    command,
    rows_of,
    set_up,
    shown,
    two_teams,
)
from tests.live_app import LiveApp

NAME = "Search ranking"
RELEVANCE = "define relevance_rating model_health higher_is_better"


def _both_with_metrics(live: LiveApp) -> Teams:
    """Set up both teams' projects with a `relevance_rating` each; ALPHA also `alpha_signal`."""
    teams = two_teams(live)
    set_up(teams, teams.alpha, name=NAME)
    set_up(teams, teams.beta, name=NAME)
    alpha = command(live, teams.alpha, "/metric", f"{RELEVANCE} warn=0.75 breach=0.72")
    command(live, teams.alpha, "/metric", "define alpha_signal product higher breach=0.1")
    beta = command(live, teams.beta, "/metric", f"{RELEVANCE} warn=0.6 breach=0.5")
    for defined in (alpha, beta):  # the same name is free in each workspace
        assert "`relevance_rating`" in shown(defined) and "already defined" not in shown(defined)
    return teams


def _values(live: LiveApp, team_id: str) -> list[float]:
    return [sample["value"] for sample in rows_of(live, team_id)["samples"]]


def _post(live: LiveApp, token: str, *samples: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 (the app's own local URL)
        f"{live.url}/api/v1/metrics",
        data=json.dumps({"samples": list(samples)}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _token(live: LiveApp, sender: SlackSender) -> str:
    """Create an ingestion token with /metric token as `sender`; return its plaintext."""
    message = shown(command(live, sender, "/metric", "token"))
    found = re.search(r"gbt_[A-Za-z0-9_-]{40,}", message)
    assert found is not None
    return found.group(0)


def test_same_named_metrics_stay_apart_and_the_other_workspaces_are_unknown(live_app: LiveApp):
    teams = _both_with_metrics(live_app)
    command(live_app, teams.alpha, "/metric", "record relevance_rating 0.8")
    alpha_before = rows_of(live_app, ALPHA)

    listed = shown(command(live_app, teams.beta, "/metric", "list"))
    updated = shown(command(live_app, teams.beta, "/metric", "update alpha_signal warn=0.2"))
    recorded = shown(command(live_app, teams.beta, "/metric", "record alpha_signal 0.3"))
    typo = shown(command(live_app, teams.beta, "/metric", "record alpha_signa 0.3"))
    guard = shown(
        command(
            live_app,
            teams.beta,
            "/metric",
            "define guard product higher breach=0.1 guardrail-of=alpha_signal max-drop=2%",
        )
    )
    own = shown(command(live_app, teams.beta, "/metric", "record relevance_rating 0.55"))

    assert "breach below 0.50" in listed and "0.72" not in listed
    assert "alpha_signal" not in listed and "latest" not in listed
    for refused in (updated, recorded, guard):
        assert "This project has no metric `alpha_signal`" in refused
    assert "no metric `alpha_signa`" in typo and "alpha_signal" not in typo  # no hint across
    assert "Recorded `relevance_rating` = 0.55" in own
    assert rows_of(live_app, ALPHA) == alpha_before
    assert _values(live_app, ALPHA) == [0.8] and _values(live_app, BETA) == [0.55]
    [beta_metric] = rows_of(live_app, BETA)["metrics"]
    assert beta_metric["name"] == "relevance_rating" and beta_metric["breach_threshold"] == 0.5
    alpha_listed = shown(command(live_app, teams.alpha, "/metric", "list"))
    assert "latest 0.80" in alpha_listed and "0.55" not in alpha_listed


def test_tokens_and_the_api_reach_only_their_own_workspaces_metrics(live_app: LiveApp):
    teams = _both_with_metrics(live_app)
    alpha_token = _token(live_app, teams.alpha)
    beta_token = _token(live_app, teams.beta)
    alpha_prefix = alpha_token[:12]

    beta_tokens = shown(command(live_app, teams.beta, "/metric", "token list"))
    foreign_revoke = shown(command(live_app, teams.beta, "/metric", f"token revoke {alpha_prefix}"))

    assert beta_token[:12] in beta_tokens and alpha_prefix not in beta_tokens
    assert f"No active ingestion token starting with `{alpha_prefix}`" in foreign_revoke
    day = {"at": "2026-03-02"}
    assert _post(live_app, alpha_token, {"name": "relevance_rating", "value": 0.9, **day})[0] == 200
    assert _post(live_app, beta_token, {"name": "relevance_rating", "value": 0.4, **day})[0] == 200
    assert _values(live_app, ALPHA) == [0.9] and _values(live_app, BETA) == [0.4]

    unknown = _post(live_app, beta_token, {"name": "alpha_signal", "value": 1, **day})
    typo = _post(live_app, beta_token, {"name": "alpha_signa", "value": 1, **day})
    hinted = _post(live_app, alpha_token, {"name": "alpha_signa", "value": 1, **day})

    assert unknown[0] == typo[0] == 422
    assert "no metric named 'alpha_signal' in this project" in json.dumps(unknown[1])
    assert "alpha_signal" not in json.dumps(typo[1])  # no hint from ALPHA's names
    assert "did you mean 'alpha_signal'?" in json.dumps(hinted[1])  # the control
    assert _values(live_app, ALPHA) == [0.9] and _values(live_app, BETA) == [0.4]

    asked = command(live_app, teams.alpha, "/metric", "token revoke")
    assert "This revokes *all 1* active ingestion token" in shown(asked)  # ALPHA's only
    [confirmed] = [e for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]]
    revoked = shown(click(live_app, teams.alpha, confirmed["action_id"], confirmed["value"]))

    assert "Revoked 1 ingestion token" in revoked
    assert _post(live_app, alpha_token, {"name": "relevance_rating", "value": 1, **day})[0] == 401
    assert _post(live_app, beta_token, {"name": "relevance_rating", "value": 0.45, **day})[0] == 200
    [beta_row] = rows_of(live_app, BETA)["tokens"]
    assert beta_row["revoked_at"] is None and beta_row["last_used_at"] is not None
