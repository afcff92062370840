"""Migration 0011: reminders that stopped at the old limit of 3 attempts stay stopped."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from slack_sdk import WebClient
from sqlalchemy import insert
from sqlmodel import Session, select

from bot.clock.passes import run_pass
from bot.demo.standin.slack import SlackStandIn
from db.migrate import upgrade
from db.models import Workspace
from db.models.gates import GateReview, Project, ReviewStatus
from db.session import make_engine

POSTED = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
REMIND_AT = datetime(2026, 3, 4, 14, 30, tzinfo=UTC)


def _review(project: Project, key: str, **reminder: object) -> GateReview:
    return GateReview(
        project_id=project.id,  # type: ignore[arg-type]
        gate_kind="escape",
        occurrence_key=key,
        due_at=POSTED,
        status=ReviewStatus.POSTED,
        claimed_at=POSTED,
        attempts=1,
        posted_at=POSTED,
        channel_id="C1",
        message_ts=f"1772440200.{len(key):06d}",
        remind_at=REMIND_AT,
        **reminder,  # type: ignore[arg-type]
    )


def test_reminders_stopped_at_three_attempts_are_not_sent_after_the_upgrade(
    database_url: str, slack: SlackStandIn
):
    upgrade(database_url, "0010")
    engine = make_engine(database_url)
    with Session(engine) as session:  # the models fit 0010's schema but for 0012's column
        workspace = Workspace(team_id="T0GATEBOT")
        session.add(workspace)
        session.flush()
        project = Project(
            workspace_id=workspace.id,  # type: ignore[arg-type]
            name="Search ranking",
            channel_id="C1",
            sprint_start=date(2026, 3, 2),
            timezone="UTC",
            prompt_time=time(9, 30),
            phase="pilot",
        )
        # Only the columns 0010 has: later migrations add to projects too.
        later = {"holiday_country", "holiday_subdivision", "working_days", "skipped_dates"}
        values = project.model_dump(exclude={"id", *later, "standins"})
        project.id = session.execute(insert(Project).values(values)).inserted_primary_key[0]
        for review in [
            # Sent before 0009 (which marked it settled), or given up by 3 failed tries.
            _review(project, "stopped", reminded_at=REMIND_AT, reminder_attempts=3),
            # Put off once under the old rules: it still has tries left.
            _review(project, "pending-retry", reminded_at=REMIND_AT, reminder_attempts=1),
        ]:
            values = review.model_dump(exclude={"id", "next_attempt_at"})
            session.execute(insert(GateReview).values(values))
        session.commit()

    upgrade(database_url)
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    later = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    report = run_pass(engine=engine, client_for=lambda team: client, now=later, clock_id="c")

    with Session(engine) as session:
        stopped, pending = session.exec(select(GateReview).order_by(GateReview.id)).all()
    engine.dispose()
    assert report.reminded == 1
    [reminder] = slack.calls("chat.postMessage")
    assert reminder.args["thread_ts"] == pending.message_ts
    assert (stopped.remind_at, stopped.reminder_ts, stopped.reminder_attempts) == (None, None, 3)
