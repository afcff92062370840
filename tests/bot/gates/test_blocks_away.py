"""The line under a reminder or an escape alert saying who is away and who stands in."""

from __future__ import annotations

from bot.gates.away import Status
from bot.gates.blocks.away import away_note, status_shown
from bot.gates.standins import Cover, Person


def away(name: str, text: str = "", emoji: str = "") -> Person:
    return Person(
        user_id="U" + name.upper()[:3], name=name, status=Status(text=text, emoji=emoji), away=True
    )


def test_nobody_away_means_no_line():
    assert away_note(Cover(present=("U1",))) is None


def test_three_away_are_listed_with_commas_and_a_final_and():
    note = away_note(
        Cover(
            away=(away("Priya", "OOO"), away("Daniel", "Sick"), away("Kim", emoji=":palm_tree:")),
            standin="USAM",
            standins_set=True,
        )
    )

    assert note == (
        "Priya (OOO), Daniel (Sick) and Kim (:palm_tree:) are away, so <@USAM> stands in."
    )


def test_a_nameless_person_and_an_emoji_that_is_not_a_shortcode():
    nameless = Person(user_id="U1", status=Status(text="Vacationing", emoji="<!here>"), away=True)

    assert status_shown(nameless) == "Vacationing"  # the odd emoji is dropped, not shown
    assert away_note(Cover(away=(nameless,))) == (
        "Someone is away (Vacationing), and no stand-ins are set (`/gate setup` names them), "
        "so nobody else is mentioned."
    )


def test_a_long_status_is_cut_to_slacks_length_after_escaping():
    long = away("Priya", "On leave " + "&" * 200)

    shown = status_shown(long)

    assert shown.startswith("On leave &amp;") and shown.endswith("…") and len(shown) <= 100
