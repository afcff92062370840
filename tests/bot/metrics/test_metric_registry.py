"""The metric registry: validation with readable messages, guardrail pairing, scoping, links."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from bot.core.errors import GatebotError, InvalidInput, NotFound
from bot.metrics import Direction, GuardrailPair, MetricKind, MetricSpec, ingest
from bot.metrics import links as metric_links
from bot.metrics import registry as metric_registry
from bot.metrics.registry import NoProject
from db.metrics import deciding_links, move_alert
from db.models import Hypothesis, HypothesisStatus
from db.models.metrics import AlertState, Metric
from tests.metric_helpers import define, make_project


@pytest.fixture
def project(session: Session):  # type: ignore[no-untyped-def]
    project = make_project(session)
    session.commit()
    return project


def _names(session: Session) -> list[str]:
    return [m.name for m in session.exec(select(Metric).order_by(Metric.id))]


def test_a_metric_is_stored_normalised_and_read_back_as_a_spec(session: Session, project):
    metric = define(
        session,
        project,
        "Relevance_Rating",
        kind="model health",
        direction="Higher-is-better",
        unit=" % ",
        periods=3,
        label="Relevance rating",
    )

    assert (metric.name, metric.kind, metric.direction, metric.unit) == (
        "relevance_rating",
        "model_health",
        "higher_is_better",
        "%",
    )
    assert (metric.display_name, metric.owner, metric.alert_state) == (
        "Relevance rating",
        "U0PM",
        "ok",
    )
    assert metric_registry.spec_of(metric) == MetricSpec(
        name="relevance_rating",
        kind=MetricKind.MODEL_HEALTH,
        direction=Direction.HIGHER_IS_BETTER,
        unit="%",
        warn=0.75,
        breach=0.72,
        periods_in_row=3,
        owner="U0PM",
    )


@pytest.mark.parametrize(
    ("name", "changes", "message"),
    [
        ("two words", {}, "cannot be a metric name"),
        ("ctr", {"kind": "revenue"}, "Unknown metric kind 'revenue': use one of"),
        ("ctr", {"direction": "sideways"}, "Unknown direction 'sideways'"),
        ("ctr", {"kind": "<!here>"}, "Unknown metric kind '&lt;!here&gt;'"),
        ("ctr", {"breach": None}, "needs its rollback trigger"),
        ("ctr", {"breach": 0.8}, "must be at or below the warn threshold (0.75)"),
        ("ctr", {"periods": 0}, "periods in row must be a whole number of days, 1 or more"),
        ("ctr", {"unit": "x" * 17}, "Keep the unit to 16 characters"),
        ("ctr", {"max_drop": 0.1, "relative": False}, "`max-drop` needs `guardrail-of"),
        ("ctr", {"guardrail_of": "nothing"}, "This project has no metric `nothing`"),
        ("ctr", {"colour": "red"}, "Unknown setting colour"),
    ],
)
def test_invalid_definitions_say_what_to_change_and_store_nothing(
    session: Session, project, name: str, changes: dict, message: str
):
    with pytest.raises(GatebotError) as refused:
        define(session, project, name, **changes)

    assert message in str(refused.value)
    assert _names(session) == []


def test_a_name_is_defined_once_per_project_but_again_in_another(session: Session, project):
    define(session, project, "ctr")
    other = make_project(session, channel_id="C0OTHER")

    with pytest.raises(InvalidInput, match="already defined here"):
        define(session, project, "CTR")
    define(session, other, "ctr")

    assert _names(session) == ["ctr", "ctr"]


def test_a_guardrail_pairs_with_a_primary_of_its_own_project(session: Session, project):
    primary = define(session, project, "completion", kind="product")
    guardrail = define(
        session, project, "discovery", guardrail_of="completion", max_drop=0.02, relative=True
    )

    assert guardrail.guardrail_of == primary.id
    assert metric_registry.pair_of(guardrail=guardrail, primary=primary) == GuardrailPair(
        primary="completion", guardrail="discovery", max_drop=0.02, relative=True
    )
    assert metric_registry.primary_name(session=session, metric=guardrail) == "completion"
    [line] = [x for x in metric_registry.list_lines(session=session, project=project) if x.guards]
    assert (line.metric.name, line.guards) == ("discovery", "completion")


@pytest.mark.parametrize(
    ("name", "changes", "message"),
    [
        ("completion", {"guardrail_of": "completion", "max_drop": 0.1}, "its own guardrail"),
        ("novelty", {"guardrail_of": "discovery", "max_drop": 0.1}, "is itself a guardrail"),
        ("completion", {"guardrail_of": "novelty", "max_drop": 0.1}, "has guardrails of its own"),
        ("novelty", {"guardrail_of": "completion"}, "Say how far the guardrail may drop"),
        ("novelty", {"guardrail_of": "completion", "max_drop": 2.0}, "A relative drop is a"),
    ],
)
def test_guardrail_pairings_that_make_no_sense_are_refused(
    session: Session, project, name: str, changes: dict, message: str
):
    define(session, project, "completion")
    define(session, project, "discovery", guardrail_of="completion", max_drop=0.02)
    define(session, project, "novelty")
    before = {m.name: m.guardrail_of for m in session.exec(select(Metric))}

    with pytest.raises(InvalidInput, match=message):
        metric_registry.update(session=session, project=project, name=name, changes=changes)

    assert {m.name: m.guardrail_of for m in session.exec(select(Metric))} == before


def test_update_checks_the_whole_metric_and_changes_nothing_when_it_fails(
    session: Session, project
):
    define(session, project, "latency_p95", direction="lower_is_better", warn=300, breach=400)

    with pytest.raises(InvalidInput, match="must be at or above the warn threshold"):
        metric_registry.update(
            session=session, project=project, name="latency_p95", changes={"breach": 250}
        )
    metric = metric_registry.update(
        session=session,
        project=project,
        name="LATENCY_P95",
        changes={"warn": None, "owner": "U0DS"},
    )

    assert (metric.warn_threshold, metric.breach_threshold, metric.owner) == (None, 400, "U0DS")
    with pytest.raises(InvalidInput, match="cannot be removed"):
        metric_registry.update(
            session=session, project=project, name="latency_p95", changes={"breach": None}
        )


def test_the_channels_project_is_found_only_in_its_own_workspace(session: Session, project):
    found = metric_registry.project_in(session=session, team_id="T0GATEBOT", channel_id="C0TEAM")

    assert found.id == project.id
    for team, channel in (("T0OTHER", "C0TEAM"), ("T0GATEBOT", "C0ELSE")):
        with pytest.raises(NoProject, match="/gate setup"):
            metric_registry.project_in(session=session, team_id=team, channel_id=channel)


def test_list_lines_carry_each_metrics_latest_value(session: Session, project):
    define(session, project, "ctr", kind="product", warn=0.04, breach=0.03)
    define(session, project, "relevance_rating")
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    rows = [
        {"name": "ctr", "value": v, "at": f"2026-02-2{i}T10:00:00Z"}
        for i, v in enumerate([0.05, 0.06, 0.045])
    ]
    ingest.store(session=session, project=project, rows=rows, now=now)

    lines = metric_registry.list_lines(session=session, project=project)

    assert [(x.metric.name, x.latest.value if x.latest else None) for x in lines] == [
        ("ctr", 0.045),
        ("relevance_rating", None),
    ]


def _hypothesis(session: Session, *, channel_id: str = "C0TEAM", status=HypothesisStatus.OPEN):  # type: ignore[no-untyped-def]
    hypothesis = Hypothesis(
        workspace_id=1,
        channel_id=channel_id,
        author_id="U0PM",
        text="Reranking lifts relevance from 0.70 to 0.76 within 4 weeks.",
        vague=False,
        checker="rules",
        status=status,
    )
    session.add(hypothesis)
    session.flush()
    return hypothesis


def _link(session: Session, project, hypothesis_id: int, **kwargs):  # type: ignore[no-untyped-def]
    arguments = {"metric_name": "relevance_rating", "baseline": 0.70, "target": 0.76} | kwargs
    return metric_links.link(
        session=session,
        project=project,
        hypothesis_id=hypothesis_id,
        now=datetime(2026, 3, 2, tzinfo=UTC),
        **arguments,
    )


def test_a_hypothesis_is_linked_to_its_deciding_metric(session: Session, project):
    metric = define(session, project, "relevance_rating")
    hypothesis = _hypothesis(session)

    link = _link(session, project, hypothesis.id, decide_by=date(2026, 4, 1))

    assert link.hypothesis.deciding_metric_id == metric.id
    assert (link.hypothesis.baseline_value, link.hypothesis.target_value) == (0.70, 0.76)
    assert link.hypothesis.decide_by == date(2026, 4, 1)
    assert deciding_links(session=session, project_id=project.id) == [(hypothesis, metric)]


@pytest.mark.parametrize(
    ("setup", "kwargs", "error", "message"),
    [
        ({"channel_id": "C0ELSE"}, {}, InvalidInput, "belongs to <#C0ELSE>"),
        ({"status": HypothesisStatus.DRAFT}, {}, InvalidInput, "still a draft: save it first"),
        ({}, {"target": 0.6}, InvalidInput, "must be above the baseline (0.70)"),
        ({}, {"decide_by": date(2026, 3, 1)}, InvalidInput, "2026-03-01 has passed"),
        ({}, {"metric_name": "relevance"}, NotFound, "Did you mean `relevance_rating`"),
    ],
)
def test_links_that_cannot_hold_are_refused(
    session: Session, project, setup: dict, kwargs: dict, error: type, message: str
):
    define(session, project, "relevance_rating")
    hypothesis = _hypothesis(session, **setup)

    with pytest.raises(error) as refused:
        _link(session, project, hypothesis.id, **kwargs)

    assert message in str(refused.value)
    session.refresh(hypothesis)
    assert hypothesis.deciding_metric_id is None


def test_another_workspaces_hypothesis_cannot_be_linked(session: Session, project):
    define(session, project, "relevance_rating")
    other = make_project(session, team_id="T0OTHER", channel_id="C0TEAM")
    theirs = _hypothesis(session)
    theirs.workspace_id = other.workspace_id
    session.flush()

    with pytest.raises(NotFound):
        _link(session, project, theirs.id)


def test_an_escape_episode_opens_and_closes_once_whoever_asks(session: Session, project):
    metric = define(session, project, "relevance_rating")
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)

    def move(to: str) -> bool:
        return move_alert(
            session=session,
            metric_id=metric.id,
            to_state=to,
            since=date(2026, 3, 1) if to == AlertState.BREACH else None,
            threshold=0.72 if to == AlertState.BREACH else None,
            now=now,
        )

    assert [move(AlertState.BREACH), move(AlertState.BREACH)] == [True, False]
    session.refresh(metric)
    assert (metric.alert_state, metric.alert_since, metric.alert_threshold) == (
        "breach",
        date(2026, 3, 1),
        0.72,
    )
    assert metric.alert_changed_at == now
    assert [move(AlertState.OK), move(AlertState.OK)] == [True, False]
