"""/hypothesis in two workspaces that share a channel id and user ids: each sees only its own."""

from __future__ import annotations

from sqlmodel import Session

from bot.demo.standin.slack_requests import SlackSender, selected, text_input
from bot.hypotheses.blocks import DISCARD, EDIT, SAVE, modal
from db.models import Hypothesis, HypothesisStatus
from tests.isolation.teams import (
    CHANNEL,
    Teams,
    click,
    command,
    dm_after,
    everything,
    shown,
    two_teams,
)
from tests.live_app import LiveApp

ALPHA_TEXT = (
    "Semantic search will cut zero-result queries from 9% to under 5% of searches "
    "within 30 days of launch."
)
BETA_TEXT = (
    "Ranking by dwell time will raise articles read per visit from 2.1 to 2.3 "
    "within a four-week A/B test."
)
NOT_FOUND = "can't find that hypothesis"


def _draft(teams: Teams, sender: SlackSender, text: str) -> int:
    """Check a statement as `sender`; return the id its Save button carries."""
    message = command(teams.live, sender, "/hypothesis", text)
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    return int(next(e["value"] for e in actions["elements"] if e["action_id"] == SAVE))


def _status(live: LiveApp, hypothesis_id: int) -> str:
    with Session(live.engine) as session:
        hypothesis = session.get(Hypothesis, hypothesis_id)
        assert hypothesis is not None
        return hypothesis.status


def test_each_workspace_lists_and_saves_only_its_own_hypotheses(live_app: LiveApp):
    teams = two_teams(live_app)
    alpha_id = _draft(teams, teams.alpha, ALPHA_TEXT)
    beta_id = _draft(teams, teams.beta, BETA_TEXT)

    saved = click(live_app, teams.alpha, SAVE, alpha_id)
    alpha_list = shown(command(live_app, teams.alpha, "/hypothesis", "list"))
    beta_list = shown(command(live_app, teams.beta, "/hypothesis", "list"))

    assert f"Saved hypothesis #{alpha_id}" in saved["text"]
    assert f"#{alpha_id}" in alpha_list and "zero-result queries" in alpha_list
    assert "No hypotheses on record" in beta_list and "zero-result" not in beta_list
    assert _status(live_app, beta_id) == HypothesisStatus.DRAFT

    click(live_app, teams.beta, SAVE, beta_id)
    alpha_list = shown(command(live_app, teams.alpha, "/hypothesis", "list"))
    beta_list = shown(command(live_app, teams.beta, "/hypothesis", "list"))

    assert "dwell time" in beta_list and "zero-result" not in beta_list
    assert "zero-result" in alpha_list and "dwell time" not in alpha_list
    assert f"#{beta_id}" not in alpha_list and f"#{alpha_id}" not in beta_list


def test_buttons_and_forms_naming_the_other_workspaces_hypothesis_change_nothing(
    live_app: LiveApp,
):
    teams = two_teams(live_app)
    alpha_draft = _draft(teams, teams.alpha, ALPHA_TEXT)
    before = everything(live_app)

    told = [click(live_app, teams.beta, action, alpha_draft) for action in (SAVE, EDIT, DISCARD)]
    # An Edit modal as BETA would see it, were it pointed at ALPHA's draft.
    forged = modal(channel_id=CHANNEL, replaces=alpha_draft) | {"id": "V0FORGEDEDIT"}
    values = {
        "change": {"change": text_input("ranking by dwell time")},
        "outcome_metric": {"outcome_metric": text_input("articles read per visit")},
        "direction": {"direction": selected("increase")},
        "magnitude": {"magnitude": text_input("from 2.1 to 2.3")},
    }
    dm = dm_after(live_app, teams.beta, lambda: teams.beta.submit_view(forged, values))

    for message in told:
        assert NOT_FOUND in message["text"]
    assert NOT_FOUND in dm["text"]
    assert live_app.slack.calls("views.open") == []
    assert everything(live_app) == before
    # The id was real: ALPHA itself saves that draft.
    assert (
        f"Saved hypothesis #{alpha_draft}"
        in click(live_app, teams.alpha, SAVE, alpha_draft)["text"]
    )
