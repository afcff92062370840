"""What people type into /gate: the sub-command, the set-up form, the evaluation numbers."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from datetime import date, time
from enum import StrEnum

from bot.gates import (
    CalendarError,
    GateError,
    Phase,
    PowerInputError,
    PowerPlan,
    power_plan,
    time_zone,
)
from bot.gates.days_off import parse_region

MAX_NAME_LENGTH = 120  # Project.name's column
MIN_SPRINT_DAYS, MAX_SPRINT_DAYS = 1, 90
MAX_STANDINS = 5
_SLACK_ID = re.compile(r"^[A-Z][A-Z0-9]{2,31}$")  # anything else must not become a mention


class Subcommand(StrEnum):
    """What `/gate <text>` asks for."""

    SETUP = "setup"
    STATUS = "status"
    PAUSE = "pause"
    RESUME = "resume"
    NOW = "now"
    PHASE = "phase"
    HISTORY = "history"
    QUESTION = "question"
    EXPORT = "export"
    SKIP = "skip"
    UNSKIP = "unskip"
    HELP = "help"


@dataclass(frozen=True)
class GateCommand:
    """A parsed `/gate` invocation; `unknown` names a sub-command we did not recognise."""

    subcommand: Subcommand
    argument: str = ""
    unknown: str | None = None


_ALIASES = {"?": Subcommand.HELP, "-h": Subcommand.HELP, "--help": Subcommand.HELP}


def parse_command(text: str) -> GateCommand:
    """Decide what `/gate <text>` means; no text means status, anything unknown means help."""
    word, _, rest = " ".join(text.split()).partition(" ")
    if not word:
        return GateCommand(Subcommand.STATUS)
    key = word.casefold()
    subcommand = _ALIASES.get(key) or next((s for s in Subcommand if s.value == key), None)
    if subcommand is None:
        return GateCommand(Subcommand.HELP, unknown=word)
    return GateCommand(subcommand, argument=rest)


@dataclass(frozen=True, kw_only=True)
class SetupForm:
    """What the set-up modal submits, as text; `validate` says what cannot be used."""

    name: str = ""
    channel: str = ""
    sprint_length: str = ""
    sprint_start: str = ""
    timezone: str = ""
    prompt_time: str = ""
    pm_lead: str = ""
    ds_lead: str = ""
    phase: str = ""
    holidays: str = ""  # "GB", "US-CA": whose public holidays are days off
    working_days: tuple[str, ...] = ("0", "1", "2", "3", "4")  # checked weekdays, 0 = Monday
    standins: tuple[str, ...] = ()  # Slack user ids, in the order picked

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Return the field names in the order the modal shows them."""
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True, kw_only=True)
class Setup:
    """A valid set-up, typed."""

    name: str
    channel_id: str
    sprint_length_days: int
    sprint_start: date
    timezone: str
    prompt_time: time
    pm_lead: str | None
    ds_lead: str | None
    phase: Phase
    holiday_country: str | None
    holiday_subdivision: str | None
    working_days: list[int]
    standins: list[str]


def validate(form: SetupForm) -> dict[str, str]:
    """Return an error message per field that cannot be used (empty when the form is valid)."""
    errors: dict[str, str] = {}
    name = " ".join(form.name.split())
    if not name:
        errors["name"] = "Give the project a name, e.g. Search ranking."
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = f"Keep the name under {MAX_NAME_LENGTH} characters ({len(name)} now)."
    if not _SLACK_ID.match(form.channel.strip()):
        errors["channel"] = "Pick the channel the team talks in."
    for lead in ("pm_lead", "ds_lead"):
        if getattr(form, lead).strip() and not _SLACK_ID.match(getattr(form, lead).strip()):
            errors[lead] = "Pick a person from the list."
    length = _int(form.sprint_length)
    if length is None:
        errors["sprint_length"] = "Give the sprint length as a whole number of days, e.g. 14."
    elif not MIN_SPRINT_DAYS <= length <= MAX_SPRINT_DAYS:
        errors["sprint_length"] = (
            f"A sprint lasts {MIN_SPRINT_DAYS} to {MAX_SPRINT_DAYS} days (got {length})."
        )
    if _date(form.sprint_start) is None:
        errors["sprint_start"] = "Pick the day the current sprint started."
    try:
        time_zone(form.timezone.strip())
    except CalendarError:
        errors["timezone"] = (
            f"Unknown time zone '{form.timezone.strip()[:64]}': use an IANA name like "
            "Europe/Berlin or America/New_York."
        )
    if _time(form.prompt_time) is None:
        errors["prompt_time"] = "Pick the local time prompts go out, e.g. 09:30."
    try:
        Phase.parse(form.phase)
    except GateError:
        errors["phase"] = "Pick the phase the project is in."
    return errors | _calendar_errors(form)


def _calendar_errors(form: SetupForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        parse_region(form.holidays)
    except CalendarError as error:
        errors["holidays"] = str(error)
    if _weekdays(form.working_days) is None:
        errors["working_days"] = "Tick at least one working day: prompts go out only on them."
    if not all(_SLACK_ID.match(user.strip()) for user in form.standins):
        errors["standins"] = "Pick people from the list."
    elif len(form.standins) > MAX_STANDINS:
        errors["standins"] = f"Pick at most {MAX_STANDINS} stand-ins ({len(form.standins)} now)."
    return errors


def parse(form: SetupForm) -> Setup:
    """Return the typed set-up of a form `validate` accepted."""
    if errors := validate(form):
        raise ValueError(f"invalid set-up: {errors}")
    length, start, at = _int(form.sprint_length), _date(form.sprint_start), _time(form.prompt_time)
    days = _weekdays(form.working_days)
    assert length is not None and start is not None and at is not None and days is not None
    country, subdivision = parse_region(form.holidays)
    return Setup(
        name=" ".join(form.name.split()),
        channel_id=form.channel.strip(),
        sprint_length_days=length,
        sprint_start=start,
        timezone=form.timezone.strip(),
        prompt_time=at,
        pm_lead=form.pm_lead.strip() or None,
        ds_lead=form.ds_lead.strip() or None,
        phase=Phase.parse(form.phase),
        holiday_country=country,
        holiday_subdivision=subdivision,
        working_days=days,
        standins=list(dict.fromkeys(user.strip() for user in form.standins)),
    )


def _weekdays(values: Collection[str]) -> list[int] | None:
    """Return the ticked weekdays (0 = Monday) sorted, or None if none or one is not a day."""
    days = [_int(value) for value in values]
    if not days or any(day is None or not 0 <= day <= 6 for day in days):
        return None
    return sorted({day for day in days if day is not None})


def _int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _time(text: str) -> time | None:
    try:
        return time.fromisoformat(text.strip()).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        return None


_WHOLE_NUMBERS = frozenset({"weekly_traffic"})


@dataclass(frozen=True, kw_only=True)
class Numbers:
    """The evaluation gate's numbers as typed, or what is wrong with them."""

    values: dict[str, float]
    errors: dict[str, str]


def read_numbers(raw: Mapping[str, str], *, required: Collection[str]) -> Numbers:
    """Parse the numbers for the power calculation; none given is fine.

    Cheap and pure, so the modal can show errors inline before its ack: the calculation
    itself (statsmodels, a second to import) runs after the ack, in `plan_for`.
    """
    given = {key: text.strip() for key, text in raw.items() if text.strip()}
    if not given:
        return Numbers(values={}, errors={})
    values: dict[str, float] = {}
    errors = {key: "Needed, with the others, to size the test." for key in required}
    for key, text in given.items():
        errors.pop(key, None)
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            errors[key] = "Give a number, e.g. 0.3."
        elif key in _WHOLE_NUMBERS and (number < 1 or number != int(number)):
            errors[key] = "Give a whole number of users, e.g. 50000."
        else:
            values[key] = int(number) if key in _WHOLE_NUMBERS else number
    errors |= _implausible(values)
    return Numbers(values=values, errors=errors)


def plan_for(values: Mapping[str, float]) -> tuple[PowerPlan | None, str | None]:
    """Return the sample size and duration for valid numbers, or why there is none."""
    try:
        return power_plan(**values), None  # type: ignore[arg-type]
    except PowerInputError as error:  # left after read_numbers: an effect no sample detects
        return None, str(error)


def _implausible(values: Mapping[str, float]) -> dict[str, str]:
    errors = {}
    if "sd" in values and values["sd"] <= 0:
        errors["sd"] = "A standard deviation is greater than 0, e.g. 12.5."
    baseline = values.get("baseline")
    if baseline is not None and "sd" not in values and not 0 < baseline < 1:
        errors["baseline"] = (
            "A rate is a fraction between 0 and 1: 0.30 for 30%. "
            "For a mean, also give its standard deviation."
        )
    effect = values.get("mde_relative")
    if effect is not None and not 0 < effect < 1:
        errors["mde_relative"] = "Give the change relative to the baseline: 0.02 for +2%."
    elif effect and baseline and not errors and "sd" not in values and baseline * (1 + effect) >= 1:
        errors["mde_relative"] = (
            f"A {baseline:.0%} rate raised by {effect:.0%} is more than every user: "
            "pick a smaller effect."
        )
    return errors
