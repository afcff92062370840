"""Parsing `/metric …` text: what each word means, and what a mistake is told."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.errors import InvalidInput
from bot.metrics.command import Action, parse


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse(text, user_id="U0PM")


def test_define_reads_positional_words_and_settings():
    command = _parse(
        "define relevance_rating model_health higher warn=75% breach=72% periods=2 "
        "owner=<@U0DS|dana> label=“Relevance rating” guardrail-of=ctr max-drop=2%"
    )

    assert (command.action, command.name) == (Action.DEFINE, "relevance_rating")
    assert command.changes == {
        "kind": "model_health",
        "direction": "higher_is_better",
        "warn": 75.0,
        "breach": 72.0,
        "unit": "%",
        "periods": 2,
        "owner": "U0DS",
        "label": "Relevance rating",
        "guardrail_of": "ctr",
        "max_drop": 0.02,
        "relative": True,
    }


def test_an_explicit_unit_wins_over_a_percent_sign_and_max_drop_without_one_is_absolute():
    command = _parse("update latency warn=300 unit=ms max-drop=50 owner=me")

    assert command.action is Action.UPDATE
    assert command.changes == {
        "warn": 300.0,
        "unit": "ms",
        "max_drop": 50.0,
        "relative": False,
        "owner": "U0PM",
    }


def test_none_clears_a_setting_and_slack_escapes_are_undone():
    command = _parse("update ctr warn=none guardrail-of=none label=A&amp;B&lt;3")

    assert command.changes == {"warn": None, "guardrail_of": None, "label": "A&B<3"}


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("", Action.LIST),
        ("list", Action.LIST),
        ("token", Action.TOKEN),
        ("token list", Action.TOKEN_LIST),
        ("tokens", Action.TOKEN_LIST),
        ("token revoke", Action.TOKEN_REVOKE),
        ("help", Action.HELP),
        ("delete ctr", Action.HELP),
        ("token burn", Action.HELP),
    ],
)
def test_sub_commands(text: str, action: Action):
    assert _parse(text).action is action


def test_record_and_link_read_numbers_dates_and_hypothesis_numbers():
    record = _parse("record ctr 4.5% 2026-03-02")
    link = _parse("link #12 relevance_rating 0.70 0.76 by 2026-04-01")
    link_undated = _parse("link 12 relevance_rating 70% 76%")

    assert (record.name, record.value, record.day) == ("ctr", 4.5, date(2026, 3, 2))
    assert (link.hypothesis_id, link.name, link.baseline, link.target, link.day) == (
        12,
        "relevance_rating",
        0.70,
        0.76,
        date(2026, 4, 1),
    )
    assert (link_undated.baseline, link_undated.target, link_undated.day) == (70, 76, None)
    assert _parse("token revoke gbt_Ab3dE9xQ…").prefix == "gbt_Ab3dE9xQ…"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("define", "Usage: `/metric define"),
        ("record ctr", "Usage: `/metric record"),
        ("record ctr 1,5", "use a dot for decimals"),
        ("record ctr nan", "must be a finite number"),
        ("record ctr 1 02/03/2026", "is not a date: write YYYY-MM-DD"),
        ("define ctr product higher breach=0.1 colour=red", "Unknown setting `colour`"),
        ("define ctr product higher extra breach=1", "I don't know what `extra` is for here"),
        ("define ctr product higher breach=1 periods=0", "`periods` must be a whole number"),
        ("define ctr product higher breach=1 owner=@dana", "Name the owner with a mention"),
        ('define ctr product higher label="open', "A double quote is not closed"),
        ("link x ctr 1 2", "Usage: `/metric link"),
    ],
)
def test_mistakes_are_told_how_to_fix_them(text: str, message: str):
    with pytest.raises(InvalidInput) as refused:
        _parse(text)

    assert message in str(refused.value)


def test_untrusted_words_are_escaped_in_messages():
    with pytest.raises(InvalidInput) as refused:
        _parse("record ctr <!channel>")

    assert "<!channel>" not in str(refused.value)
    assert "&lt;!channel&gt;" in str(refused.value)
