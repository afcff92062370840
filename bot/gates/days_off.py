"""A team's days off: weekdays it does not work, its public holidays, and dates it skipped.

The `holidays` package is imported on first use, not with this module: the web process
imports the gates for every request, and its cold start must stay short.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from bot.gates.calendar import MONDAY_TO_FRIDAY, CalendarError
from bot.slack.mrkdwn import escape

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A team off for longer than this has no next working day worth waiting for.
MAX_DAYS_OFF_IN_A_ROW = 366
REGION_EXAMPLE = "a country code like GB, or a country and subdivision like US-CA or DE-BY"


class Calendared(Protocol):
    """What the days off need of a project: a Project, or a row of its columns."""

    holiday_country: str | None
    holiday_subdivision: str | None
    working_days: list[int]
    skipped_dates: list[str]


@dataclass(frozen=True, kw_only=True)
class DaysOff:
    """The days a team does not work; `why` says which and for what reason."""

    country: str | None = None
    subdivision: str | None = None
    working_days: frozenset[int] = MONDAY_TO_FRIDAY
    # Skipped date -> who skipped it (a Slack user id), or None when nobody is known.
    skipped: Mapping[date, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.working_days or not self.working_days <= set(range(7)):
            raise CalendarError("Working days are 0 (Monday) to 6 (Sunday), at least one.")

    @property
    def region(self) -> str | None:
        """Return the holidays' region as people write it, e.g. "GB" or "US-CA"."""
        return region_code(self.country, self.subdivision)

    def why(self, day: date, *, counting_skips: bool = True) -> str | None:
        """Return why `day` is a day off, e.g. "Christmas Day (GB)"; None on a working day.

        Mrkdwn: a holiday's name is the package's text, escaped; a skip names its person.
        """
        if counting_skips and day in self.skipped:
            who = self.skipped[day]
            return f"skipped by <@{who}>" if who else "skipped"
        if name := self.holiday(day):
            return f"{escape(name)} ({self.region})"
        if day.weekday() not in self.working_days:
            return "not a working day"
        return None

    def holiday(self, day: date) -> str | None:
        """Return the name of the public holiday on `day`, or None."""
        if self.country is None:
            return None
        return holiday_names(self.country, self.subdivision, day.year).get(day)

    def next_working_day(self, day: date, *, counting_skips: bool = True) -> date:
        """Return `day` if the team works then, else the first working day after it."""
        for offset in range(MAX_DAYS_OFF_IN_A_ROW + 1):
            candidate = day + timedelta(days=offset)
            if self.why(candidate, counting_skips=counting_skips) is None:
                return candidate
        raise CalendarError(
            f"No working day within a year after {day:%a %-d %b %Y}: check the working days."
        )


def days_off_for(project: Calendared, *, skipped_by: Mapping[date, str] | None = None) -> DaysOff:
    """Return a project's days off; `skipped_by` names who skipped which date, where known."""
    names = skipped_by or {}
    skipped: dict[date, str | None] = {}
    for text in project.skipped_dates or []:
        try:
            day = date.fromisoformat(text)
        except ValueError:  # written by hand in the database: not a date, so no day off
            continue
        skipped[day] = names.get(day)
    return DaysOff(
        country=project.holiday_country,
        subdivision=project.holiday_subdivision,
        working_days=frozenset(project.working_days or MONDAY_TO_FRIDAY),
        skipped=skipped,
    )


def region_code(country: str | None, subdivision: str | None) -> str | None:
    """Return "GB", "US-CA" or None: how the set-up form shows a holiday region."""
    if not country:
        return None
    return f"{country}-{subdivision}" if subdivision else country


def parse_region(text: str) -> tuple[str | None, str | None]:
    """Return (country, subdivision) for "GB", "us-ca", "GB SCT"; (None, None) for nothing.

    Raises CalendarError naming the part the `holidays` package does not know, in plain
    text: the set-up modal shows it under the box, where Slack reads no mrkdwn.
    """
    words = text.replace("-", " ").replace("_", " ").split()
    if not words:
        return None, None
    if len(words) > 2:
        raise CalendarError(f"Give {REGION_EXAMPLE}.")
    country, subdivision = words[0].upper(), (words[1].upper() if len(words) == 2 else None)
    entity = _supported().get(country)
    if entity is None:
        raise CalendarError(
            f"No public holidays are known for '{words[0][:16]}': give {REGION_EXAMPLE}."
        )
    if subdivision is not None and (subdivision not in entity or len(subdivision) > 10):
        known = ", ".join(entity[:8]) + (" …" if len(entity) > 8 else "")
        listed = f" ({country}'s are {known})" if entity else f" ({country} has none)"
        raise CalendarError(
            f"'{words[1][:16]}' is not a subdivision of {country}{listed}: give {REGION_EXAMPLE}."
        )
    return country, subdivision


@functools.cache
def _supported() -> dict[str, list[str]]:
    import holidays  # noqa: PLC0415 - heavy: only when a region is read

    supported = holidays.list_supported_countries()
    return {code.upper(): [sub.upper() for sub in subs] for code, subs in supported.items()}


@functools.lru_cache(maxsize=512)
def holiday_names(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    """Return the public holidays of a region in `year`, by date (cached: a pass asks often)."""
    import holidays  # noqa: PLC0415 - heavy: only when a holiday is looked up

    try:
        found = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:  # a region stored before the package dropped it
        return {}
    return {day: str(name) for day, name in found.items()}


def working_days_words(days: Collection[int]) -> str:
    """Return working days as people say them: "Monday to Friday", "Sunday to Thursday"."""
    chosen = set(days)
    if len(chosen) == 7:
        return "every day"
    for first in sorted(chosen):  # a run may wrap past Sunday, as Sunday to Thursday does
        run = [(first + step) % 7 for step in range(len(chosen))]
        if len(chosen) > 2 and set(run) == chosen:
            return f"{WEEKDAY_NAMES[run[0]]} to {WEEKDAY_NAMES[run[-1]]}"
    return ", ".join(WEEKDAY_NAMES[d] for d in sorted(chosen))
