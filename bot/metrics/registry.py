"""The metric registry: a project's shared metrics, their thresholds, owners and guardrails."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

import db.metrics as queries
import db.projects as project_queries
from bot.core.errors import InvalidInput, NotFound
from bot.metrics import Direction, GuardrailPair, MetricKind, MetricSpec, MetricSpecError
from bot.metrics.command import LABEL_LIMIT, UNIT_LIMIT
from bot.metrics.state import MetricState
from bot.slack.mrkdwn import escape
from db import workspaces
from db.columns import utcnow
from db.models.gates import Project
from db.models.metrics import Metric, MetricSample

NAME = re.compile(r"[a-z][a-z0-9_.-]{0,63}")

# What /metric define and update may set; a None value clears the field where that is allowed.
FIELDS = frozenset(
    {"kind", "direction", "warn", "breach", "unit", "periods", "stale", "owner", "label"}
    | {"guardrail_of", "max_drop", "relative"}
)


class NoProject(NotFound):
    """The channel has no project, so it has no metrics either."""


def project_in(*, session: Session, team_id: str, channel_id: str) -> Project:
    """Return the project run in this channel, or raise NoProject pointing to /gate setup."""
    workspace = workspaces.get_by_team(session=session, team_id=team_id)
    project = None
    if workspace is not None and workspace.id is not None:
        project = project_queries.get_for_channel(
            session=session, workspace_id=workspace.id, channel_id=channel_id
        )
    if project is None:
        raise NoProject(
            f"No project is set up in <#{channel_id}> yet, and shared metrics belong to a "
            "project: run `/gate setup` here first, then `/metric define`."
        )
    return project


def check_name(name: str) -> str:
    """Return the metric name in its stored form (lowercase), or raise with how to fix it."""
    cleaned = name.strip().lower()
    if not NAME.fullmatch(cleaned):
        raise InvalidInput(
            f"`{escape(name.strip()[:80])}` cannot be a metric name: use one word of lowercase "
            "letters, digits and _ . - starting with a letter, e.g. `relevance_rating`."
        )
    return cleaned


def get(*, session: Session, project: Project, name: str) -> Metric:
    """Return the project's metric called `name`, or raise NotFound suggesting a close name."""
    assert project.id is not None
    cleaned = name.strip().lower()
    metric = queries.get_metric(session=session, project_id=project.id, name=cleaned)
    if metric is not None:
        return metric
    known = list(queries.metric_ids(session=session, project_id=project.id))
    close = difflib.get_close_matches(cleaned, known, n=1)
    hint = f" Did you mean `{close[0]}`?" if close else " `/metric list` shows the metrics."
    raise NotFound(f"This project has no metric `{escape(cleaned[:64])}`.{hint}")


def spec_of(metric: Metric) -> MetricSpec:
    """Return the statistics' view of a stored metric."""
    return MetricSpec(
        name=metric.name,
        kind=MetricKind(metric.kind),
        unit=metric.unit,
        direction=Direction(metric.direction),
        warn=metric.warn_threshold,
        breach=metric.breach_threshold,
        periods_in_row=metric.periods_in_row,
        owner=metric.owner,
        stale_after_periods=metric.stale_after_periods,
    )


def pair_of(*, guardrail: Metric, primary: Metric) -> GuardrailPair:
    """Return the guardrail pairing a guardrail metric declares with its primary."""
    assert guardrail.guardrail_max_drop is not None
    return GuardrailPair(
        primary=primary.name,
        guardrail=guardrail.name,
        max_drop=guardrail.guardrail_max_drop,
        relative=guardrail.guardrail_relative,
    )


def define(
    *, session: Session, project: Project, name: str, changes: Mapping[str, object], user_id: str
) -> Metric:
    """Add a metric to the project; every field is checked before anything is stored."""
    assert project.id is not None
    name = check_name(name)
    for needed, example in (("kind", "product"), ("direction", "higher_is_better")):
        if changes.get(needed) is None:
            raise InvalidInput(
                f"Say the metric's {needed}, e.g. `/metric define {name} {example}`."
            )
    if changes.get("breach") is None:
        raise InvalidInput(
            "Every shared metric needs its rollback trigger: add `breach=&lt;value&gt;` "
            "(and `warn=&lt;value&gt;` for an earlier warning)."
        )
    metric = Metric(
        project_id=project.id,
        name=name,
        kind=str(changes["kind"]),  # checked and normalised by _apply
        direction=str(changes["direction"]),
        owner=user_id,
        created_by=user_id,
    )
    _apply(session=session, project=project, metric=metric, changes=changes)
    if not queries.add_metric(session=session, metric=metric):
        raise InvalidInput(
            f"`{name}` is already defined here: change it with `/metric update {name} …`."
        )
    return metric


def update(
    *, session: Session, project: Project, name: str, changes: Mapping[str, object]
) -> Metric:
    """Change some fields of a metric; the whole metric is checked again before it is kept."""
    metric = get(session=session, project=project, name=name)
    if not changes:
        raise InvalidInput(f"Say what to change, e.g. `/metric update {metric.name} warn=0.75`.")
    _apply(session=session, project=project, metric=metric, changes=changes)
    metric.updated_at = utcnow()
    session.add(metric)
    session.flush()
    return metric


# Setting -> column; kind, direction, unit and owner are both.
_COLUMNS = {name: name for name in ("kind", "direction", "unit", "owner")} | {
    "warn": "warn_threshold",
    "breach": "breach_threshold",
    "periods": "periods_in_row",
    "stale": "stale_after_periods",
    "label": "display_name",
    "max_drop": "guardrail_max_drop",
    "relative": "guardrail_relative",
}


def _apply(
    *, session: Session, project: Project, metric: Metric, changes: Mapping[str, object]
) -> None:
    """Set `changes` on a copy, validate it whole, and only then on `metric`."""
    unknown = set(changes) - FIELDS
    if unknown:
        raise InvalidInput(f"Unknown setting {', '.join(sorted(unknown))}.")
    values = {column: getattr(metric, column) for column in _COLUMNS.values()}
    values |= {_COLUMNS[key]: value for key, value in changes.items() if key in _COLUMNS}
    if values["breach_threshold"] is None:
        raise InvalidInput("The breach threshold (the rollback trigger) cannot be removed.")
    values["unit"] = " ".join(str(values["unit"] or "").split())
    for column, limit in (("unit", UNIT_LIMIT), ("display_name", LABEL_LIMIT)):
        if values[column] and len(str(values[column])) > limit:
            raise InvalidInput(
                f"Keep the {column.replace('display_name', 'label')} to {limit} characters."
            )
    try:
        # The statistics' own checks (threshold order, counts, kinds); their messages quote
        # what was typed, so they are escaped before Slack reads them as markup.
        spec = MetricSpec(
            name=metric.name,
            kind=str(values["kind"]),  # type: ignore[arg-type]
            direction=str(values["direction"]),  # type: ignore[arg-type]
            unit=str(values["unit"]),
            warn=values["warn_threshold"],
            breach=values["breach_threshold"],
            periods_in_row=values["periods_in_row"],
            owner=values["owner"],
            stale_after_periods=values["stale_after_periods"],
        )
    except MetricSpecError as error:
        raise MetricSpecError(escape(str(error))) from None
    values |= {"kind": spec.kind.value, "direction": spec.direction.value}
    guardrail_of = metric.guardrail_of
    if "guardrail_of" in changes:
        guardrail_of = _primary_id(session=session, project=project, metric=metric, changes=changes)
    if guardrail_of is None:
        values |= {"guardrail_max_drop": None, "guardrail_relative": True}
    else:
        if values["guardrail_max_drop"] is None:
            raise InvalidInput(
                "Say how far the guardrail may drop: `max-drop=2%` or `max-drop=0.5`."
            )
        GuardrailPair(
            primary="primary",
            guardrail=metric.name,
            max_drop=values["guardrail_max_drop"],
            relative=bool(values["guardrail_relative"]),
        )
    if "max_drop" in changes and guardrail_of is None:
        raise InvalidInput("`max-drop` needs `guardrail-of=&lt;primary metric&gt;` to go with it.")
    for column, value in values.items():
        setattr(metric, column, value)
    metric.guardrail_of = guardrail_of


def _primary_id(
    *, session: Session, project: Project, metric: Metric, changes: Mapping[str, object]
) -> int | None:
    target = changes["guardrail_of"]
    if target is None:
        return None
    primary = get(session=session, project=project, name=str(target))
    if primary.name == metric.name:
        raise MetricSpecError(f"'{metric.name}' cannot be its own guardrail.")
    if primary.guardrail_of is not None:
        raise InvalidInput(
            f"`{primary.name}` is itself a guardrail; pair `{metric.name}` with the primary "
            "metric it protects."
        )
    if metric.id is not None and queries.guardrails_of(session=session, metric_id=metric.id):
        raise InvalidInput(f"`{metric.name}` has guardrails of its own, so it cannot be one.")
    return primary.id


def primary_name(*, session: Session, metric: Metric) -> str | None:
    """Return the name of the primary metric `metric` guards, if it is a guardrail."""
    if metric.guardrail_of is None:
        return None
    primary = queries.get_metric_by_id(
        session=session, project_id=metric.project_id, metric_id=metric.guardrail_of
    )
    return primary.name if primary else None


@dataclass(frozen=True, kw_only=True)
class MetricLine:
    """A metric as /metric list shows it: with its latest value and its primary's name."""

    metric: Metric
    latest: MetricSample | None
    guards: str | None  # the primary metric's name, when this is a guardrail
    state: MetricState | None = None  # where it stands today (bot.metrics.judging)


def list_lines(*, session: Session, project: Project) -> list[MetricLine]:
    """Return the project's metrics with their latest values, by name."""
    assert project.id is not None
    metrics = queries.list_metrics(session=session, project_id=project.id)
    latest = queries.latest_samples(session=session, metric_ids=[m.id for m in metrics if m.id])
    names = {m.id: m.name for m in metrics}
    return [
        MetricLine(
            metric=m,
            latest=latest.get(m.id) if m.id is not None else None,
            guards=names.get(m.guardrail_of) if m.guardrail_of is not None else None,
        )
        for m in metrics
    ]
