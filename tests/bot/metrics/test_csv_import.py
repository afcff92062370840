"""`gatebot import-csv` run as a person runs it: a subprocess against a migrated database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from db.migrate import upgrade
from db.models.metrics import MetricSample
from db.session import make_engine
from tests.metric_helpers import define, make_project


def _import(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "import-csv", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DATABASE_URL": database_url},
        check=False,
    )


@pytest.fixture
def migrated(database_url: str) -> str:
    """Return the URL of a migrated database with two projects, one named "Search relevance"."""
    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        project = make_project(session, timezone="Europe/Berlin")
        define(session, project, "relevance_rating")
        define(session, project, "latency_p95", direction="lower_is_better", warn=300, breach=400)
        make_project(session, channel_id="C0OTHER", name="Ranking")
        session.commit()
    engine.dispose()
    return database_url


def _samples(database_url: str) -> list[tuple[int, str, float]]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = session.exec(select(MetricSample).order_by(MetricSample.id)).all()
        found = [(s.metric_id, s.at.isoformat(), s.value) for s in rows]
    engine.dispose()
    return found


def test_a_backfill_is_stored_and_importing_it_again_changes_nothing(migrated: str, tmp_path: Path):
    source = tmp_path / "backfill.csv"
    source.write_text(
        "\ufeffName,Value,At\n"  # a spreadsheet's byte-order mark and capitalised header
        "relevance_rating,0.74,2026-01-05\n"
        "\n"
        "latency_p95,182.5,2026-01-05T09:00:00+01:00\n"
        "relevance_rating,0.73,2026-01-06\n",
        encoding="utf-8",
    )

    first = _import(migrated, "--project", "search relevance", str(source))
    again = _import(migrated, "--project", "1", str(source))

    assert first.returncode == 0, first.stderr
    assert "3 stored, 0 updated, 0 duplicates" in first.stdout
    assert "'Search relevance' (project 1)" in first.stdout
    assert again.returncode == 0 and "0 stored, 0 updated, 3 duplicates" in again.stdout
    assert _samples(migrated) == [
        (1, "2026-01-05T11:00:00+00:00", 0.74),  # a date: noon in Europe/Berlin
        (2, "2026-01-05T08:00:00+00:00", 182.5),
        (1, "2026-01-06T11:00:00+00:00", 0.73),
    ]


def test_bad_lines_are_named_and_nothing_is_stored(migrated: str, tmp_path: Path):
    source = tmp_path / "bad.csv"
    source.write_text(
        "name,value,at\n"
        "relevance_rating,0.74,2026-01-05\n"
        "relevance_rating,nan,2026-01-06\n"
        "relevence_rating,0.7,2026-01-07\n"
        "latency_p95,fast,2026-01-07 09:00\n"
    )

    result = _import(migrated, "--project", "1", str(source))

    assert result.returncode == 2
    assert "Nothing was stored: 4 problems." in result.stderr
    assert "bad.csv:3 value: must be a finite number" in result.stderr
    assert "bad.csv:4 name: no metric named 'relevence_rating'" in result.stderr
    assert "bad.csv:5 value: must be a finite number" in result.stderr
    assert "bad.csv:5 at: '2026-01-07 09:00' has no UTC offset" in result.stderr
    assert _samples(migrated) == []


@pytest.mark.parametrize(
    ("content", "project", "message"),
    [
        ("metric,amount\nx,1\n", "1", "must name the columns name,value,at"),
        ("name,value,at\n", "Nowhere", "no project has the id or name 'Nowhere'"),
    ],
)
def test_a_wrong_header_or_project_is_explained(
    migrated: str, tmp_path: Path, content: str, project: str, message: str
):
    source = tmp_path / "data.csv"
    source.write_text(content)

    result = _import(migrated, "--project", project, str(source))

    assert result.returncode == 2
    assert message in result.stderr
