"""The API's contract: the request and response models the OpenAPI description is built from."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_BATCH = 5_000  # rows per HTTP request; a CSV back-fill is one batch of any length

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AT_HELP = "write e.g. 2026-03-02T09:00:00Z, 2026-03-02T10:00:00+01:00, or the date 2026-03-02"


def _parse_at(value: object) -> datetime | date:
    if not isinstance(value, str):
        raise PydanticCustomError("at_type", "must be a string: " + _AT_HELP)
    text = value.strip()
    shown = {"text": text[:40]}
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise PydanticCustomError("at_date", "'{text}' is not a calendar date", shown) from None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError(
            "at_format", "'{text}' is not an ISO 8601 timestamp: " + _AT_HELP, shown
        ) from None
    if parsed.tzinfo is None:
        raise PydanticCustomError(
            "at_naive", "'{text}' has no UTC offset: add Z or +01:00, or send a bare date", shown
        )
    return parsed


_AT_SCHEMA = {
    "type": "string",
    "description": "ISO 8601 timestamp with a UTC offset, or a date (that day's value, "
    "kept at noon in the project's time zone). Not more than 1 hour in the future.",
    "anyOf": [{"format": "date-time"}, {"format": "date"}],
    "examples": ["2026-03-02T09:00:00Z", "2026-03-02"],
}


class SampleIn(BaseModel):
    """One reported value of a metric."""

    model_config = ConfigDict(extra="ignore")

    name: Annotated[
        str,
        Field(strict=True, min_length=1, max_length=64, examples=["relevance_rating"]),
    ] = Field(description="The metric's name as defined with /metric define (any case).")
    value: Annotated[float, Field(strict=True, allow_inf_nan=False, examples=[0.74])] = Field(
        description="A finite JSON number; NaN and Infinity are refused."
    )
    at: Annotated[datetime | date, PlainValidator(_parse_at), WithJsonSchema(_AT_SCHEMA)]


class MetricsBatch(BaseModel):
    """The body of POST /api/v1/metrics."""

    samples: list[SampleIn] = Field(max_length=MAX_BATCH, description="At most 5,000 rows.")


class IngestResponse(BaseModel):
    """What a stored batch did."""

    stored: int = Field(description="New samples stored.")
    updated: int = Field(description="Stored samples whose value this batch corrected.")
    duplicates: int = Field(description="Rows already stored with the same value.")
