"""The same click or modal submission twice (double-clicks, resends): one row, one post.

Each case runs one after the other and at once (two threads), through the real app.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.demo.standin.slack_requests import Reply, selected, text_input
from bot.gates.blocks.decision import DECISION_CALLBACK
from bot.gates.blocks.prompt import DECIDE
from bot.hypotheses.blocks import DISCARD, SAVE
from db.models import Hypothesis, HypothesisStatus
from db.models.gates import Project
from tests.handlers.gate_steps import (
    answer_modal,
    answers,
    ask,
    open_setup,
    reviews,
    set_up,
    setup_values,
)
from tests.handlers.test_hypothesis_command import FALSIFIABLE
from tests.live_app import LiveApp

MODES = ["one after the other", "at once"]


def _twice(mode: str, send: Callable[[], Reply]) -> list[Reply]:
    if mode == "at once":
        with ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(lambda _: send(), range(2)))
    else:
        replies = [send(), send()]
    assert [r.status for r in replies] == [200, 200]
    return replies


def _hypotheses(live: LiveApp) -> list[Hypothesis]:
    with Session(live.engine) as session:
        return list(session.exec(select(Hypothesis).order_by(Hypothesis.id)))


def _posts(live: LiveApp) -> list[dict[str, Any]]:
    return [c.args for c in live.slack.calls("chat.postMessage")]


def _draft(live: LiveApp) -> Hypothesis:
    live.sender.command("/hypothesis", FALSIFIABLE)
    live.slack.wait_for("response_url")
    [draft] = _hypotheses(live)
    return draft


@pytest.mark.parametrize("mode", MODES)
def test_save_clicked_twice_saves_and_posts_once(live_app: LiveApp, mode: str):
    draft = _draft(live_app)

    _twice(mode, lambda: live_app.sender.click(SAVE, str(draft.id)))
    live_app.drain()

    assert len(_posts(live_app)) == 1
    [saved] = _hypotheses(live_app)
    assert saved.status == HypothesisStatus.OPEN and saved.message_ts
    notes = sorted(c.args["text"] for c in live_app.slack.calls("response_url")[1:])
    assert len(notes) == 2 and "and posted it to" in notes[0] and "already saved" in notes[1]


@pytest.mark.parametrize("mode", MODES)
def test_discard_clicked_twice_discards_once_and_posts_nothing(live_app: LiveApp, mode: str):
    draft = _draft(live_app)

    _twice(mode, lambda: live_app.sender.click(DISCARD, str(draft.id)))
    live_app.drain()

    assert _posts(live_app) == []
    assert [h.status for h in _hypotheses(live_app)] == [HypothesisStatus.DISCARDED]
    notes = sorted(c.args["text"] for c in live_app.slack.calls("response_url")[1:])
    assert notes == ["Discarded. Nothing was saved.", f"Hypothesis #{draft.id} was discarded."]


@pytest.mark.parametrize("mode", MODES)
def test_the_hypothesis_form_submitted_twice_saves_and_posts_once(live_app: LiveApp, mode: str):
    live_app.sender.command("/hypothesis", "")
    view = live_app.slack.wait_for("views.open")[0].args["view"] | {"id": "V0HYPOTHESIS"}
    values = {
        "change": {"change": text_input("ranking by predicted dwell time")},
        "outcome_metric": {"outcome_metric": text_input("articles read per visit")},
        "direction": {"direction": selected("increase")},
        "magnitude": {"magnitude": text_input("from 2.1 to 2.3")},
        "time_window": {"time_window": text_input("a four-week A/B test")},
    }

    replies = _twice(mode, lambda: live_app.sender.submit_view(view, values))
    live_app.drain()

    assert [r.body for r in replies] == ["", ""]  # both close the modal
    [saved] = _hypotheses(live_app)
    assert saved.status == HypothesisStatus.OPEN and saved.message_ts
    assert len(_posts(live_app)) == 1
    assert len(live_app.slack.calls("chat.postEphemeral")) == 1  # one "Saved" to the author


@pytest.mark.parametrize("mode", MODES)
def test_the_setup_form_submitted_twice_makes_one_project_and_one_notice(
    live_app: LiveApp, mode: str
):
    view = open_setup(live_app) | {"id": "V0SETUP"}
    ids = {b.get("block_id") for b in view["blocks"]}
    values = setup_values(timezone_block="timezone" if "timezone" in ids else "timezone_pending")

    replies = _twice(mode, lambda: live_app.sender.submit_view(view, values))
    live_app.drain()

    assert [r.body for r in replies] == ["", ""]
    with Session(live_app.engine) as session:
        assert [p.name for p in session.exec(select(Project))] == ["Search ranking"]
    posts = _posts(live_app)
    assert [p["channel"] for p in posts] == ["C0TEAM"]  # the notice; no DM about an error
    assert "Search ranking" in posts[0]["text"]


@pytest.mark.parametrize("mode", MODES)
def test_answers_submitted_twice_are_kept_once_with_one_summary(live_app: LiveApp, mode: str):
    set_up(live_app)
    review, _ = ask(live_app)
    view = answer_modal(live_app, review, live_app.sender) | {"id": "V0ANSWERS"}
    state = {
        "assumption": {"assumption": {"type": "plain_text_input", "value": "Dwell time ranks"}},
        "data_blockers": {"data_blockers": {"type": "plain_text_input", "value": "None"}},
    }
    posts = len(_posts(live_app))

    _twice(mode, lambda: live_app.sender.submit_view(view, state))
    live_app.drain()

    assert sorted(a.question_key for a in answers(live_app)) == ["assumption", "data_blockers"]
    summaries = _posts(live_app)[posts:]
    assert len(summaries) == 1 and summaries[0]["thread_ts"] == review.message_ts
    assert live_app.slack.calls("chat.update") == []
    assert reviews(live_app)[0].summary_ts is not None


@pytest.mark.parametrize("mode", MODES)
def test_a_decision_submitted_twice_is_posted_once(live_app: LiveApp, mode: str):
    set_up(live_app)
    review, _ = ask(live_app)
    live_app.sender.click(DECIDE, str(review.id), message_ts=review.message_ts)
    view = live_app.slack.wait_for("views.open", count=2)[-1].args["view"] | {"id": "V0DECIDE"}
    assert view["callback_id"] == DECISION_CALLBACK
    state = {"decision": {"decision": selected("go")}, "reason": {"reason": text_input("Won.")}}
    posts = len(_posts(live_app))

    _twice(mode, lambda: live_app.sender.submit_view(view, state))
    live_app.drain()

    decisions = _posts(live_app)[posts:]
    assert len(decisions) == 1 and decisions[0]["thread_ts"] == review.message_ts
    assert "recorded the decision" in decisions[0]["text"]
    stored = reviews(live_app)[0]
    assert (stored.decision, stored.decision_reason) == ("go", "Won.")
