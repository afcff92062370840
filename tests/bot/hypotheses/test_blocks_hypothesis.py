"""Block builders for /hypothesis: pure functions, checked against Slack's own models."""

import json

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.falsifiability.verdict import Element, VagueFamily, VagueTerm, Verdict
from bot.hypotheses.blocks import (
    DISCARD,
    EDIT,
    SAVE,
    list_message,
    modal,
    read_metadata,
    read_modal,
    saved_post,
    verdict_message,
)
from bot.hypotheses.form import HypothesisFields
from bot.slack.packing import fits, texts
from db.models import Hypothesis

VAGUE = Verdict(
    vague=True,
    missing=[Element.MAGNITUDE, Element.TIME_WINDOW],
    vague_terms=[VagueTerm(term="<better>", family=VagueFamily.UNQUANTIFIED_COMPARATIVE)],
    explanation="No magnitude: say by how much <!here> should move.",
    rewrite="We believe [change] will cause more clicks & <@U1> ...",
    checker="rules",
)


def _text(blocks) -> str:
    return json.dumps(blocks)


def _parses(blocks) -> None:
    for block in blocks:
        Block.parse(block).validate_json()


def test_verdict_message_names_what_is_missing_and_offers_the_three_buttons():
    blocks = verdict_message(hypothesis_id=7, text="Make search <!channel> better", verdict=VAGUE)

    _parses(blocks)
    shown = _text(blocks)
    assert "Vague" in shown
    assert "magnitude or decision rule, time window" in shown
    actions = [b for b in blocks if b["type"] == "actions"][0]["elements"]
    assert [(a["action_id"], a["value"]) for a in actions] == [
        (SAVE, "7"),
        (EDIT, "7"),
        (DISCARD, "7"),
    ]
    assert actions[0]["text"]["text"] == "Save as vague"


def test_untrusted_text_from_the_user_and_the_llm_is_escaped():
    shown = _text(verdict_message(hypothesis_id=1, text="<!channel> & co", verdict=VAGUE))

    assert "<!channel>" not in shown and "<!here>" not in shown and "<@U1>" not in shown
    assert "&lt;!channel&gt; &amp; co" in shown
    assert "&lt;!here&gt;" in shown
    assert "&lt;better&gt;" in shown


def test_a_fallback_verdict_says_the_offline_check_was_used():
    verdict = VAGUE.model_copy(update={"fallback_reason": "the model took longer than 8s"})

    shown = _text(verdict_message(hypothesis_id=1, text="x", verdict=verdict))

    assert "offline rule-based check" in shown and "longer than 8s" in shown


def test_a_falsifiable_verdict_offers_plain_save_and_no_rewrite():
    verdict = Verdict(vague=False, explanation="All there.", rewrite="ignored", checker="llm")

    blocks = verdict_message(hypothesis_id=2, text="x", verdict=verdict)

    assert "Falsifiable" in _text(blocks)
    assert "rewrite" not in _text(blocks)
    assert [b for b in blocks if b["type"] == "actions"][0]["elements"][0]["text"]["text"] == "Save"


def test_saved_post_credits_who_saved_it():
    hypothesis = Hypothesis(
        id=3,
        workspace_id=1,
        channel_id="C1",
        author_id="U1",
        text="t",
        vague=True,
        checker="rules",
        saved_by="U2",
    )

    blocks = saved_post(hypothesis=hypothesis, verdict=VAGUE)

    _parses(blocks)
    assert blocks[0]["text"]["text"] == "<@U2> put a hypothesis on record."


def test_a_list_page_of_long_hypotheses_fits_and_says_how_many_more_and_how():
    rows = [
        Hypothesis(
            id=200 - i,
            workspace_id=1,
            channel_id="C1",
            author_id="U1",
            text=f"h{i} & <b> " + "x" * 2990,
            vague=False,
            checker="rules",
            status="open",
        )
        for i in range(20)
    ]

    blocks = list_message(rows, channel_id="C1", offset=20, total=200)

    _parses(blocks)
    assert fits(blocks)
    shown = "\n".join(texts(blocks))
    assert "21–40 of 200 hypotheses · 160 more" in shown
    assert "h0 &amp; &lt;b&gt; xxx" in shown and shown.count("…") == 20  # each cut, marked
    buttons = {
        e["text"]["text"]: e["value"]
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }
    assert buttons == {"← Previous": "0", "Next 20 →": "40"}


def test_modal_round_trips_through_slacks_view_model_and_its_own_reader():
    form = HypothesisFields(change="c", outcome_metric="m", direction="decrease", magnitude="5%")
    view = modal(channel_id="C9", form=form, replaces=4)

    View(**view).validate_json()
    values = {
        b["block_id"]: {
            b["block_id"]: (
                {"selected_option": b["element"]["initial_option"]}
                if b["element"]["type"] == "static_select"
                else {"value": b["element"].get("initial_value")}
            )
        }
        for b in view["blocks"]
        if b["type"] == "input"
        and ("initial_value" in b["element"] or "initial_option" in b["element"])
    }
    assert read_modal(values) == form
    assert read_metadata(view["private_metadata"]) == ("C9", 4)
