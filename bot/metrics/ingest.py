"""Ingestion: check a batch of metric samples row by row, then store it whole or not at all.

Rules, shared by the HTTP API, `gatebot import-csv` and `/metric record`:
- `at` is an ISO 8601 timestamp with a UTC offset, or a bare date meaning that day's value,
  kept at noon in the project's time zone (noon survives any later time-zone change).
  A timestamp without an offset is refused: guessing its zone would shift days silently.
- The same metric and instant again is idempotent: the same value changes nothing, a
  different value replaces the stored one (a corrected re-send), reported as `updated`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlmodel import Session

import db.metrics as queries
from bot.core.errors import InvalidInput
from bot.metrics import registry as metric_registry
from bot.metrics.ingest_schema import SampleIn
from bot.slack.mrkdwn import escape
from db.columns import utcnow
from db.models.gates import Project
from db.models.metrics import Metric

FUTURE_TOLERANCE = timedelta(hours=1)  # clocks drift; a day ahead is a time-zone bug
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # before this it is an epoch-zero bug
DAY_VALUE_TIME = time(12, 0)
MAX_REPORTED = 20  # errors spelled out in a message; the rest are counted

Label = Callable[[int, str | None], str]


@dataclass(frozen=True, kw_only=True)
class IngestResult:
    """The counts, and which metrics received data (for the flags to re-evaluate)."""

    stored: int
    updated: int
    duplicates: int
    metric_ids: frozenset[int]


class BatchRejected(InvalidInput):
    """Rows that cannot be stored; nothing of the batch was stored."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        shown = [f"• {where}: {message}" for where, message in errors[:MAX_REPORTED]]
        if len(errors) > MAX_REPORTED:
            shown.append(f"… and {len(errors) - MAX_REPORTED:,} more")
        rows = "1 problem" if len(errors) == 1 else f"{len(errors):,} problems"
        super().__init__(f"Nothing was stored: {rows}.\n" + "\n".join(shown))


def api_label(index: int, field: str | None) -> str:
    """Return where a row's problem is, as the JSON body names it: samples[3].value."""
    return f"samples[{index}]" + (f".{field}" if field else "")


_MESSAGES = {
    "missing": "is required",
    "finite_number": "must be a finite number (NaN and Infinity are refused)",
    "float_type": "must be a finite number",
    "string_type": "must be a string",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most 64 characters",
    "model_type": "must be an object with name, value and at",
}


def _describe(error: ValidationError, index: int, label: Label) -> list[tuple[str, str]]:
    found = []
    for detail in error.errors(include_url=False):
        field = ".".join(str(part) for part in detail["loc"]) or None
        message = _MESSAGES.get(detail["type"], detail["msg"])
        found.append((label(index, field), message))
    return found


@dataclass(frozen=True)
class _Row:
    index: int
    metric_id: int
    at: datetime
    value: float


def _zone(project: Project) -> ZoneInfo:
    try:
        return ZoneInfo(project.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _instant(at: datetime | date, *, zone: ZoneInfo, now: datetime) -> datetime | str:
    """Return the instant to store, or why it is refused."""
    try:
        return _checked_instant(at, zone=zone, now=now)
    except OverflowError:  # year 1 with a positive offset, say
        return "is out of range: check the timestamp"


def _checked_instant(at: datetime | date, *, zone: ZoneInfo, now: datetime) -> datetime | str:
    if isinstance(at, datetime):
        instant = at.astimezone(UTC)
        if instant > now + FUTURE_TOLERANCE:
            ahead = (instant - now).total_seconds() / 3600
            return (
                f"is {ahead:,.1f} hours in the future (more than 1 hour ahead of the server's "
                "clock): check the sender's clock and time zone"
            )
    else:
        if at > now.astimezone(zone).date():
            return f"{at.isoformat()} is after today in the project's time zone ({zone.key})"
        instant = datetime.combine(at, DAY_VALUE_TIME, tzinfo=zone).astimezone(UTC)
    if instant < EARLIEST:
        return "is before 2000-01-01: check the timestamp's units and epoch"
    return instant


def _unknown(name: str, known: dict[str, int]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "define it in Slack with /metric define"
    return f"no metric named '{name[:64]}' in this project: {hint}"


def check_rows(
    *, session: Session, project: Project, rows: Sequence[object], now: datetime, label: Label
) -> tuple[list[_Row], int]:
    """Return the rows to write and how many repeat an earlier row; raise BatchRejected."""
    assert project.id is not None
    known = queries.metric_ids(session=session, project_id=project.id)
    zone = _zone(project)
    errors: list[tuple[str, str]] = []
    first: dict[tuple[int, datetime], _Row] = {}
    repeats = 0
    for index, raw in enumerate(rows):
        try:
            sample = SampleIn.model_validate(raw)
        except ValidationError as error:
            errors += _describe(error, index, label)
            continue
        name = sample.name.strip().lower()
        metric_id = known.get(name)
        if metric_id is None:
            errors.append((label(index, "name"), _unknown(name, known)))
        instant = _instant(sample.at, zone=zone, now=now)
        if isinstance(instant, str):
            errors.append((label(index, "at"), instant))
        if metric_id is None or isinstance(instant, str):
            continue
        row = _Row(index, metric_id, instant, sample.value)
        earlier = first.setdefault((metric_id, instant), row)
        if earlier is row:
            continue
        if earlier.value != row.value:
            errors.append(
                (
                    label(index, None),
                    f"repeats {label(earlier.index, None)}'s metric and time "
                    "with a different value: send one",
                )
            )
        repeats += 1
    if errors:
        raise BatchRejected(errors)
    return list(first.values()), repeats


def store(
    *,
    session: Session,
    project: Project,
    rows: Sequence[object],
    now: datetime | None = None,
    label: Label = api_label,
) -> IngestResult:
    """Check every row, then write them in the caller's transaction; raise BatchRejected.

    Nothing is written until every row passes, and the caller commits once, so a batch
    that fails half-way (a database error) leaves nothing behind.
    """
    now = now or utcnow()
    checked, repeats = check_rows(session=session, project=project, rows=rows, now=now, label=label)
    values = [{"metric_id": r.metric_id, "at": r.at, "value": r.value} for r in checked]
    inserted = queries.insert_new_samples(session=session, rows=values, received_at=now)
    rest = [r for r in checked if (r.metric_id, r.at) not in inserted]
    stored = queries.stored_values(session=session, keys=[(r.metric_id, r.at) for r in rest])
    changed = {
        (r.metric_id, r.at): r.value for r in rest if stored.get((r.metric_id, r.at)) != r.value
    }
    queries.replace_values(session=session, values=changed, received_at=now)
    return IngestResult(
        stored=len(inserted),
        updated=len(changed),
        duplicates=repeats + len(rest) - len(changed),
        metric_ids=frozenset(metric_id for metric_id, _ in inserted | changed.keys()),
    )


def _slack_label(index: int, field: str | None) -> str:
    return field or "row"


def record(
    *,
    session: Session,
    project: Project,
    name: str,
    value: float,
    day: date | None = None,
    now: datetime | None = None,
) -> tuple[Metric, IngestResult]:
    """Store one value typed in Slack: as of now, or that day's value when `day` is given."""
    metric = metric_registry.get(session=session, project=project, name=name)
    now = now or utcnow()
    row = {"name": metric.name, "value": value, "at": (day or now).isoformat()}
    try:
        result = store(session=session, project=project, rows=[row], now=now, label=_slack_label)
    except BatchRejected as error:
        reasons = "; ".join(f"{where} {message}" for where, message in error.errors)
        raise InvalidInput(f"Nothing was recorded: the {escape(reasons)}.") from None
    return metric, result
