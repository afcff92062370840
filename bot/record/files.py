"""A record written as files: one JSON document, or one CSV with a `kind` column.

One CSV rather than a zip of five: it opens in a spreadsheet as it is, `kind` filters it
(`df[df.kind == "answer"]`), and the shared `at`, `who` columns put every kind on one
timeline. Its columns are every kind's fields, in order of first appearance; a field a
kind does not have is blank. Lists (a verdict's missing elements) are joined with "; ", and
text starting with = + - @ gets a leading ' so no spreadsheet runs it as a formula (the JSON
keeps every text exactly).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.record.service import FIELDS, Kind, Row

FORMATS = ("csv", "json")


def as_json(*, project: Row, record: Mapping[Kind, list[Row]], exported_at: datetime) -> str:
    """Return the record as one JSON document: the project, then a list per kind."""
    document: dict[str, Any] = {
        "project": project,
        "exported_at": exported_at.isoformat(),
        **{kind.value: record.get(kind, []) for kind in Kind},
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def columns() -> list[str]:
    """Return the CSV's columns: `kind`, `project_id`, then each field where it first appears."""
    seen: dict[str, None] = {"kind": None, "project_id": None}
    for kind in Kind:
        seen.update(dict.fromkeys(FIELDS[kind]))
    return list(seen)


# A cell a spreadsheet would run as a formula; typed text starting so gets a leading "'".
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(*, project: Row, record: Mapping[Kind, list[Row]]) -> str:
    """Return the record as one CSV, a row per hypothesis, review, answer, decision, sample."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(), lineterminator="\n")
    writer.writeheader()
    for kind in Kind:
        for row in record.get(kind, []):
            cells = {key: _cell(value) for key, value in row.items()}
            writer.writerow({"kind": kind.singular, "project_id": project["id"], **cells})
    return out.getvalue()


def render(
    *, fmt: str, project: Row, record: Mapping[Kind, list[Row]], exported_at: datetime
) -> str:
    """Return the record in `fmt` ("csv" or "json")."""
    if fmt == "csv":
        return as_csv(project=project, record=record)
    return as_json(project=project, record=record, exported_at=exported_at)


_NOUNS = {
    Kind.HYPOTHESES: ("hypothesis", "hypotheses"),
    Kind.REVIEWS: ("review", "reviews"),
    Kind.ANSWERS: ("answer", "answers"),
    Kind.DECISIONS: ("decision", "decisions"),
    Kind.METRICS: ("metric value", "metric values"),
    Kind.CHANGES: ("change", "changes"),
}


def counts(record: Mapping[Kind, list[Row]]) -> str:
    """Return how many rows of each kind, as a person reads it: "1 decision, 5 metric values"."""
    return ", ".join(
        f"{len(record.get(kind, [])):,} {_NOUNS[kind][len(record.get(kind, [])) != 1]}"
        for kind in Kind
    )


def file_name(*, project: Row, fmt: str, exported_at: datetime) -> str:
    """Return a file name that says whose record it is and when it was taken."""
    slug = "".join(c if c.isalnum() else "-" for c in str(project["name"]).lower()).strip("-")
    return f"gatebot-{slug[:40] or 'project'}-{exported_at:%Y%m%d-%H%M}.{fmt}"
