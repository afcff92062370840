"""The sprint calendar and working hours, in the team's own time zone.

Local wall-clock times are resolved the same way everywhere in this module:
- a time that does not exist (the spring-forward gap) moves forward by the gap's length,
  so 02:30 on the night New York springs forward becomes 03:30 EDT;
- a time that happens twice (the fall-back overlap) is the first occurrence (fold=0),
  so 01:30 on the night New York falls back is 01:30 EDT, not EST.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import InvalidInput
from bot.slack.mrkdwn import escape

MONDAY_TO_FRIDAY = frozenset(range(5))


class CalendarError(InvalidInput, ValueError):
    """A calendar setting or argument cannot be used; the message says what to change."""


def time_zone(name: str) -> ZoneInfo:
    """Return the IANA time zone `name`, or raise CalendarError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ZoneInfo raises ValueError for malformed keys such as "" or "../etc", and OSError
        # for a key too long to be a file name.
        raise CalendarError(
            f"Unknown time zone '{escape(name[:64])}': use an IANA name like Europe/Berlin."
        ) from None


def local_datetime(day: date, at: time, *, tz: ZoneInfo) -> datetime:
    """Return the aware moment of wall time `at` on `day` in `tz` (gap and overlap rules above)."""
    # fold=0 picks the first of two repeated times; in a gap it applies the offset from
    # before the change, so the UTC round trip lands that much later on the wall clock.
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError(f"{name} must carry a time zone (got {moment.isoformat()}).")


@dataclass(frozen=True, kw_only=True)
class Occurrence:
    """One sprint boundary: the sprint it starts and when its prompt goes out."""

    number: int
    at: datetime

    @property
    def key(self) -> str:
        """Return the stable id of this occurrence, e.g. "sprint-7"."""
        return occurrence_key(self.number)


def occurrence_key(number: int) -> str:
    """Return the stable id of sprint `number`'s boundary, e.g. "sprint-7"."""
    return f"sprint-{number}"


@dataclass(frozen=True, kw_only=True)
class SprintCalendar:
    """Sprints of `length_days` from `start`, each prompted at `prompt_time` in `tz`.

    Edit it with dataclasses.replace: the new calendar is validated and its boundaries
    follow from the new settings alone.
    """

    start: date
    length_days: int
    tz: str
    prompt_time: time

    def __post_init__(self) -> None:
        if isinstance(self.start, datetime):
            raise CalendarError("The sprint start must be a date, not a date and time.")
        if self.length_days < 1:
            raise CalendarError(f"A sprint must last at least 1 day (got {self.length_days} days).")
        if self.prompt_time.tzinfo is not None:
            raise CalendarError("The prompt time is a local wall time: give it without a zone.")
        time_zone(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        """Return the team's time zone."""
        return time_zone(self.tz)

    def sprint_number(self, at: datetime) -> int:
        """Return the 1-based sprint running at `at` by the team's local date; 0 before start."""
        _require_aware(at, "The moment")
        days = (at.astimezone(self.zone).date() - self.start).days
        # A sprint starts at local midnight of its first day, before its prompt goes out.
        return 0 if days < 0 else days // self.length_days + 1

    def start_date(self, number: int) -> date:
        """Return the local date sprint `number` starts on."""
        if number < 1:
            raise CalendarError(f"Sprints are numbered from 1 (got {number}).")
        return self.start + timedelta(days=(number - 1) * self.length_days)

    def boundary(self, number: int) -> datetime:
        """Return when sprint `number`'s prompt goes out: local prompt time on its first day.

        The result is in the team's zone; subtract or compare it against another zone's
        (or UTC) moment, since Python does both by wall clock within one zone.
        """
        return local_datetime(self.start_date(number), self.prompt_time, tz=self.zone)

    def next_boundary(self, after: datetime) -> datetime:
        """Return the first boundary strictly after `after`."""
        return self._next_occurrence(after).at

    def occurrences_between(self, start: datetime, end: datetime) -> tuple[Occurrence, ...]:
        """Return the boundaries after `start` up to and including `end`, oldest first."""
        _require_aware(end, "The end")
        last = end.astimezone(UTC)  # by instant, as in _next_occurrence
        found: list[Occurrence] = []
        occurrence = self._next_occurrence(start)
        while occurrence.at <= last:
            found.append(occurrence)
            occurrence = Occurrence(
                number=occurrence.number + 1, at=self.boundary(occurrence.number + 1)
            )
        return tuple(found)

    def _next_occurrence(self, after: datetime) -> Occurrence:
        _require_aware(after, "The moment")
        # Python compares two datetimes of one zone by wall clock, wrong in the fall-back
        # hour; against UTC the comparison is by instant.
        instant = after.astimezone(UTC)
        # Start one sprint early: a prompt shifted by a gap can fall after its own day began.
        number = max(1, self.sprint_number(after) - 1)
        while (at := self.boundary(number)) <= instant:
            number += 1
        return Occurrence(number=number, at=at)


def add_working_hours(
    start: datetime,
    hours: float,
    *,
    tz: str,
    day_start: time = time(9),
    day_end: time = time(18),
    weekdays: Collection[int] = MONDAY_TO_FRIDAY,
    closed: Callable[[date], bool] | None = None,
) -> datetime:
    """Return when `hours` of working time after `start` have passed, in `tz`.

    Working time is `day_start` to `day_end` local time on `weekdays` (Monday is 0), except
    the days `closed` says are off (public holidays, skipped dates).
    Time outside it does not count, so a reminder due in 24 working hours from Friday
    17:00 comes on Wednesday at 14:00. Zero hours returns `start` unchanged.
    """
    _require_aware(start, "The start")
    team_zone = time_zone(tz)
    if hours < 0:
        raise CalendarError(f"Working hours to add cannot be negative (got {hours}).")
    if day_start >= day_end:
        raise CalendarError(
            f"The working day must start before it ends ({day_start:%H:%M} to {day_end:%H:%M})."
        )
    days = set(weekdays)
    if not days or not days <= set(range(7)):
        raise CalendarError("Working days are numbers 0 (Monday) to 6 (Sunday), at least one.")
    if hours == 0:
        return start
    # Count on the wall clock: a working day is day_end - day_start long even on the night
    # the clocks change, because no team works through 02:00-03:00.
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(team_zone).replace(tzinfo=None)
    while True:
        opens = datetime.combine(cursor.date(), day_start)
        closes = datetime.combine(cursor.date(), day_end)
        working = cursor.weekday() in days and not (closed and closed(cursor.date()))
        if working and cursor < closes:
            cursor = max(cursor, opens)
            if cursor + remaining <= closes:
                end = cursor + remaining
                return local_datetime(end.date(), end.time(), tz=team_zone)
            remaining -= closes - cursor
        cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0))
        if cursor.date() - start.date() > timedelta(days=3660):  # `closed` every day: a bug
            raise CalendarError("No working time within ten years: check the days off.")
