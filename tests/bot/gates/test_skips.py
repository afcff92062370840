"""Reading the dates people give /gate skip and /gate unskip."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.errors import InvalidInput
from bot.gates.skips import day_words, parse_day

TODAY = date(2026, 12, 4)  # a Friday


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-12-25", date(2026, 12, 25)),
        ("25 Dec", date(2026, 12, 25)),
        ("25th december", date(2026, 12, 25)),
        ("Dec 25", date(2026, 12, 25)),
        ("December 25, 2027", date(2027, 12, 25)),
        ("4 dec", date(2026, 12, 4)),  # today
        ("3 Dec", date(2027, 12, 3)),  # passed this year: next year's
        ("1 Jan 2027", date(2027, 1, 1)),
    ],
)
def test_a_date_is_read_in_the_forms_people_type(typed, day):
    assert parse_day(typed, today=TODAY) == day


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("32/13", "I can't read '32/13' as a date: write it as 2026-12-25 or 25 Dec."),
        ("31 Feb", "'31 Feb' is not a day of the calendar"),
        ("soon", "I can't read 'soon' as a date"),
        ("<!channel> 25 Dec", "I can't read '&lt;!channel&gt; 25 Dec' as a date"),
    ],
)
def test_a_date_that_cannot_be_read_says_how_to_write_it(typed, words):
    with pytest.raises(InvalidInput) as refused:
        parse_day(typed, today=TODAY)

    assert words in str(refused.value)


def test_a_date_reads_as_the_team_says_it():
    assert day_words(date(2026, 12, 25)) == "Fri 25 Dec 2026"
