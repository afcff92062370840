"""Forgetting: after `forget --user`, no row in any table holds the person's id or text outside
the anonymised record; after `forget --workspace`, none of the workspace's rows is left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel
from sqlmodel import select as sqlmodel_select

from bot.metrics import tokens
from bot.record.forget import forget_user, forget_workspace
from bot.record.service import Kind, record
from db.models.digests import DigestRun
from db.models.gates import GateReview, ReviewStatus
from db.models.metrics import Metric
from db.models.outbox import OutboxMessage, SlackReceipt
from db.models.queue import QueuedJob
from tests.record_world import NOW, VAGUE, Built, build_record

GATEBOT = [sys.executable, "-m", "bot.cli"]
TYPED_ELSEWHERE = "a note only U0DS typed, kept for delivery"


def _cells(session: Session) -> Iterator[tuple[str, str, str]]:
    """Yield (table, column, value as text) of every non-null cell of every table."""
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(select(table)):
            for column, value in row._mapping.items():
                if value is not None:
                    shown = value if isinstance(value, str) else json.dumps(value, default=str)
                    yield table.name, column, shown


def _where(session: Session, needle: str) -> set[tuple[str, str]]:
    return {(table, column) for table, column, value in _cells(session) if needle in value}


def _copies_of(session: Session, built: Built, user: str) -> None:
    """Give `user` a row in the tables a record does not fill: kept posts, jobs, receipts…"""
    project = built.project
    session.add(
        OutboxMessage(
            team_id=built.team_id, channel_id=user, text=TYPED_ELSEWHERE, notify_user=user
        )
    )
    session.add(
        QueuedJob(
            task="hypotheses.check_and_reply",
            team_id=built.team_id,
            payload={"user_id": user, "text": TYPED_ELSEWHERE},
        )
    )
    session.add(
        SlackReceipt(
            delivery_key=f"command:{built.team_id}:{user}:1700000000.1", team_id=built.team_id
        )
    )
    session.add(
        DigestRun(
            project_id=project.id,
            week_key="now-1",
            due_at=NOW,
            requested_by=user,
            claimed_by=f"user:{user}",
        )  # type: ignore[arg-type]
    )
    [metric] = [m for m in session.exec(sqlmodel_select(Metric)) if m.project_id == project.id]
    metric.owner = user
    session.add(metric)
    tokens.create(session=session, project_id=project.id, created_by=user)  # type: ignore[arg-type]
    # Days off and cover: a stand-in for away leads, and a review they skipped with /gate skip.
    project.standins = ["U0PM", user]
    session.add(project)
    session.add(
        GateReview(
            project_id=project.id,
            gate_kind="sprint_review",
            occurrence_key="sprint-99",
            due_at=NOW,
            status=ReviewStatus.SKIPPED,
            claimed_by=f"skip:{user}",
        )  # type: ignore[arg-type]
    )
    session.commit()


def test_after_forget_no_table_holds_the_person_s_id_or_text_outside_the_record(session: Session):
    built = build_record(session)
    _copies_of(session, built, "U0DS")
    # Someone whose id starts with theirs is someone else.
    session.add(OutboxMessage(team_id="T1", channel_id="C0NEAR", text="<@U0DSX> stays"))
    session.commit()
    assert len(_where(session, "U0DS")) > 8  # lead, decider, author, owner, creator, copies…

    done = forget_user(session=session, user_id="U0DS")

    session.expire_all()
    assert done.pseudonym == "former member 1"
    assert _where(session, "U0DS") == {("outbox_messages", "text")}  # only <@U0DSX>'s
    assert _where(session, TYPED_ELSEWHERE) == set()
    # What they wrote stays on the record, under the pseudonym; nowhere else.
    assert {t for t, _ in _where(session, VAGUE)} == {"hypotheses"}
    exported = record(session=session, project=built.project)
    assert [d["who"] for d in exported[Kind.DECISIONS]] == ["former member 1"]
    assert [c["who"] for c in exported[Kind.CHANGES]] == ["former member 1"]
    authors = {h["statement"]: h["who"] for h in exported[Kind.HYPOTHESES]}
    assert authors[VAGUE] == "former member 1"
    assert "U0PM" in authors.values()  # nobody else is touched
    session.refresh(built.project)
    assert (built.project.pm_lead, built.project.ds_lead) == ("U0PM", None)  # a role, emptied


def test_each_person_forgotten_gets_the_next_pseudonym_and_keeps_it(session: Session):
    built = build_record(session)
    forget_user(session=session, user_id="U0DS")

    second = forget_user(session=session, user_id="U1")
    again = forget_user(session=session, user_id="U1")
    nobody = forget_user(session=session, user_id="U0NOBODY")

    assert second.pseudonym == "former member 2"
    assert again.pseudonym is None and nobody.pseudonym is None  # nothing left: no number used
    answers = record(session=session, project=built.project)[Kind.ANSWERS]
    mine = sorted(a["answer"] for a in answers if a["who"] == "former member 2")
    assert mine == sorted(text for who, text in built.answers if who == "U1")


def _counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }


def test_forgetting_a_workspace_deletes_all_its_rows_and_nothing_else(session: Session):
    other = build_record(session, team_id="T2", name="Stays")
    _copies_of(session, other, "U7")
    before = _counts(session)
    kept = record(session=session, project=other.project)

    gone = build_record(session, team_id="T1")
    _copies_of(session, gone, "U0DS")
    done = forget_workspace(session=session, team_id="T1")

    session.expire_all()
    assert _counts(session) == before
    assert record(session=session, project=other.project) == kept
    assert done.rows["gate_answers"] == 4 and done.rows["workspaces"] == 1


def test_gatebot_forget_speaks_plainly(engine: Engine, database_url: str):
    with Session(engine, expire_on_commit=False) as session:
        build_record(session)
    env = {**os.environ, "DATABASE_URL": database_url}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*GATEBOT, "forget", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )

    user = run("--user", "U1")
    bad = run("--user", "not-an-id")
    neither = run()
    workspace = run("--workspace", "T1")

    assert user.returncode == 0, user.stderr
    assert "U1 is now 'former member 1' everywhere (gate_answers 3)" in user.stdout
    assert bad.returncode == 2 and "is not a Slack user id" in bad.stderr
    assert neither.returncode == 2 and "give one of --user" in neither.stderr
    assert workspace.returncode == 0 and "workspaces 1" in workspace.stdout
