"""Answering a gate through the real app: the modal, the nudge, the thread's summary."""

from __future__ import annotations

import json
import re

from slack_sdk.models.views import View
from sqlmodel import Session

from bot.core.time import as_utc
from bot.escapes.deciders import deciders_for
from bot.gates.blocks.prompt import ANSWER
from db.models.gates import GateAnswer, Project
from tests.handlers.gate_steps import (
    DS,
    OTHER,
    PM,
    answer_modal,
    answers,
    ask,
    eventually,
    metadata,
    person,
    reviews,
    set_up,
    submit_answers,
    texts,
)
from tests.live_app import LiveApp

VAGUE = "Make the ranking smarter."
SHARP = (
    "If purchases per search session do not rise from 3.1% to at least 3.3% within the "
    "two-week A/B test, the assumption is wrong."
)


def _stored(live: LiveApp, count: int) -> list[GateAnswer]:
    def check() -> list[GateAnswer]:
        found = answers(live)
        assert len(found) == count
        return found

    return eventually(check)


def test_answer_opens_the_gates_questions(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)

    view = answer_modal(live_app, review, person(live_app, OTHER))

    keys = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert keys == ["assumption", "prove_wrong", "uncertainty", "data_blockers"]
    assert "boundary review: Search ranking" in texts(view["blocks"])
    assert metadata(view) == {
        "review_id": review.id,
        "claims": ["assumption", "prove_wrong"],
        "required": [],
        "had_answers": False,
    }
    View(**view).validate_json()


def test_answers_are_stored_vague_ones_nudged_and_summarised_in_the_thread(live_app: LiveApp):
    set_up(live_app)
    review, prompt = ask(live_app)
    answerer = person(live_app, OTHER)

    reply = submit_answers(live_app, review, answerer, assumption=VAGUE, prove_wrong=SHARP)

    assert reply == {}
    nudge = live_app.slack.wait_for("chat.postEphemeral")[0].args
    assert (nudge["channel"], nudge["user"]) == ("C0TEAM", OTHER)
    assert "What assumption are we testing this sprint?" in nudge["text"]
    assert "Missing:* outcome metric" in nudge["text"]
    assert "A version that could be proved wrong" in nudge["text"]
    assert "We believe" in nudge["text"]
    stored = {a.question_key: a for a in _stored(live_app, 2)}
    assert stored["assumption"].user_id == OTHER and stored["assumption"].vague is True
    assert stored["prove_wrong"].vague is False and stored["prove_wrong"].text == SHARP
    summary = live_app.slack.wait_for("chat.postMessage", count=3)[-1].args
    assert summary["thread_ts"] == review.message_ts
    shown = texts(summary["blocks"])
    assert "Answers so far" in shown and f"<@{OTHER}>: {VAGUE}" in shown
    assert "vague: missing outcome metric" in shown
    assert "Not answered yet: 3. Are we reducing uncertainty" in shown
    assert "2 answers from 1 person" in shown
    assert eventually(lambda: _summary_ts(live_app))


def _summary_ts(live: LiveApp) -> str:
    ts = reviews(live)[0].summary_ts
    assert ts
    return ts


def test_a_second_answer_updates_the_one_summary(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    submit_answers(live_app, review, person(live_app, OTHER), prove_wrong=SHARP)
    first_ts = eventually(lambda: _summary_ts(live_app))

    submit_answers(live_app, review, person(live_app, DS), uncertainty="Reducing: we learn X.")

    update = live_app.slack.wait_for("chat.update")[0].args
    assert update["ts"] == first_ts and update["channel"] == "C0TEAM"
    shown = texts(update["blocks"])
    assert f"<@{OTHER}>: If purchases" in shown and f"<@{DS}>: Reducing" in shown
    assert "2 answers from 2 people" in shown
    assert len(live_app.slack.calls("chat.postMessage")) == 3  # set-up, prompt, one summary
    assert live_app.slack.calls("chat.postEphemeral") == []  # nothing vague


def test_editing_prefills_keeps_who_and_when_and_a_cleared_answer_is_withdrawn(
    live_app: LiveApp,
):
    set_up(live_app)
    review, _ = ask(live_app)
    answerer = person(live_app, OTHER)
    submit_answers(live_app, review, answerer, prove_wrong=SHARP, data_blockers="No labels yet")
    before = {a.question_key: a for a in _stored(live_app, 2)}

    view = answer_modal(live_app, review, answerer)
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["prove_wrong"]["initial_value"] == SHARP
    assert metadata(view)["had_answers"] is True
    submit_answers(live_app, review, answerer, prove_wrong=SHARP + " Edited.", data_blockers="")

    [edited] = _stored(live_app, 1)
    assert edited.question_key == "prove_wrong" and edited.text.endswith("Edited.")
    assert edited.id == before["prove_wrong"].id and edited.user_id == OTHER
    assert as_utc(edited.created_at) == as_utc(before["prove_wrong"].created_at)
    assert as_utc(edited.updated_at) > as_utc(edited.created_at)


def test_an_empty_first_submission_is_refused_inline(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)

    reply = submit_answers(live_app, review, person(live_app, OTHER))

    assert reply["response_action"] == "errors" and "at least one" in reply["errors"]["assumption"]


def test_the_evaluation_gate_computes_sample_size_and_duration(live_app: LiveApp):
    set_up(live_app, phase="evaluation")
    review, _ = ask(live_app)
    answerer = person(live_app, PM)

    bad = submit_answers(live_app, review, answerer, baseline="30", mde_relative="0.02")
    reply = submit_answers(
        live_app,
        review,
        answerer,
        mde="+2% relative on conversion within 4 weeks",
        baseline="0.30",
        mde_relative="0.02",
        weekly_traffic="50000",
    )

    assert set(bad["errors"]) == {"baseline", "weekly_traffic"}
    assert "0.30 for 30%" in bad["errors"]["baseline"]
    assert reply == {}
    # statsmodels loads on first use, after the ack: allow for a busy machine.
    summary = live_app.slack.wait_for("chat.postMessage", count=3, timeout=20)[-1].args
    assert "≈92,100 users per arm" in texts(summary["blocks"])
    inputs = eventually(lambda: _with_plan(live_app))
    assert inputs["plan"]["per_arm"] == 92_088 and inputs["weekly_traffic"] == 50_000
    view = answer_modal(live_app, review, person(live_app, DS))
    numbers = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert numbers["baseline"]["initial_value"] == "0.3"
    assert metadata(view)["required"] == ["baseline", "mde_relative", "weekly_traffic"]


def _with_plan(live: LiveApp) -> dict:
    inputs = reviews(live)[0].inputs
    assert "plan" in inputs
    return inputs


def test_the_projects_own_questions_are_asked(live_app: LiveApp):
    set_up(live_app)
    with Session(live_app.engine) as session:
        project = session.get(Project, 1)
        project.question_overrides = {  # type: ignore[union-attr]
            "sprint_review": {"data_blockers": "Which <labels> are late?"}
        }
        session.add(project)
        session.commit()
    review, _ = ask(live_app)

    view = answer_modal(live_app, review, person(live_app, OTHER))

    labels = {b["block_id"]: b["label"]["text"] for b in view["blocks"] if b["type"] == "input"}
    assert labels["data_blockers"] == "Which <labels> are late?"  # plain text: shown as typed


def test_another_workspace_cannot_open_or_answer_this_review(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    intruder = person(live_app, PM, team_id="T0INTRUDER")

    click = intruder.click(ANSWER, str(review.id), message_ts=review.message_ts)
    told = live_app.slack.wait_for("response_url")[-1].args
    view = {
        "callback_id": "gate_answers",
        "private_metadata": json.dumps({"review_id": review.id, "required": []}),
    }
    submit = intruder.submit_view(
        view, {"assumption": {"assumption": {"type": "plain_text_input", "value": "Mine now"}}}
    )
    dm = live_app.slack.wait_for("chat.postMessage", count=3)[-1].args

    assert click.status == submit.status == 200
    assert "can't find that gate review" in told["text"]
    assert dm["channel"] == PM and "can't find that gate review" in dm["text"]
    assert len(live_app.slack.calls("views.open")) == 1  # the set-up modal only
    assert answers(live_app) == []


def test_thirty_people_answering_fit_one_summary_and_show_all_opens_every_answer(
    live_app: LiveApp,
):
    set_up(live_app)
    review, _ = ask(live_app)
    team = [f"U0MEMBER{n:02d}" for n in range(30)]
    for user in team:
        submit_answers(live_app, review, person(live_app, user), assumption=f"{user}: {SHARP}" * 2)
    _stored(live_app, 30)

    def latest_summary() -> dict:
        sent = [
            c for c in live_app.slack.calls() if c.method in ("chat.postMessage", "chat.update")
        ]
        summary = [c.args for c in sent if "Answers so far" in texts(c.args.get("blocks", []))]
        assert summary and "30 answers from 30 people" in texts(summary[-1]["blocks"])
        return summary[-1]

    summary = eventually(latest_summary, timeout=15)
    shown = texts(summary["blocks"])
    listed = shown.count("<@U0MEMBER")
    assert 0 < listed < 30 and f"_…and {30 - listed} more answers to this question_" in shown
    [show] = [e for b in summary["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert show["text"]["text"] == "Show all 30 answers"

    opened = len(live_app.slack.calls("views.open"))
    live_app.sender.click(show["action_id"], show["value"], message_ts=review.message_ts)
    modal = live_app.slack.wait_for("views.open", count=opened + 1)[-1].args["view"]
    assert modal["title"]["text"] == "All answers"
    seen = set(re.findall(r"<@(U0MEMBER\d\d)>", texts(modal["blocks"])))
    moves = [e for b in modal["blocks"] if b["type"] == "actions" for e in b["elements"]]
    while moves and moves[-1]["text"]["text"].startswith("Next"):
        updates = len(live_app.slack.calls("views.update"))
        live_app.sender.click_in_view(moves[-1]["action_id"], moves[-1]["value"], view=modal)
        modal = live_app.slack.wait_for("views.update", count=updates + 1)[-1].args["view"]
        seen |= set(re.findall(r"<@(U0MEMBER\d\d)>", texts(modal["blocks"])))
        moves = [e for b in modal["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert seen == set(team)


def test_who_decides_is_picked_as_people_and_escape_alerts_page_them(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app, "escape")
    view = answer_modal(live_app, review, person(live_app, OTHER))
    [picker] = [b for b in view["blocks"] if b.get("block_id") == "decider"]
    assert picker["element"]["type"] == "multi_users_select"
    View(**view).validate_json()

    submit_answers(live_app, review, person(live_app, OTHER), decider=["U0DANA", "U0ALI"])

    [stored] = [a for a in _stored(live_app, 1) if a.question_key == "decider"]
    assert stored.text == "<@U0DANA> <@U0ALI>"
    with Session(live_app.engine) as session:
        project = session.get(Project, review.project_id)
        assert project is not None
        deciders = deciders_for(session=session, project=project)
    assert deciders.users == ("U0DANA", "U0ALI") and not deciders.leads_stand_in
    again = answer_modal(live_app, review, person(live_app, OTHER))
    [prefilled] = [b for b in again["blocks"] if b.get("block_id") == "decider"]
    assert prefilled["element"]["initial_users"] == ["U0DANA", "U0ALI"]


def test_an_overlong_answer_keeps_the_modal_open_with_the_error_and_stores_nothing(
    live_app: LiveApp,
):
    set_up(live_app)
    review, _ = ask(live_app)
    long_answer = "If purchases per session do not rise by 0.2 points, we are wrong. " * 50

    reply = submit_answers(
        live_app, review, person(live_app, OTHER), assumption=long_answer, prove_wrong=SHARP
    )

    # Slack keeps the modal open with every word typed, the error under the long answer.
    assert reply["response_action"] == "errors"
    assert reply["errors"] == {"assumption": "Keep it under 3,000 characters (3,299 now)."}
    assert answers(live_app) == []
