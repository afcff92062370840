"""Time one clock pass over 10,000 projects on PostgreSQL, every one of them due.

Usage: python bench/clock.py [--database-url URL] [--projects N] [--latency SECONDS]
       [--workers N] [--keep]
The database is TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/test; the bench
works in a fresh schema with the models' tables, and drops it afterwards. Slack is the
local stand-in, answering after `--latency` seconds (0 by default).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere, without installing the package

from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bench.scratch import DEFAULT_URL, scratch_schema  # noqa: E402
from bot.clock.passes import run_pass  # noqa: E402
from bot.demo.standin.slack import SlackStandIn  # noqa: E402
from db.models import Workspace  # noqa: E402
from db.models.gates import GateReview, Project  # noqa: E402
from db.session import make_engine  # noqa: E402

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC")


def seed(url: str, *, projects: int, now: datetime) -> None:
    """Create one workspace and `projects` projects whose sprint prompt went out a minute ago."""
    engine = make_engine(url)
    with engine.begin() as connection:
        workspace_id = connection.execute(
            insert(Workspace).values(team_id="T0GATEBOT", created_at=now).returning(Workspace.id)
        ).scalar_one()
        rows = []
        for number in range(projects):
            zone = ZONES[number % len(ZONES)]
            local = (now - timedelta(minutes=1)).astimezone(ZoneInfo(zone))
            rows.append(
                {
                    "workspace_id": workspace_id,
                    "name": f"Project {number}",
                    "channel_id": f"C{number:08d}",
                    "sprint_length_days": 14,
                    "sprint_start": local.date(),
                    "timezone": zone,
                    "prompt_time": local.time().replace(second=0, microsecond=0),
                    "pm_lead": "UPM",
                    "ds_lead": "UDS",
                    "phase": "iteration",
                    "paused": False,
                    "question_overrides": {},
                    "reminder_hours": 24.0,
                    # Every day a working day: each is due now, whichever weekday it is there.
                    "working_days": list(range(7)),
                    "created_at": now - timedelta(days=30),
                    "updated_at": now - timedelta(days=30),
                }
            )
        connection.execute(insert(Project), rows)
    engine.dispose()


def main() -> int:
    """Seed, run two passes, print the figures, drop the schema."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.0, help="stand-in Slack's delay (s)")
    parser.add_argument("--workers", type=int, default=4, help="parallel posters per pass")
    parser.add_argument("--keep", action="store_true", help="keep the schema for inspection")
    args = parser.parse_args()

    with scratch_schema(args.database_url, prefix="bench_clock", keep=args.keep) as url:
        now = datetime.now(UTC).replace(second=30, microsecond=0)
        started = time.perf_counter()
        seed(url, projects=args.projects, now=now)
        print(f"seeded {args.projects:,} projects in {time.perf_counter() - started:.1f}s")
        with SlackStandIn(latency=args.latency) as slack:
            client = WebClient(token="xoxb-bench", base_url=slack.api_url)
            engine = make_engine(url)
            try:
                passes = [
                    run_pass(
                        engine=engine,
                        client_for=lambda team_id: client,
                        now=now + timedelta(seconds=offset),
                        clock_id="bench",
                        workers=args.workers,
                    )
                    for offset in (0, 60)
                ]
                with engine.connect() as connection:
                    stored = connection.execute(
                        select(func.count())
                        .select_from(GateReview)
                        .where(
                            GateReview.status == "posted"  # type: ignore[arg-type]
                        )
                    ).scalar_one()
            finally:
                engine.dispose()
            calls = len(slack.calls("chat.postMessage"))
        first, second = passes
        print(f"first pass:  {first}")
        print(
            f"  {first.posted / first.seconds:,.0f} posts/s ({args.workers} workers, "
            f"latency {args.latency * 1000:.0f} ms); Slack received {calls:,}; {stored:,} posted"
        )
        print(f"second pass: {second}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
