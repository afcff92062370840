"""A busy workspace through the real app: everything it sends fits Slack and hides nothing.

40 projects, 25 metrics with 10 guardrails, 30 people answering, 200 hypotheses, every
sprint question reworded to its cap and long answers. Each surface a person opens is driven
through signed HTTP; every payload the stand-in Slack receives must parse with slack_sdk's
models and fit the per-message budget, and every capped list must say how many more there
are and how to see them.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from bot.gates import GateKind
from bot.gates.blocks.prompt import ANSWER
from bot.gates.blocks.summary import SHOW_ANSWERS
from bot.home.blocks import HOME_ANSWER
from bot.slack.mrkdwn import escape
from bot.slack.packing import texts
from db.columns import utcnow
from db.models.gates import GateReview
from tests.handlers.gate_steps import eventually, person, submit_answers
from tests.large_state import ANSWER as LONG_ANSWER
from tests.large_state import PROJECTS, large_workspace, reworded
from tests.live_app import LiveApp
from tests.payloads import payload_problems, sent

USER = "U0PMLEAD"


def _shown(args: dict[str, Any]) -> str:
    blocks = args.get("blocks") or (args.get("view") or {}).get("blocks") or []
    return (args.get("text") or "") + "\n" + "\n".join(texts(blocks))


def _buttons(args: dict[str, Any]) -> dict[str, str]:
    """Return each button's text → (action_id, value) in a message or a view."""
    blocks = args.get("blocks") or (args.get("view") or {}).get("blocks") or []
    found = {}
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found[element["text"]["text"]] = (element["action_id"], element.get("value", ""))
    return found


def _reply(live: LiveApp, send) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Run `send` and return the app's next response_url message."""
    before = len(live.slack.calls("response_url"))
    reply = send()
    assert reply.status == 200 and reply.seconds < 3
    return live.slack.wait_for("response_url", count=before + 1, timeout=30)[before].args


def _next(live: LiveApp, method: str, send) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    before = len(live.slack.calls(method))
    reply = send()
    assert reply.status == 200 and reply.seconds < 3
    return live.slack.wait_for(method, count=before + 1, timeout=30)[before].args


def test_a_busy_workspace_gets_only_payloads_slack_takes_and_every_cut_says_so(
    live_app: LiveApp,
):
    me = live_app.sender_for(live_app.slack.team_id, user_id=USER)
    others = [f"C0OTHER{n:02d}" for n in range(1, PROJECTS)]
    live_app.slack.set_channels(USER, [me.channel_id, *others])  # in every project's channel
    with Session(live_app.engine) as session:
        project = large_workspace(
            session, team_id=me.team_id, channel=me.channel_id, user=USER, now=utcnow()
        )
        full = session.exec(
            select(GateReview)
            .where(GateReview.project_id == project.id, GateReview.occurrence_key == "now-0")
            .order_by(col(GateReview.id))
        ).one()

    # /hypothesis list: 200 on record, 20 a page, the rest counted and a button to them.
    listed = _reply(live_app, lambda: me.command("/hypothesis", "list"))
    assert "1–20 of 200 hypotheses · 180 more" in _shown(listed)
    action, value = _buttons(listed)["Next 20 →"]
    second = _reply(live_app, lambda: me.click(action, value))
    assert "21–40 of 200 hypotheses · 160 more" in _shown(second)

    # /gate status and /gate history: open reviews and decisions past a page say so.
    status = _reply(live_app, lambda: me.command("/gate", "status"))
    assert "…and 5 more open reviews" in _shown(status)
    assert "Show all 15 open reviews" in _buttons(status)
    history = _reply(live_app, lambda: me.command("/gate", "history"))
    assert "1–20 of 40 past reviews · 20 more" in _shown(history)  # 25 decided, 15 open
    assert "Next 20 →" in _buttons(history)

    # /metric list, the digest preview and the posted digest (continued in its thread).
    metrics = _shown(_reply(live_app, lambda: me.command("/metric", "list")))
    assert metrics.count("Share of sessions with a relevant result") == 25
    before = len(live_app.slack.calls("response_url"))
    me.command("/digest", "preview")
    # Queued after the ack: wait for its first part, then for the job to post the rest.
    live_app.slack.wait_for("response_url", count=before + 1, timeout=30)
    live_app.worker.wait_until_drained()
    first, *rest = [call.args for call in live_app.slack.calls("response_url")[before:]]
    assert rest and f"Continued below ({len(rest)} more message" in _shown(first)
    preview = "\n".join(_shown(part) for part in (first, *rest))
    assert preview.count("Share of sessions with a relevant result") >= 25  # nothing dropped
    assert "_…and 2 more hypotheses: `/hypothesis list` has them all_" in preview
    posted = len(live_app.slack.calls("chat.postMessage"))
    me.command("/digest", "now")

    def digest_posted() -> list[Any]:
        posts = live_app.slack.calls("chat.postMessage")[posted:]
        channel = [call for call in posts if call.args["channel"] == me.channel_id]
        assert channel
        return channel

    eventually(digest_posted, timeout=60)
    live_app.worker.wait_until_drained()  # the thread's replies follow the first part
    first_post, *replies = digest_posted()
    assert "Weekly digest" in _shown(first_post.args) and "thread_ts" not in first_post.args
    assert replies and all(reply.args.get("thread_ts") for reply in replies)

    # Reworded questions at their cap: the listing, a prompt asked now, its answer form.
    questions = _shown(_reply(live_app, lambda: me.command("/gate", "question sprint_review")))
    assert questions.count("_(your wording)_") == 4
    prompt = _next(live_app, "chat.postMessage", lambda: me.command("/gate", "now"))
    for wording in reworded(GateKind.SPRINT_REVIEW).values():  # whole, escaped once
        assert escape(wording) in _shown(prompt)
    form = _next(
        live_app, "views.open", lambda: me.click(ANSWER, str(full.id), message_ts=full.message_ts)
    )
    assert len([b for b in form["view"]["blocks"] if b["type"] == "input"]) == 4

    # 30 people's long answers: the summary cuts each question, says so, shows them all.
    submit_answers(live_app, full, me, assumption=(LONG_ANSWER * 30).strip())
    live_app.worker.wait_until_drained()
    [summary] = [
        call.args
        for call in live_app.slack.calls()
        if call.method in {"chat.postMessage", "chat.update"}
        and call.args.get("thread_ts") == full.message_ts
    ][-1:]
    shown = _shown(summary)
    assert "more answers to this question_" in shown and "31 people" in shown
    action, value = _buttons(summary)["Show all 31 answers"]
    every = _next(live_app, "views.open", lambda: me.click(action, value))
    assert "Answers 1–7 of 31" in _shown(every)  # long answers: a page, and the way on
    action, value = _buttons(every)["Next (24 more)"]
    page = _next(
        live_app, "views.update", lambda: me.click_in_view(action, value, view=every["view"])
    )
    assert "Answers 8–" in _shown(page)
    # One more person answers: the same summary is updated in place, still within budget.
    updates = len(live_app.slack.calls("chat.update"))
    submit_answers(live_app, full, person(live_app, "U0LATE"), uncertainty=LONG_ANSWER * 20)
    [updated] = live_app.slack.wait_for("chat.update", count=updates + 1, timeout=30)[updates:]
    assert "32 people" in _shown(updated.args)

    # The Home of someone in 40 projects, each with a review waiting for them (after the
    # redraws the answers queued, so the publish read is the one this opening caused).
    live_app.worker.wait_until_drained()
    home = _next(
        live_app,
        "views.publish",
        lambda: me.event({"type": "app_home_opened", "user": USER, "tab": "home"}),
    )
    assert "You take part in *40* projects." in _shown(home)
    assert "55 gate reviews* await your answers in 40 projects" in _shown(home)
    assert "Page 1 of 5 · 40 projects." in _shown(home)
    action, value = _buttons(home)["Next →"]
    page_two = _next(
        live_app, "views.publish", lambda: me.click_in_view(action, value, view=home["view"])
    )
    assert "Page 2 of 5 · 40 projects." in _shown(page_two)
    assert HOME_ANSWER in {action for action, _ in _buttons(home).values()}

    live_app.drain()
    everything = sent(live_app.slack.calls())
    assert payload_problems(everything) == []
    assert len(everything) >= 12
    assert {call.method for call in everything} == {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "response_url",
        "views.open",
        "views.update",
        "views.publish",
    }
    assert SHOW_ANSWERS in {action for action, _ in _buttons(summary).values()}
