"""Ingestion rules: instants, the future, repeats within a batch and across batches."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from bot.core.errors import InvalidInput, NotFound
from bot.metrics import ingest
from bot.metrics.ingest import BatchRejected
from db.models.metrics import MetricSample
from tests.metric_helpers import define, make_project

NOW = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 08:30 in Berlin


@pytest.fixture
def project(session: Session):  # type: ignore[no-untyped-def]
    project = make_project(session, timezone="Europe/Berlin")
    define(session, project, "relevance_rating")
    define(session, project, "latency_p95", direction="lower_is_better", warn=300, breach=400)
    session.commit()
    return project


def _store(session: Session, project, rows: list[dict], **kwargs):  # type: ignore[no-untyped-def]
    return ingest.store(session=session, project=project, rows=rows, now=NOW, **kwargs)


def _ats(session: Session) -> list[datetime]:
    return [s.at for s in session.exec(select(MetricSample).order_by(MetricSample.at))]


def _row(at: str, value: float = 0.7, name: str = "relevance_rating") -> dict:
    return {"name": name, "value": value, "at": at}


def test_a_date_is_that_days_value_at_noon_in_the_projects_time_zone(session: Session, project):
    result = _store(session, project, [_row("2026-03-01"), _row("2026-03-02")])

    assert (result.stored, result.updated, result.duplicates) == (2, 0, 0)
    assert _ats(session) == [
        datetime(2026, 3, 1, 11, tzinfo=UTC),
        datetime(2026, 3, 2, 11, tzinfo=UTC),  # today's noon is still ahead: a date is allowed
    ]


def test_instants_are_kept_in_utc_and_the_same_instant_in_another_offset_is_a_repeat(
    session: Session, project
):
    first = _store(session, project, [_row("2026-03-01T09:00:00+01:00")])
    again = _store(session, project, [_row("2026-03-01T08:00:00Z")])

    assert (first.stored, again.stored, again.duplicates) == (1, 0, 1)
    assert _ats(session) == [datetime(2026, 3, 1, 8, tzinfo=UTC)]
    assert _ats(session)[0].tzinfo is UTC  # aware on SQLite too


def test_up_to_an_hour_ahead_is_accepted_and_no_more(session: Session, project):
    hour = NOW + timedelta(hours=1)
    _store(session, project, [_row(hour.isoformat())])

    with pytest.raises(BatchRejected) as refused:
        _store(session, project, [_row((hour + timedelta(seconds=1)).isoformat())])

    assert "1.0 hours in the future" in refused.value.errors[0][1]


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("2026-03-03", "2026-03-03 is after today in the project's time zone (Europe/Berlin)"),
        ("2026-03-01T09:00:00", "has no UTC offset"),
        ("1970-01-01T00:00:00Z", "is before 2000-01-01"),
        ("2026-02-30", "is not a calendar date"),
        ("03/01/2026", "is not an ISO 8601 timestamp"),
        ("0001-01-01T00:00:00+05:00", "is out of range"),
    ],
)
def test_refused_instants_say_why(session: Session, project, at: str, message: str):
    with pytest.raises(BatchRejected) as refused:
        _store(session, project, [_row("2026-03-01"), _row(at)])

    [(where, said)] = refused.value.errors
    assert where == "samples[1].at" and message in said
    assert _ats(session) == []


def test_a_repeat_within_a_batch_counts_once_and_a_conflicting_one_is_refused(
    session: Session, project
):
    same = _store(session, project, [_row("2026-03-01"), _row("2026-03-01")])

    with pytest.raises(BatchRejected) as refused:
        _store(session, project, [_row("2026-02-01"), _row("2026-02-01", value=0.9)])

    assert (same.stored, same.duplicates) == (1, 1)
    assert refused.value.errors == [
        ("samples[1]", "repeats samples[0]'s metric and time with a different value: send one")
    ]


def test_names_are_matched_in_any_case_and_unknown_ones_get_a_suggestion(session: Session, project):
    stored = _store(session, project, [_row("2026-03-01", name="Relevance_Rating")])

    with pytest.raises(BatchRejected) as refused:
        _store(session, project, [_row("2026-03-01", name="latency_p59")])

    assert stored.stored == 1
    assert refused.value.errors[0][1].endswith("did you mean 'latency_p95'?")


def test_the_result_names_only_the_metrics_whose_data_changed(session: Session, project):
    _store(session, project, [_row("2026-03-01"), _row("2026-03-01", 200, "latency_p95")])

    result = _store(session, project, [_row("2026-03-01"), _row("2026-03-01", 210, "latency_p95")])

    assert (result.stored, result.updated, result.duplicates) == (0, 1, 1)
    assert result.metric_ids == {2}


def test_errors_are_capped_in_the_message_but_all_kept(session: Session, project):
    rows = [_row("2026-03-01", value=float("nan")) for _ in range(25)]

    with pytest.raises(BatchRejected) as refused:
        _store(session, project, rows, label=lambda i, f: f"line {i + 2} {f}")

    assert len(refused.value.errors) == 25
    assert "Nothing was stored: 25 problems." in str(refused.value)
    assert "line 2 value: must be a finite number" in str(refused.value)
    assert "… and 5 more" in str(refused.value)


def test_a_write_failing_half_way_leaves_nothing_after_the_rollback(
    session: Session, project, engine
):
    rows = [_row((NOW - timedelta(hours=h)).isoformat()) for h in range(1, 801)]
    statements: list[str] = []

    def fail_second_insert(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO metric_samples"):
            statements.append(statement)
            if len(statements) == 2:
                raise RuntimeError("connection lost")

    event.listen(engine, "before_cursor_execute", fail_second_insert)
    try:
        with pytest.raises(RuntimeError):
            _store(session, project, rows)
    finally:
        event.remove(engine, "before_cursor_execute", fail_second_insert)
    session.rollback()

    assert len(statements) == 2  # the first 500 rows had been written, then rolled back
    assert _ats(session) == []


def test_record_from_slack_stores_one_value_and_explains_a_refusal(session: Session, project):
    metric, result = ingest.record(
        session=session, project=project, name="relevance_rating", value=0.7, now=NOW
    )
    _, dated = ingest.record(
        session=session,
        project=project,
        name="RELEVANCE_RATING",
        value=0.71,
        day=date(2026, 3, 1),
        now=NOW,
    )

    assert metric.name == "relevance_rating" and result.stored == dated.stored == 1
    assert _ats(session) == [datetime(2026, 3, 1, 11, tzinfo=UTC), NOW]
    with pytest.raises(InvalidInput, match="after today in the project's time zone"):
        ingest.record(
            session=session,
            project=project,
            name="relevance_rating",
            value=0.7,
            day=date(2026, 3, 3),
            now=NOW,
        )
    with pytest.raises(NotFound, match="Did you mean `relevance_rating`"):
        ingest.record(session=session, project=project, name="relevance", value=1.0, now=NOW)
