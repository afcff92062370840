"""/hypothesis through the real app: signed HTTP in, what the stand-in Slack received out."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.hypotheses.blocks import DISCARD, EDIT, SAVE
from db import workspaces
from db.models import Hypothesis, HypothesisStatus
from tests.live_app import LiveApp

VAGUE = "Improve recommendation relevance."
FALSIFIABLE = (
    "Semantic search will cut zero-result queries from 9% to under 5% of searches "
    "within 30 days of launch."
)


def _texts(blocks: list[dict]) -> str:
    """Return all the text a person would read in some blocks."""
    parts: list[str] = []
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            text = element.get("text")
            parts.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return "\n".join(parts)


def _hypotheses(live: LiveApp) -> list[Hypothesis]:
    with Session(live.engine) as session:
        return list(session.exec(select(Hypothesis).order_by(Hypothesis.id)))


def _verdict_reply(live: LiveApp, text: str) -> dict:
    reply = live.sender.command("/hypothesis", text)
    assert reply.status == 200
    return live.slack.wait_for("response_url")[-1].args


def test_vague_hypothesis_is_acked_at_once_then_flagged_with_what_is_missing(live_app: LiveApp):
    reply = live_app.sender.command("/hypothesis", VAGUE)

    assert reply.status == 200
    assert reply.seconds < 3
    assert "Checking" in reply.body
    message = live_app.slack.wait_for("response_url")[0].args
    shown = _texts(message["blocks"])
    assert message["response_type"] == "ephemeral"
    assert "Vague" in shown
    assert "magnitude or decision rule" in shown
    assert "We believe" in shown and "We will know we are wrong if" in shown
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [SAVE, EDIT, DISCARD]
    [draft] = _hypotheses(live_app)
    assert (draft.status, draft.vague, draft.checker) == (HypothesisStatus.DRAFT, True, "rules")
    assert draft.text == VAGUE


def test_save_posts_to_the_channel_once_however_often_it_is_clicked(live_app: LiveApp):
    _verdict_reply(live_app, FALSIFIABLE)
    [draft] = _hypotheses(live_app)

    first = live_app.sender.click(SAVE, str(draft.id))
    second = live_app.sender.click(SAVE, str(draft.id))

    assert first.status == second.status == 200
    live_app.slack.wait_for("response_url", count=3)
    live_app.drain()
    posts = live_app.slack.calls("chat.postMessage")
    assert len(posts) == 1
    assert posts[0].args["channel"] == live_app.sender.channel_id
    assert "Falsifiable" in _texts(posts[0].args["blocks"])
    [saved] = _hypotheses(live_app)
    assert saved.status == HypothesisStatus.OPEN
    assert saved.saved_by == live_app.sender.user_id
    assert re.fullmatch(r"\d{10}\.\d{6}", saved.message_ts or "")
    notes = [c.args.get("text", "") for c in live_app.slack.calls("response_url")[1:]]
    assert any("Saved hypothesis" in n for n in notes)
    assert any("already saved" in n for n in notes)


def test_a_vague_hypothesis_can_still_be_saved_marked_vague(live_app: LiveApp):
    _verdict_reply(live_app, VAGUE)
    [draft] = _hypotheses(live_app)

    live_app.sender.click(SAVE, str(draft.id))

    post = live_app.slack.wait_for("chat.postMessage")[0]
    assert "Vague" in _texts(post.args["blocks"])
    assert _hypotheses(live_app)[0].status == HypothesisStatus.OPEN


def test_discard_keeps_nothing_on_record(live_app: LiveApp):
    _verdict_reply(live_app, VAGUE)
    [draft] = _hypotheses(live_app)

    live_app.sender.click(DISCARD, str(draft.id))

    note = live_app.slack.wait_for("response_url", count=2)[-1].args
    assert "Discarded" in note["text"]
    assert note["replace_original"] is True
    assert _hypotheses(live_app)[0].status == HypothesisStatus.DISCARDED
    live_app.sender.command("/hypothesis", "list")
    listing = live_app.slack.wait_for("response_url", count=3)[-1].args
    assert "No hypotheses on record" in _texts(listing["blocks"])


def test_a_teammate_cannot_save_edit_or_discard_someone_elses_draft(live_app: LiveApp):
    _verdict_reply(live_app, FALSIFIABLE)
    [draft] = _hypotheses(live_app)
    teammate = replace(live_app.sender, user_id="U0DS")

    for action in (SAVE, EDIT, DISCARD):
        assert teammate.click(action, str(draft.id)).status == 200
    live_app.drain()

    assert live_app.slack.calls("chat.postMessage") == []
    assert live_app.slack.calls("views.open") == []
    [kept] = _hypotheses(live_app)
    assert kept.status == HypothesisStatus.DRAFT
    refusals = [c.args.get("text", "") for c in live_app.slack.calls("response_url")[1:]]
    refusals += [c.args.get("text", "") for c in live_app.slack.calls("chat.postEphemeral")]
    assert sum("someone else's" in text for text in refusals) == 3


def test_edit_opens_the_modal_prefilled_from_the_draft(live_app: LiveApp):
    _verdict_reply(live_app, FALSIFIABLE)
    [draft] = _hypotheses(live_app)

    live_app.sender.click(EDIT, str(draft.id))

    view = live_app.slack.wait_for("views.open")[0].args["view"]
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["change"]["initial_value"]
    assert "5%" in inputs["magnitude"]["initial_value"]
    assert json.loads(view["private_metadata"]) == {
        "channel_id": live_app.sender.channel_id,
        "replaces": draft.id,
    }


def test_list_shows_the_channels_saved_hypotheses_newest_first(live_app: LiveApp):
    for text in (FALSIFIABLE, VAGUE):
        _verdict_reply(live_app, text)
        live_app.slack.clear()
    for saved, hypothesis in enumerate(_hypotheses(live_app), start=1):
        live_app.sender.click(SAVE, str(hypothesis.id))
        # The "Saved …" confirmation is the save's last step: then it is fully done.
        live_app.slack.wait_for("response_url", count=saved)

    live_app.sender.command("/hypothesis", "list")

    shown = _texts(live_app.slack.wait_for("response_url", count=3)[2].args["blocks"])
    assert shown.index("Improve recommendation relevance") < shown.index("Semantic search")
    assert "open · vague" in shown and "open · falsifiable" in shown


def test_help_and_unknown_subcommands_answer_in_the_ack(live_app: LiveApp):
    help_reply = live_app.sender.command("/hypothesis", "help")
    unknown = live_app.sender.command("/hypothesis", "lsit")

    assert "/hypothesis list" in help_reply.body
    assert "I don't know `lsit`" in unknown.body
    assert _hypotheses(live_app) == []


def test_an_overlong_statement_is_refused_in_the_ack_with_its_text_to_copy(live_app: LiveApp):
    statement = "We believe <fresher> ranking & more will lift the 7-day return rate. " * 45

    reply = live_app.sender.command("/hypothesis", statement)

    told = reply.body
    assert reply.seconds < 3
    assert "That hypothesis is 3,104 characters; keep it under 3,000" in told
    # What was typed comes back, escaped once, to fix and send again: nothing is lost.
    assert "We believe &lt;fresher&gt; ranking &amp; more will lift" in told
    assert told.count("7-day return rate") == 45
    assert _hypotheses(live_app) == []
    assert live_app.slack.calls("response_url") == []  # no check was queued


def test_user_text_is_escaped_so_it_cannot_ping_the_channel(live_app: LiveApp):
    text = "<!channel> <@U123> & friends will raise retention by 3 points within 4 weeks"
    message = _verdict_reply(live_app, text)

    shown = _texts(message["blocks"])
    assert "<!channel>" not in shown and "<@U123>" not in shown
    assert "&lt;!channel&gt; &lt;@U123&gt; &amp; friends" in shown
    assert _hypotheses(live_app)[0].text == text


def test_the_verdict_survives_a_response_url_that_fails_once(live_app: LiveApp):
    live_app.slack.server_error("response_url", status=503, times=1)

    live_app.sender.command("/hypothesis", VAGUE)

    attempts = live_app.slack.wait_for("response_url", count=2)
    live_app.drain()
    assert "Vague" in _texts(attempts[-1].args["blocks"])
    assert live_app.slack.calls("chat.postEphemeral") == []


def test_the_verdict_comes_as_an_ephemeral_message_when_the_response_url_keeps_failing(
    live_app: LiveApp,
):
    live_app.slack.server_error("response_url", status=503, times=None)

    live_app.sender.command("/hypothesis", VAGUE)

    [shown] = live_app.slack.wait_for("chat.postEphemeral", timeout=15)
    live_app.drain()
    assert shown.args["channel"] == live_app.sender.channel_id
    assert shown.args["user"] == live_app.sender.user_id
    assert "Vague" in _texts(shown.args["blocks"])
    actions = next(b for b in shown.args["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [SAVE, EDIT, DISCARD]


def test_slack_escaped_text_is_stored_as_typed_shown_once_escaped_and_prefilled_as_typed(
    live_app: LiveApp,
):
    typed = FALSIFIABLE.replace("Semantic search", "Semantic search & ranking <v2>", 1)

    message = _verdict_reply(live_app, typed)  # Slack sends "Search &amp; ranking &lt;v2&gt;"

    shown = _texts(message["blocks"])
    assert "search &amp; ranking &lt;v2&gt;" in shown  # the reader sees "Search & ranking <v2>"
    assert "&amp;amp;" not in shown and "&amp;lt;" not in shown  # escaped once, not twice
    [draft] = _hypotheses(live_app)
    assert draft.text == typed
    live_app.sender.click(EDIT, str(draft.id))
    view = live_app.slack.wait_for("views.open")[0].args["view"]
    prefilled = [
        b["element"].get("initial_value", "") for b in view["blocks"] if b["type"] == "input"
    ]
    assert any("search & ranking <v2>" in value for value in prefilled)
    assert not any("&amp;" in value for value in prefilled)


def test_a_list_of_two_hundred_says_how_many_more_and_pages_through_them_all(live_app: LiveApp):
    with Session(live_app.engine) as session:
        workspace = workspaces.ensure(session=session, team_id=live_app.sender.team_id)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        session.add_all(
            Hypothesis(
                workspace_id=workspace.id,
                channel_id=live_app.sender.channel_id,
                author_id="U0PM",
                text=f"Hypothesis {n:03d}: " + "long words " * 300,
                vague=False,
                checker="rules",
                status=HypothesisStatus.OPEN,
                created_at=start + timedelta(hours=n),
            )
            for n in range(200)
        )
        session.commit()

    live_app.sender.command("/hypothesis", "list")
    page = live_app.slack.wait_for("response_url")[-1].args
    seen = []
    while True:
        shown = _texts(page["blocks"])
        seen += re.findall(r"Hypothesis (\d{3}):", shown)
        buttons = {
            e["text"]["text"]: e
            for b in page["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        }
        following = next((e for text, e in buttons.items() if text.startswith("Next")), None)
        if following is None:
            assert "181–200 of 200 hypotheses" in shown and " more" not in shown.split("of 200")[-1]
            break
        assert f"of 200 hypotheses · {200 - len(seen)} more" in shown
        before = len(live_app.slack.calls("response_url"))
        live_app.sender.click(following["action_id"], following["value"])
        page = live_app.slack.wait_for("response_url", count=before + 1)[-1].args
        assert page["replace_original"] is True
    assert seen == [f"{n:03d}" for n in reversed(range(200))]  # newest first, none skipped


def test_discard_asks_before_it_deletes_the_draft(live_app: LiveApp):
    message = _verdict_reply(live_app, FALSIFIABLE)

    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    [discard] = [e for e in actions["elements"] if e["action_id"] == DISCARD]
    assert discard["confirm"]["title"]["text"] == "Discard this draft?"
    assert "nothing was posted" in discard["confirm"]["text"]["text"]
    assert (discard["confirm"]["confirm"]["text"], discard["confirm"]["deny"]["text"]) == (
        "Discard",
        "Keep it",
    )
