"""The sprint calendar and working hours, across daylight-saving changes in two zones."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import InvalidInput
from bot.gates.calendar import (
    CalendarError,
    SprintCalendar,
    add_working_hours,
    local_datetime,
    occurrence_key,
)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)


def calendar(start: date, *, days: int = 14, tz: str = "America/New_York", at=time(9, 30)):
    return SprintCalendar(start=start, length_days=days, tz=tz, prompt_time=at)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- boundaries across DST: the wall time stays, the UTC offset moves ---------------------


def test_new_york_spring_forward_keeps_the_local_prompt_time():
    cal = calendar(date(2024, 2, 26))  # clocks go forward on Sunday 10 March 2024

    before, after = cal.boundary(1), cal.boundary(2)

    assert (before.date(), before.time()) == (date(2024, 2, 26), time(9, 30))
    assert (after.date(), after.time()) == (date(2024, 3, 11), time(9, 30))
    assert before.utcoffset() == -5 * HOUR and after.utcoffset() == -4 * HOUR
    assert before.astimezone(UTC) == utc(2024, 2, 26, 14, 30)
    assert after.astimezone(UTC) == utc(2024, 3, 11, 13, 30)
    # Within one zone Python subtracts wall clocks; in UTC the lost hour shows.
    assert after.astimezone(UTC) - before == timedelta(days=14) - HOUR


def test_new_york_fall_back_keeps_the_local_prompt_time():
    cal = calendar(date(2024, 10, 21))  # clocks go back on Sunday 3 November 2024

    before, after = cal.boundary(1), cal.boundary(2)

    assert after.date() == date(2024, 11, 4) and after.time() == time(9, 30)
    assert before.utcoffset() == -4 * HOUR and after.utcoffset() == -5 * HOUR
    assert after.astimezone(UTC) == utc(2024, 11, 4, 14, 30)
    assert after.astimezone(UTC) - before == timedelta(days=14) + HOUR


def test_berlin_last_sundays_of_march_and_october():
    spring = calendar(date(2024, 3, 25), days=7, tz="Europe/Berlin", at=time(10))
    autumn = calendar(date(2024, 10, 21), days=7, tz="Europe/Berlin", at=time(10))

    assert [spring.boundary(n).astimezone(UTC) for n in (1, 2)] == [
        utc(2024, 3, 25, 9),  # CET, +01:00
        utc(2024, 4, 1, 8),  # CEST, +02:00 after 31 March
    ]
    assert [autumn.boundary(n).astimezone(UTC) for n in (1, 2)] == [
        utc(2024, 10, 21, 8),  # CEST
        utc(2024, 10, 28, 9),  # CET after 27 October
    ]
    assert {spring.boundary(n).time() for n in (1, 2)} == {time(10)}


def test_the_same_calendar_in_two_zones_changes_offset_on_different_weeks():
    # The US springs forward on 10 March 2024, Europe on 31 March: for three weeks the
    # teams are 5 hours apart instead of 6, and their 09:30 prompts are too.
    start = date(2024, 3, 4)
    ny = calendar(start, days=7)
    berlin = calendar(start, days=7, tz="Europe/Berlin")

    gaps = [ny.boundary(n) - berlin.boundary(n) for n in range(1, 6)]

    assert gaps == [6 * HOUR, 5 * HOUR, 5 * HOUR, 5 * HOUR, 6 * HOUR]


def test_a_boundary_on_the_night_of_the_change_itself():
    daily = calendar(date(2024, 3, 9), days=1)

    assert [daily.boundary(n).astimezone(UTC).hour for n in (1, 2, 3)] == [14, 13, 13]
    assert daily.boundary(2).date() == date(2024, 3, 10)


# --- local times that do not exist or happen twice ----------------------------------------


def test_a_prompt_time_in_the_spring_forward_gap_moves_forward_by_the_gap():
    cal = calendar(date(2024, 3, 10), at=time(2, 30))  # 02:00-03:00 does not exist that night

    moment = cal.boundary(1)

    assert moment.time() == time(3, 30) and moment.utcoffset() == -4 * HOUR
    assert moment.astimezone(UTC) == utc(2024, 3, 10, 7, 30)
    assert cal.boundary(2).time() == time(2, 30)  # two weeks later it exists again


def test_berlin_gap_and_new_york_overlap():
    gap = local_datetime(date(2024, 3, 31), time(2, 30), tz=BERLIN)
    # 01:30 happens twice in New York on 3 November 2024: the first (EDT) one is used.
    twice = local_datetime(date(2024, 11, 3), time(1, 30), tz=NEW_YORK)

    assert (gap.time(), gap.utcoffset()) == (time(3, 30), 2 * HOUR)
    assert (twice.time(), twice.utcoffset()) == (time(1, 30), -4 * HOUR)
    assert twice.astimezone(UTC) == utc(2024, 11, 3, 5, 30)


# --- sprint numbers, next boundaries, due occurrences -------------------------------------


def test_sprint_numbers_follow_the_teams_local_date():
    cal = calendar(date(2024, 2, 26))

    assert cal.sprint_number(datetime(2024, 2, 25, 23, 59, tzinfo=NEW_YORK)) == 0
    assert cal.sprint_number(datetime(2024, 2, 26, 0, 0, tzinfo=NEW_YORK)) == 1
    assert cal.sprint_number(datetime(2024, 3, 10, 23, 59, tzinfo=NEW_YORK)) == 1
    # 03:00 UTC on 11 March is still 10 March in New York, so sprint 1 is still running.
    assert cal.sprint_number(utc(2024, 3, 11, 3, 0)) == 1
    assert cal.sprint_number(utc(2024, 3, 11, 4, 0)) == 2
    assert cal.sprint_number(datetime(2024, 6, 1, 12, tzinfo=NEW_YORK)) == 7


def test_next_boundary_is_strictly_after_the_moment():
    cal = calendar(date(2024, 2, 26))

    assert cal.next_boundary(utc(2024, 1, 1)) == cal.boundary(1)
    assert cal.next_boundary(cal.boundary(1) - timedelta(seconds=1)) == cal.boundary(1)
    assert cal.next_boundary(cal.boundary(1)) == cal.boundary(2)
    assert cal.next_boundary(datetime(2024, 3, 11, 8, tzinfo=NEW_YORK)) == cal.boundary(2)
    assert cal.next_boundary(datetime(2024, 3, 11, 10, tzinfo=NEW_YORK)) == cal.boundary(3)


def test_next_boundary_in_the_fall_back_hour_compares_instants_not_wall_clocks():
    daily = calendar(date(2024, 11, 2), days=1, at=time(1, 30))
    # 01:15 EST (the second 01:15 that night) comes after the 01:30 EDT prompt.
    second_quarter_past_one = datetime(2024, 11, 3, 1, 15, fold=1, tzinfo=NEW_YORK)

    assert daily.boundary(2).utcoffset() == -4 * HOUR
    assert daily.next_boundary(second_quarter_past_one) == daily.boundary(3)
    assert daily.next_boundary(datetime(2024, 11, 3, 1, 15, tzinfo=NEW_YORK)) == daily.boundary(2)


def test_occurrences_between_covers_after_start_up_to_and_including_end():
    cal = calendar(date(2024, 2, 26))

    due = cal.occurrences_between(cal.boundary(1), cal.boundary(3))

    assert [(o.number, o.key) for o in due] == [(2, "sprint-2"), (3, "sprint-3")]
    assert [o.at for o in due] == [cal.boundary(2), cal.boundary(3)]
    assert cal.occurrences_between(cal.boundary(3), cal.boundary(3)) == ()
    assert cal.occurrences_between(cal.boundary(3), cal.boundary(2)) == ()


def test_a_clock_pass_over_the_dst_weekend_finds_the_boundary_once():
    cal = calendar(date(2024, 2, 26))
    # The clock's last pass ran at 13:00 UTC on 11 March: 09:00 EDT, half an hour early.
    due = cal.occurrences_between(utc(2024, 3, 11, 13, 0), utc(2024, 3, 11, 13, 30))

    assert [o.key for o in due] == ["sprint-2"]
    assert cal.occurrences_between(utc(2024, 3, 11, 13, 30), utc(2024, 3, 11, 14, 30)) == ()


def test_occurrence_keys_are_stable():
    assert occurrence_key(7) == "sprint-7"


# --- edits and validation -----------------------------------------------------------------


def test_an_edit_gives_new_boundaries_from_the_new_settings():
    cal = calendar(date(2024, 2, 26))

    edited = dataclasses.replace(cal, start=date(2024, 3, 4), length_days=7)

    assert edited.boundary(2) == datetime(2024, 3, 11, 9, 30, tzinfo=NEW_YORK)
    assert edited.sprint_number(datetime(2024, 3, 20, 12, tzinfo=NEW_YORK)) == 3
    assert cal.boundary(2) == datetime(2024, 3, 11, 9, 30, tzinfo=NEW_YORK)
    assert cal.sprint_number(datetime(2024, 3, 20, 12, tzinfo=NEW_YORK)) == 2
    moved = dataclasses.replace(cal, tz="Europe/Berlin", prompt_time=time(8))
    assert moved.boundary(1).astimezone(UTC) == utc(2024, 2, 26, 7)
    with pytest.raises(CalendarError, match="at least 1 day"):
        dataclasses.replace(cal, length_days=0)


def test_an_unknown_time_zone_is_a_readable_error():
    with pytest.raises(CalendarError) as raised:
        calendar(date(2024, 1, 1), tz="Mars/Base")

    assert str(raised.value) == (
        "Unknown time zone 'Mars/Base': use an IANA name like Europe/Berlin."
    )
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, InvalidInput)
    with pytest.raises(CalendarError, match="Unknown time zone '../etc/passwd'"):
        calendar(date(2024, 1, 1), tz="../etc/passwd")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"length_days": 0}, r"A sprint must last at least 1 day \(got 0 days\)\."),
        ({"prompt_time": time(9, tzinfo=UTC)}, "local wall time"),
        ({"start": datetime(2024, 1, 1, 9)}, "must be a date, not a date and time"),
    ],
)
def test_bad_settings_are_refused(changes, message):
    settings = {"start": date(2024, 1, 1), "length_days": 14, "tz": "UTC", "prompt_time": time(9)}
    with pytest.raises(CalendarError, match=message):
        SprintCalendar(**settings | changes)


def test_naive_moments_and_sprint_zero_are_refused():
    cal = calendar(date(2024, 2, 26))

    with pytest.raises(CalendarError, match="must carry a time zone"):
        cal.sprint_number(datetime(2024, 3, 1, 9))
    with pytest.raises(CalendarError, match="must carry a time zone"):
        cal.occurrences_between(utc(2024, 3, 1), datetime(2024, 4, 1))
    with pytest.raises(CalendarError, match="numbered from 1"):
        cal.boundary(0)


# --- working hours ------------------------------------------------------------------------


def test_a_24_working_hour_reminder_skips_the_weekend_and_the_nights():
    friday_5pm = datetime(2024, 3, 8, 17, tzinfo=NEW_YORK)

    due = add_working_hours(friday_5pm, 24, tz="America/New_York")

    # Friday 1 h, Monday 9 h, Tuesday 9 h, Wednesday 5 h; the clocks changed on Sunday.
    assert due == datetime(2024, 3, 13, 14, tzinfo=NEW_YORK)
    assert due.utcoffset() == -4 * HOUR


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (datetime(2024, 3, 9, 11), 1, datetime(2024, 3, 11, 10)),  # Saturday -> Monday
        (datetime(2024, 3, 11, 7), 2, datetime(2024, 3, 11, 11)),  # before opening
        (datetime(2024, 3, 11, 9), 9, datetime(2024, 3, 11, 18)),  # ends at closing
        (datetime(2024, 3, 11, 19), 1, datetime(2024, 3, 12, 10)),  # after closing
        (datetime(2024, 3, 11, 17, 30), 0.75, datetime(2024, 3, 12, 9, 15)),
        (datetime(2024, 3, 9, 11), 0, datetime(2024, 3, 9, 11)),  # nothing to add
    ],
)
def test_working_hours_in_new_york(start, hours, expected):
    due = add_working_hours(start.replace(tzinfo=NEW_YORK), hours, tz="America/New_York")

    assert due == expected.replace(tzinfo=NEW_YORK)


def test_working_hours_are_counted_in_the_teams_zone_not_the_callers():
    # 15:00 UTC on Friday 29 March is 16:00 in Berlin: 2 hours left that day, the clocks
    # go forward on Sunday, and the remaining 2 hours end at 11:00 CEST on Monday.
    due = add_working_hours(utc(2024, 3, 29, 15), 4, tz="Europe/Berlin")

    assert due == datetime(2024, 4, 1, 11, tzinfo=BERLIN)
    assert due.astimezone(UTC) == utc(2024, 4, 1, 9)


def test_working_days_and_hours_can_be_set():
    # A Sunday-to-Thursday team working 08:00-16:00.
    thursday_3pm = datetime(2024, 3, 7, 15, tzinfo=ZoneInfo("Asia/Jerusalem"))

    due = add_working_hours(
        thursday_3pm,
        3,
        tz="Asia/Jerusalem",
        day_start=time(8),
        day_end=time(16),
        weekdays={6, 0, 1, 2, 3},
    )

    assert due == datetime(2024, 3, 10, 10, tzinfo=ZoneInfo("Asia/Jerusalem"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": -1}, "cannot be negative"),
        ({"day_start": time(18), "day_end": time(9)}, r"must start before it ends \(18:00 to"),
        ({"weekdays": set()}, "at least one"),
        ({"weekdays": {7}}, "0 \\(Monday\\) to 6"),
        ({"tz": "Nowhere/Land"}, "Unknown time zone 'Nowhere/Land'"),
    ],
)
def test_bad_working_hours_are_refused(kwargs, message):
    arguments = {"hours": 1, "tz": "Europe/Berlin"} | kwargs
    with pytest.raises(CalendarError, match=message):
        add_working_hours(utc(2024, 3, 4, 9), **arguments)


def test_a_naive_start_is_refused():
    with pytest.raises(CalendarError, match="must carry a time zone"):
        add_working_hours(datetime(2024, 3, 4, 9), 1, tz="Europe/Berlin")
