"""The export: a project's record written as JSON and CSV, read back whole."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from bot.record import files
from bot.record.service import FIELDS, Kind, project_fields, record
from tests.record_world import DRAFT, NOW, SHARP, Built, build_record

GATEBOT = [sys.executable, "-m", "bot.cli"]


def _exported(session: Session, built: Built, fmt: str) -> str:
    return files.render(
        fmt=fmt,
        project=project_fields(built.project),
        record=record(session=session, project=built.project),
        exported_at=NOW,
    )


def _assert_everything_with_who_and_when(built: Built, document: dict[str, list[dict]]) -> None:
    hypotheses = document["hypotheses"]
    assert sorted((h["who"], h["statement"]) for h in hypotheses) == sorted(built.hypotheses)
    assert all(h["at"] for h in hypotheses)
    linked = [h for h in hypotheses if h["statement"] == SHARP]
    assert [(h["metric"], h["baseline"], h["target"]) for h in linked] == [
        ("purchases_per_session", 0.031, 0.033)
    ]
    answers = document["answers"]
    assert sorted((a["who"], a["answer"]) for a in answers) == sorted(built.answers)
    assert all(a["at"] and a["question"] and a["gate"] == "sprint_review" for a in answers)
    decisions = document["decisions"]
    assert [(d["who"], d["decision"], d["reason"]) for d in decisions] == built.decisions
    assert decisions[0]["at"] == NOW.isoformat()
    assert decisions[0]["review_id"] == built.review_ids[0]
    assert [r["id"] for r in document["reviews"]] == built.review_ids
    assert len(document["metrics"]) == built.samples == 5
    changes = [(c["who"], c["field"], c["before"], c["after"]) for c in document["changes"]]
    assert changes == [("U0DS", "breach", "0.029", "0.028")]
    assert document["changes"][0]["at"] == NOW.isoformat()


def test_the_json_export_reads_back_every_hypothesis_answer_and_decision(session: Session):
    built = build_record(session)
    build_record(session, channel_id="C0OTHER", name="Another team")  # not in this export

    document = json.loads(_exported(session, built, "json"))

    assert document["project"]["name"] == "Search"
    _assert_everything_with_who_and_when(built, document)
    assert DRAFT not in json.dumps(document)
    question = next(a for a in document["answers"] if a["who"] == "U2")["question"]
    assert "&lt;" not in question  # plain text, not Slack's escaping
    assert any(a["answer"] == "Latency is <fine> & stable." for a in document["answers"])


def test_the_csv_export_is_one_table_with_a_kind_column(session: Session):
    built = build_record(session)

    rows = list(csv.DictReader(io.StringIO(_exported(session, built, "csv"))))

    by_kind: dict[str, list[dict]] = {}
    for row in rows:
        by_kind.setdefault(row.pop("kind"), []).append(row)
    assert set(by_kind) == {"hypothesis", "review", "answer", "decision", "metric_sample", "change"}
    document = {kind.value: by_kind[kind.singular] for kind in Kind}
    for row in document["metrics"]:
        row["value"] = float(row["value"])
    for row in document["hypotheses"]:
        for number in ("baseline", "target"):
            row[number] = float(row[number]) if row[number] else None
    for row in document["decisions"] + document["reviews"]:
        for key in ("id", "review_id"):
            row[key] = int(row[key])
    # A spreadsheet would run text starting with "=" as a formula: it is quoted.
    guarded = next(a for a in document["answers"] if a["answer"].startswith("'="))
    guarded["answer"] = guarded["answer"][1:]
    _assert_everything_with_who_and_when(built, document)
    assert all(row["project_id"] == str(built.project.id) for row in rows)


def test_the_csv_has_every_kind_s_columns_even_when_a_kind_is_empty(session: Session):
    built = build_record(session)
    empty = {kind: [] for kind in Kind}

    header = files.as_csv(project=project_fields(built.project), record=empty).splitlines()[0]

    columns = header.split(",")
    assert columns[:2] == ["kind", "project_id"]
    assert all(field in columns for fields in FIELDS.values() for field in fields)


def test_every_row_has_exactly_its_kind_s_fields(session: Session):
    built = build_record(session)

    for kind, rows in record(session=session, project=built.project).items():
        assert rows, kind
        assert all(tuple(row) == FIELDS[kind] for row in rows), kind


def test_gatebot_export_writes_the_file_an_operator_asked_for(
    engine: Engine, database_url: str, tmp_path: Path
):
    with Session(engine, expire_on_commit=False) as session:
        built = build_record(session)
    out = tmp_path / "record.json"
    env = {**os.environ, "DATABASE_URL": database_url}

    done = subprocess.run(
        [*GATEBOT, "export", "--project", "search", "--format", "json", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    printed = subprocess.run(
        [*GATEBOT, "export", "--project", str(built.project.id), "--format", "csv"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    missing = subprocess.run(
        [*GATEBOT, "export", "--project", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert (
        "2 hypotheses, 2 reviews, 4 answers, 1 decision, 5 metric values, 1 change" in done.stdout
    )
    _assert_everything_with_who_and_when(built, json.loads(out.read_text()))
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("kind,project_id,id,at,who,")
    assert missing.returncode == 2
    assert missing.stderr.strip() == "gatebot: no project has the id or name 'nope'"
