"""Hypothesis links and the weekly digest in two look-alike workspaces: each shows only its own."""

from __future__ import annotations

from sqlmodel import Session

from bot.hypotheses.blocks import SAVE
from db.models import Hypothesis
from tests.isolation.teams import (
    ALPHA,
    BETA,
    click,
    command,
    eventually,
    project_of,
    rows_of,
    set_up,
    shown,
    two_teams,
)
from tests.live_app import LiveApp

NAME = "Search ranking"
RELEVANCE = "define relevance_rating model_health higher_is_better warn=0.75 breach=0.72"
STATEMENT = (
    "Semantic search will raise relevance_rating from 0.70 to 0.76 for logged-in shoppers "
    "within 4 weeks of launch."
)


def _deciding_metric(live: LiveApp, hypothesis_id: int) -> int | None:
    with Session(live.engine) as session:
        hypothesis = session.get(Hypothesis, hypothesis_id)
        assert hypothesis is not None
        return hypothesis.deciding_metric_id


def test_links_and_digests_use_only_their_own_workspaces_records(live_app: LiveApp):
    teams = two_teams(live_app)
    set_up(teams, teams.alpha, name=NAME)
    set_up(teams, teams.beta, name=NAME)
    command(live_app, teams.alpha, "/metric", RELEVANCE)
    command(live_app, teams.alpha, "/metric", "define alpha_signal product higher breach=0.1")
    command(live_app, teams.beta, "/metric", RELEVANCE)
    verdict = command(live_app, teams.alpha, "/hypothesis", STATEMENT)
    actions = next(b for b in verdict["blocks"] if b["type"] == "actions")
    hypothesis_id = int(actions["elements"][0]["value"])
    click(live_app, teams.alpha, SAVE, hypothesis_id)

    foreign = shown(
        command(live_app, teams.beta, "/metric", f"link #{hypothesis_id} relevance_rating 0.7 0.8")
    )
    assert "can't find that hypothesis" in foreign
    assert _deciding_metric(live_app, hypothesis_id) is None

    linked = shown(
        command(
            live_app, teams.alpha, "/metric", f"link #{hypothesis_id} relevance_rating 0.7 0.76"
        )
    )
    [alpha_relevance] = [
        m for m in rows_of(live_app, ALPHA)["metrics"] if m["name"] != "alpha_signal"
    ]
    assert f"linked hypothesis #{hypothesis_id}" in linked
    assert _deciding_metric(live_app, hypothesis_id) == alpha_relevance["id"]

    alpha_preview = shown(command(live_app, teams.alpha, "/digest", "preview"))
    beta_preview = shown(command(live_app, teams.beta, "/digest", "preview"))

    assert "alpha_signal" in alpha_preview and f"#{hypothesis_id}" in alpha_preview
    assert "alpha_signal" not in beta_preview and f"#{hypothesis_id}" not in beta_preview
    assert "none open names a deciding metric" in beta_preview

    compact = command(live_app, teams.alpha, "/digest", "compact on")
    alpha_before = rows_of(live_app, ALPHA)
    assert teams.beta.command("/digest", "now").status == 200
    # The first digest in a process imports the statistics it judges trends with: seconds.
    eventually(lambda: _posted(live_app, BETA), timeout=30)

    assert "made the weekly digest" in compact["text"]
    alpha, beta = project_of(live_app, ALPHA), project_of(live_app, BETA)
    assert alpha is not None and beta is not None
    assert (alpha.digest_compact, beta.digest_compact) == (True, False)
    assert rows_of(live_app, ALPHA) == alpha_before  # BETA's digest run is BETA's alone
    [post] = [
        c.args
        for c in live_app.slack.calls("chat.postMessage")
        if "Weekly digest" in str(c.args.get("text"))
    ]
    assert "alpha_signal" not in str(post["blocks"])


def _posted(live: LiveApp, team_id: str) -> None:
    runs = rows_of(live, team_id)["digests"]
    assert len(runs) == 1 and runs[0]["status"] == "posted", runs  # eventually retries asserts
