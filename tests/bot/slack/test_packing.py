"""The per-message budget: blocks packed into messages Slack takes, in order, nothing dropped."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import Block

from bot.slack.blocks import context, divider, section
from bot.slack.mrkdwn import clip_mrkdwn, escape, escape_clipped, unescape
from bot.slack.packing import MESSAGE, fits, pack, text_size, texts


def _lines(count: int, size: int = 2500) -> list[dict]:
    return [section(f"line {n:03d} " + "x" * (size - 9)) for n in range(count)]


def _parsed(message: list[dict]) -> None:
    for block in message:
        Block.parse(block).validate_json()


def test_blocks_within_the_budget_stay_one_message_without_a_note():
    blocks = _lines(4)

    assert pack(blocks) == [blocks]
    assert fits(blocks)


def test_past_twelve_thousand_characters_the_rest_continues_and_the_first_says_so():
    blocks = _lines(12)  # 30,000 characters: Slack would answer msg_blocks_too_long
    assert not fits(blocks)

    messages = pack(blocks)

    assert len(messages) == 3
    assert all(fits(message) for message in messages)
    for message in messages:
        _parsed(message)
    shown = [text for message in messages for text in texts(message)]
    assert [t[:8] for t in shown if t.startswith("line")] == [f"line {n:03d}" for n in range(12)]
    assert shown[4] == ":thread: Continued in the thread (2 more replies)."
    assert messages[0][-1]["type"] == "context"


def test_past_fifty_blocks_the_rest_continues():
    blocks = [context(f"item {n}") for n in range(120)]

    messages = pack(blocks)

    assert [len(m) for m in messages] == [50, 50, 21]
    assert "(2 more replies)" in messages[0][-1]["elements"][0]["text"]


def test_without_the_note_replies_carry_only_their_own_blocks():
    messages = pack(_lines(6), note=False)

    assert [len(m) for m in messages] == [4, 2]
    assert "Continued" not in " ".join(texts(messages))


def test_a_divider_never_starts_or_ends_a_message():
    blocks = [b for line in _lines(9) for b in (line, divider())]

    messages = pack(blocks, note=False)

    assert len(messages) > 1
    for message in messages:
        assert message[0]["type"] != "divider" and message[-1]["type"] != "divider"


def test_a_section_whose_fields_pass_the_budget_is_split_between_messages():
    fields = [{"type": "mrkdwn", "text": f"field {n} " + "y" * 1990} for n in range(10)]
    block = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*Guardrails*"},
        "fields": fields,
    }

    messages = pack([block])

    assert len(messages) == 2 and all(fits(m) for m in messages)
    shown = " ".join(texts(messages))
    assert all(f"field {n} " in shown for n in range(10))
    assert messages[0][0]["text"]["text"] == "*Guardrails*"


def test_the_size_counts_every_text_a_reader_sees():
    blocks = [
        section("abc"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "de"}]},
        {
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "f"}}],
        },
    ]

    assert text_size(blocks) == 6
    assert MESSAGE.text == 12000 and MESSAGE.blocks == 50 and MESSAGE.section == 3000


@pytest.mark.parametrize(
    ("raw", "limit", "shown"),
    [
        ("Search & ranking", 100, "Search &amp; ranking"),
        ("a<b", 6, "a&lt;b"),
        ("ab<c", 6, "ab…"),  # "&lt;" would not fit whole: it is left out, not halved
        ("&&&", 10, "&amp;…"),
    ],
)
def test_escaping_cuts_the_raw_text_first_never_inside_an_entity(raw, limit, shown):
    assert escape_clipped(raw, limit) == shown
    assert len(escape_clipped(raw, limit)) <= limit


def test_clipping_mrkdwn_never_halves_an_entity_or_a_mention():
    text = "x" * 10 + escape("<&>") + " <@U0DANA> decides"

    assert clip_mrkdwn(text, 13) == "x" * 10 + "…"  # not "&l…"
    assert clip_mrkdwn(text, 29) == "x" * 10 + "&lt;&amp;&gt; …"  # not "<@U0D…"
    assert clip_mrkdwn(text, 200) == text


def test_slack_escaped_command_text_is_unescaped_once():
    assert unescape("Search &amp; ranking &lt;b&gt;") == "Search & ranking <b>"
    assert unescape("&amp;lt;") == "&lt;"  # typed "&lt;" stays as typed
    assert escape(unescape("Search &amp; ranking")) == "Search &amp; ranking"
