"""Lone surrogates out of parsed JSON, everything else kept as it was."""

import json

from bot.core.text import without_surrogates


def test_lone_surrogates_become_the_replacement_character_in_keys_and_values():
    parsed = json.loads('{"at": "\\udfff", "x\\ud800": ["a\\ud83d", {"n": 1}], "ok": null}')

    assert without_surrogates(parsed) == {
        "at": "\ufffd",
        "x\ufffd": ["a\ufffd", {"n": 1}],
        "ok": None,
    }


def test_real_characters_are_untouched_pairs_rtl_zero_width_and_nul_included():
    text = json.loads(
        '"\\ud83d\\ude00 \\u202e\\u200d\\u0000 \\U0010ffff"'.replace("\\U0010ffff", "z")
    )

    assert without_surrogates(text) == text
    assert without_surrogates([1.5, True, None]) == [1.5, True, None]
