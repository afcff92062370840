"""Edits people should hear about: a metric's thresholds, owner or guardrail, a gate's question.

The feature that makes an edit says which fields moved, each as people read it
(`FieldChange`, formatted by the feature: bot.metrics.format for a metric's values).
`service.record_edit` keeps one record row per field in the edit's own transaction and
queues the announcement; `flows` posts it to the project's channel once, keyed by the edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldChange:
    """One field of an edit, before and after, as plain text people read; None: unset."""

    field: str  # e.g. "breach", "owner", "wording"
    before: str | None
    after: str | None


def moved(changes: Iterable[FieldChange]) -> list[FieldChange]:
    """Return the changes that change something: an edit to the same value is no edit."""
    return [change for change in changes if change.before != change.after]
