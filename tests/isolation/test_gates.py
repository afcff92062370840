"""/gate in two workspaces with the same channel, leads and project name: neither reaches over."""

from __future__ import annotations

import json
from typing import Any

from bot.demo.standin.slack_requests import SlackSender, selected, text_input
from bot.gates.blocks.decision import DECISION_CALLBACK
from bot.gates.blocks.prompt import ANSWER, DECIDE
from bot.gates.blocks.setup import SETUP_CALLBACK, setup_modal
from db.models.gates import GateReview, ReviewStatus
from tests.handlers.gate_steps import eventually, setup_values, submit_answers
from tests.isolation.teams import (
    ALPHA,
    BETA,
    CHANNEL,
    DS,
    PM,
    Teams,
    click,
    command,
    dm_after,
    everything,
    project_of,
    rows_of,
    set_up,
    shown,
    two_teams,
)
from tests.live_app import LiveApp

NAME = "Search ranking"  # both teams call their project this
REVIEW_NOT_FOUND = "can't find that gate review"


def _ask(teams: Teams, sender: SlackSender, text: str = "now") -> dict[str, Any]:
    """Run `/gate now` (or a phase move) as `sender`; return the review it posted."""
    live = teams.live
    asked = len(rows_of(live, sender.team_id)["reviews"])
    assert sender.command("/gate", text).status == 200

    def posted() -> dict[str, Any]:
        found = rows_of(live, sender.team_id)["reviews"]
        assert len(found) > asked and found[-1]["status"] == ReviewStatus.POSTED
        return found[-1]

    return eventually(posted)


def test_gate_commands_in_one_workspace_leave_the_other_alone(live_app: LiveApp):
    teams = two_teams(live_app)
    alpha = set_up(teams, teams.alpha, name=NAME, phase="iteration")
    beta = set_up(teams, teams.beta, name=NAME, phase="framing")
    beta_before = rows_of(live_app, BETA)

    review = _ask(teams, teams.alpha)
    submit_answers(
        live_app, GateReview(**review), teams.alpha, assumption="Dwell time predicts reads"
    )
    eventually(lambda: _answered(live_app, ALPHA))
    paused = command(live_app, teams.alpha, "/gate", "pause")
    reworded = command(
        live_app, teams.alpha, "/gate", "question sprint_review assumption Which bet is ALPHA's?"
    )
    _ask(teams, teams.alpha, "phase evaluation")

    assert alpha.id != beta.id and alpha.channel_id == beta.channel_id == CHANNEL
    assert "paused the scheduled gate prompts" in paused["text"]
    assert "Which bet is ALPHA's?" in reworded["text"]
    assert rows_of(live_app, BETA) == beta_before

    status = shown(command(live_app, teams.beta, "/gate", "status"))
    history = shown(command(live_app, teams.beta, "/gate", "history"))
    questions = command(live_app, teams.beta, "/gate", "question sprint_review")["text"]
    resumed = command(live_app, teams.beta, "/gate", "resume")["text"]

    assert "Problem framing" in status and "Open reviews:*\nnone" in status
    assert ":double_vertical_bar: paused" not in status
    assert "No gate reviews yet" in history
    assert "ALPHA's" not in questions and "_(your wording)_" not in questions
    assert "already running" in resumed
    assert rows_of(live_app, BETA) == beta_before
    alpha_now = project_of(live_app, ALPHA)
    assert alpha_now is not None
    assert (alpha_now.paused, alpha_now.phase) == (True, "evaluation")
    alpha_status = shown(command(live_app, teams.alpha, "/gate", "status"))
    assert "Evaluation design" in alpha_status and "paused" in alpha_status


def test_clicks_and_forms_naming_the_other_workspaces_records_change_nothing(
    live_app: LiveApp,
):
    teams = two_teams(live_app)
    alpha = set_up(teams, teams.alpha, name=NAME, phase="iteration")
    review = _ask(teams, teams.alpha)
    no_project = command(live_app, teams.beta, "/gate", "status")["text"]
    before = everything(live_app)

    # U0PM leads ALPHA's project; BETA's U0PM is someone else who only shares the id.
    answer_click = click(live_app, teams.beta, ANSWER, review["id"])
    decide_click = click(live_app, teams.beta, DECIDE, review["id"])
    # Each forged modal has its own view id, as each modal Slack opens does.
    answers_view = {
        "id": "V0FORGEDANSWERS",
        "callback_id": "gate_answers",
        "private_metadata": json.dumps({"review_id": review["id"], "required": []}),
    }
    answer_dm = _submit(
        live_app,
        teams.beta,
        answers_view,
        {"assumption": {"assumption": text_input("BETA's answer")}},
    )
    decision_view = {
        "id": "V0FORGEDDECISION",
        "callback_id": DECISION_CALLBACK,
        "private_metadata": json.dumps({"review_id": review["id"]}),
    }
    decision_values = {
        "decision": {"decision": selected("no_go")},
        "reason": {"reason": text_input("BETA decides ALPHA's review")},
    }
    decision_dm = _submit(live_app, teams.beta, decision_view, decision_values)
    setup_view = setup_modal(
        channel_id=CHANNEL, project=alpha, timezone=None, today=alpha.sprint_start
    ) | {"id": "V0FORGEDSETUP"}
    assert setup_view["callback_id"] == SETUP_CALLBACK
    setup_dm = _submit(
        live_app, teams.beta, setup_view, setup_values(name="Hijacked", pm_lead=PM, ds_lead=DS)
    )

    assert "No gate rituals are set up" in no_project  # BETA's C0TEAM is not ALPHA's
    assert REVIEW_NOT_FOUND in answer_click["text"] and REVIEW_NOT_FOUND in decide_click["text"]
    assert REVIEW_NOT_FOUND in answer_dm["text"] and REVIEW_NOT_FOUND in decision_dm["text"]
    assert "can't find the project" in setup_dm["text"]
    assert [c.args["view"]["callback_id"] for c in live_app.slack.calls("views.open")] == [
        SETUP_CALLBACK  # ALPHA's own set-up: no modal opened for BETA
    ]
    assert everything(live_app) == before


def _answered(live: LiveApp, team_id: str) -> None:
    assert rows_of(live, team_id)["answers"]


def _submit(
    live: LiveApp, sender: SlackSender, view: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    """Submit a modal as `sender`; return the DM that says what became of it."""
    return dm_after(live, sender, lambda: sender.submit_view(view, values))
