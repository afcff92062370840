"""The demo's calendar: the days its rituals happen on, ending today.

It ends today so that what the demo stores (a week of metrics, this week's digest) is what
`gatebot digest --project 1 --dry-run` reads on the kept database right after. The sprint
boundary falls on a Tuesday or Wednesday a week or more before: its reminder, two working
days later, and the decision still come before today, and no Monday digest falls due
between the set-up and the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.gates import time_zone
from bot.gates.calendar import local_datetime

ZONE = "Europe/London"  # the team's time zone, from the people's Slack profiles


@dataclass(frozen=True)
class Timeline:
    """The set-up day, the sprint boundary and today, in the team's zone."""

    setup_day: date
    boundary: date
    today: date

    @property
    def sprint_start(self) -> date:
        """The first day of the sprint that ends at the boundary (14-day sprints)."""
        return self.boundary - timedelta(days=14)

    @property
    def start(self) -> datetime:
        """The demo's first moment: the morning of the set-up day."""
        return at(self.setup_day, 10)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return `hour:minute` on `day`, team time, as an aware moment."""
    return local_datetime(day, time(hour, minute), tz=time_zone(ZONE))


def timeline_for(today: date) -> Timeline:
    """Return the demo's days for a run on `today`."""
    boundary = today - timedelta(days=7)
    while boundary.weekday() not in (1, 2):  # Tuesday or Wednesday
        boundary -= timedelta(days=1)
    return Timeline(setup_day=boundary - timedelta(days=1), boundary=boundary, today=today)


def next_working_day(day: date) -> date:
    """Return the first Monday-to-Friday day after `day`."""
    day += timedelta(days=1)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day
