"""The away classifier on statuses people really set: holidays, leave and sickness only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.gates.away import Status, emoji_name, is_away, normalise, says_away

NOW = datetime(2026, 3, 4, 14, 31, tzinfo=UTC)

AWAY = [
    # Slack's own presets, emoji and words as Slack fills them in
    ("Vacationing", ":palm_tree:"),
    ("Out sick", ":face_with_thermometer:"),
    # the words alone, as typed
    ("🌴 Vacationing until Jan 5", ""),
    ("OOO - back Monday", ""),
    ("Sick day", ""),
    ("On holiday till the 14th", ""),
    ("on leave", ""),
    ("Parental leave until April", ""),
    ("Out of office", ""),
    ("Out-of-Office, limited access to email", ""),
    ("O.O.O.", ""),
    ("PTO", ""),
    ("Vacation", ""),
    ("On vacation, back 3/12", ""),
    ("Holidays! Back on 2 Jan", ""),
    ("Feeling unwell", ""),
    ("Home with the flu", ""),
    ("Off sick", ""),
    ("Day off", ""),
    ("Annual leave", ""),
    ("Back from holiday on Monday", ""),  # not back yet: the day is still ahead
    ("Urlaub bis 12.3.", ""),
    ("En congés", ""),
    ("De vacaciones", ""),
    # an emoji alone, or with words that do not say it
    ("", ":palm_tree:"),
    ("", ":beach_with_umbrella:"),
    ("", ":desert_island:"),
    ("", ":face_with_thermometer:"),
    ("", ":sneezing_face:"),
    ("Back on the 12th", ":palm_tree:"),
    ("", ":Palm_Tree:"),
    ("🏖️ sun", ""),  # with the variation selector a phone adds
    ("🤒", ""),
]

PRESENT = [
    ("In a meeting", ":spiral_calendar_pad:"),
    ("Commuting", ":bus:"),
    ("Working remotely", ":house_with_garden:"),
    ("Focus time", ":headphones:"),
    ("Lunch", ":hamburger:"),
    ("At the dentist, back at 3", ":tooth:"),
    ("", ""),
    ("Back from vacation", ""),
    ("Back from holiday, catching up on email", ""),
    ("Returned from leave, say hi", ""),
    ("Happy holidays!", ":christmas_tree:"),
    ("I'll reply after standup", ""),  # "I'll" is not "ill"
    ("Billing migration", ""),  # "ill" inside a word
    ("Sicko mode", ""),
    ("Brilliant", ""),
    ("Vacationer research interviews", ""),
    ("Reviewing the POOL results", ""),
    ("Traveling for the offsite", ":airplane:"),
    ("", ":palm_tree_not_really:"),
]


@pytest.mark.parametrize(("text", "emoji"), AWAY)
def test_statuses_that_say_away(text: str, emoji: str):
    assert says_away(Status(text=text, emoji=emoji))
    assert is_away(Status(text=text, emoji=emoji), now=NOW)


@pytest.mark.parametrize(("text", "emoji"), PRESENT)
def test_statuses_of_people_who_can_answer(text: str, emoji: str):
    assert not says_away(Status(text=text, emoji=emoji))
    assert not is_away(Status(text=text, emoji=emoji), now=NOW)


def test_an_expired_status_is_not_away_and_one_still_running_is():
    ended = Status(text="Vacationing", emoji=":palm_tree:", expiration=int(NOW.timestamp()) - 60)
    running = Status(text="Vacationing", emoji=":palm_tree:", expiration=int(NOW.timestamp()) + 60)
    forever = Status(text="Vacationing", emoji=":palm_tree:", expiration=0)

    assert (is_away(ended, now=NOW), is_away(running, now=NOW), is_away(forever, now=NOW)) == (
        False,
        True,
        True,
    )
    # the instant it expires it is over, as Slack clears it then
    assert not is_away(Status(text="Sick", expiration=int(NOW.timestamp())), now=NOW)


def test_a_profile_is_read_whatever_is_missing_or_odd_in_it():
    assert Status.of({}) == Status()
    assert Status.of(
        {"status_text": "Vacationing", "status_emoji": ":palm_tree:", "status_expiration": 17}
    ) == Status(text="Vacationing", emoji=":palm_tree:", expiration=17)
    assert Status.of({"status_text": None, "status_expiration": "soon"}) == Status()


def test_words_are_compared_without_case_accents_or_punctuation():
    assert normalise("  Out-of-OFFICE… Congés! ") == "out of office conges"
    assert normalise("I'll be back") == "i ll be back"
    assert emoji_name(":palm_tree::skin-tone-3:") == "palm_tree"
    assert emoji_name("palm_tree") is None
