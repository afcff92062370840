"""Time one full weekly-digest run: 1,000 projects × 20 metrics × 2 years of daily values.

Usage: python bench/digest.py [--database-url URL] [--projects N] [--metrics N] [--days N]
       [--latency SECONDS] [--workers N] [--keep]
The database is TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/test; the bench
works in a fresh schema with the models' tables and drops it afterwards. Samples go in by
binary COPY, with the samples' unique index and foreign key built after the load (as a
back-fill would). Slack is the local stand-in, answering each call after `--latency`
seconds (100 ms by default). Every project's digest falls due a minute before the run.
Seeding runs in a child process, so the peak memory printed is the digest run's own.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere, without installing the package

import numpy as np  # noqa: E402
import psycopg  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from bench.clock import ZONES  # noqa: E402
from bench.scratch import DEFAULT_URL, scratch_schema  # noqa: E402
from bot.clock.passes import run_pass  # noqa: E402
from bot.demo.standin.slack import SlackStandIn  # noqa: E402
from db.models import Hypothesis, Workspace  # noqa: E402
from db.models.digests import DigestRun  # noqa: E402
from db.models.gates import GateReview, Project  # noqa: E402
from db.models.metrics import Metric  # noqa: E402
from db.session import make_engine  # noqa: E402

KINDS = ["model_health"] * 6 + ["product"] * 8 + ["business"] * 6
PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# One row of PostgreSQL's binary COPY: field count, then (length, value) per column.
ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("l_metric", ">i4"),
        ("metric_id", ">i4"),
        ("l_at", ">i4"),
        ("at", ">i8"),
        ("l_value", ">i4"),
        ("value", ">f8"),
        ("l_received", ">i4"),
        ("received_at", ">i8"),
    ]
)
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"


def seed_projects(url: str, *, projects: int, metrics: int, now: datetime) -> list[int]:
    """Store the projects (all due a minute ago), metrics, hypotheses and a decided gate each."""
    engine = make_engine(url)
    long_ago = now - timedelta(days=1000)
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
                    "sprint_start": long_ago.date(),
                    "timezone": zone,
                    "prompt_time": time(9, 30),
                    "phase": "pilot",  # no sprint prompts: the pass is the digests'
                    "digest_weekday": local.weekday(),
                    "digest_time": local.time().replace(second=0, microsecond=0),
                    "digest_compact": number % 4 == 0,
                    "question_overrides": {},
                    "created_at": long_ago,
                    "updated_at": long_ago,
                }
            )
        ids = list(connection.execute(insert(Project).returning(Project.id), rows).scalars())
        metric_rows = [
            {
                "project_id": project_id,
                "name": f"metric_{index:02d}",
                "kind": KINDS[index % len(KINDS)],
                "unit": "ms" if index % 5 == 0 else "",
                "direction": "lower_is_better" if index % 5 == 0 else "higher_is_better",
                "warn_threshold": 130.0 if index % 5 == 0 else 0.75,
                "breach_threshold": 150.0 if index % 5 == 0 else 0.70,
                "periods_in_row": 2,
                "stale_after_periods": 2,
                "owner": "U0OWNER",
                "guardrail_relative": True,
                "alert_state": "ok",
                "created_at": long_ago,
                "updated_at": long_ago,
            }
            for project_id in ids
            for index in range(metrics)
        ]
        connection.execute(insert(Metric), metric_rows)
        found = connection.execute(select(Metric.id, Metric.project_id, Metric.name))
        by_name = {(project_id, name): metric_id for metric_id, project_id, name in found}
        # Each project's second metric guards its first; its third decides a hypothesis.
        connection.execute(
            text(
                "UPDATE metrics SET guardrail_of = metrics.id - 1, guardrail_max_drop = 0.02 "
                "WHERE name = 'metric_01'"
            )
        )
        connection.execute(
            insert(Hypothesis),
            [
                _hypothesis(workspace_id, f"C{n:08d}", by_name[(project_id, "metric_02")], now)
                for n, project_id in enumerate(ids)
            ],
        )
        reviews = [_review(project_id, now) for project_id in ids]
        connection.execute(insert(GateReview), reviews)
    engine.dispose()
    return sorted(by_name.values())


def _hypothesis(
    workspace_id: int, channel_id: str, metric_id: int, now: datetime
) -> dict[str, object]:
    return {
        "workspace_id": workspace_id,
        "channel_id": channel_id,
        "deciding_metric_id": metric_id,
        "author_id": "U0PM",
        "text": "We believe re-ranking will lift completion for mobile users.",
        "vague": False,
        "missing": [],
        "verdict": {},
        "checker": "rules",
        "status": "open",
        "baseline_value": 0.80,
        "target_value": 0.85,
        "decide_by": (now + timedelta(days=14)).date(),
        "saved_at": now - timedelta(days=28),
        "created_at": now - timedelta(days=28),
        "updated_at": now - timedelta(days=28),
    }


def _review(project_id: int, now: datetime) -> dict[str, object]:
    return {
        "project_id": project_id,
        "gate_kind": "escape",
        "occurrence_key": "phase-pilot",
        "due_at": now - timedelta(days=3),
        "status": "decided",
        "claimed_at": now - timedelta(days=3),
        "attempts": 1,
        "inputs": {},
        "decision": "go",
        "decision_reason": "Rollback trigger and decider named.",
        "decided_by": "U0PM",
        "decided_at": now - timedelta(days=2),
        "created_at": now - timedelta(days=3),
    }


def load_samples(url: str, *, metric_ids: list[int], metrics: int, days: int, now: datetime) -> int:
    """COPY `days` daily values of every metric; indexes and the foreign key come after."""
    rng = np.random.default_rng(7)
    first = (now - timedelta(days=days)).replace(hour=6, minute=0, second=0, microsecond=0)
    at = (first - PG_EPOCH) // timedelta(microseconds=1) + np.arange(days) * 86_400_000_000
    received = (now - PG_EPOCH) // timedelta(microseconds=1)
    chunk = 400  # metrics per COPY buffer: 292,000 rows, 13 MB
    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        connection.execute("SET maintenance_work_mem = '512MB'")
        connection.execute(
            "ALTER TABLE metric_samples DROP CONSTRAINT metric_samples_metric_id_fkey"
        )
        connection.execute("DROP INDEX uq_metric_samples_metric_at")
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY metric_samples (metric_id, at, value, received_at) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.write(_COPY_HEADER)
            for start in range(0, len(metric_ids), chunk):
                ids = np.asarray(metric_ids[start : start + chunk])
                rows = np.empty(ids.size * days, dtype=ROW)
                rows["fields"], rows["l_metric"], rows["l_at"] = 4, 4, 8
                rows["l_value"], rows["l_received"] = 8, 8
                rows["metric_id"] = np.repeat(ids, days)
                rows["at"] = np.tile(at, ids.size)
                index = (ids - metric_ids[0]) % metrics  # ids run project by project
                rows["value"] = _values(rng, index, days).reshape(-1)
                rows["received_at"] = received
                copy.write(rows.tobytes())
            copy.write(b"\xff\xff")
        connection.execute(
            "CREATE UNIQUE INDEX uq_metric_samples_metric_at ON metric_samples (metric_id, at) "
            "INCLUDE (value)"
        )
        connection.execute(
            "ALTER TABLE metric_samples ADD CONSTRAINT metric_samples_metric_id_fkey "
            "FOREIGN KEY (metric_id) REFERENCES metrics (id) ON DELETE CASCADE"
        )
        connection.execute("ANALYZE")
    return len(metric_ids) * days


def _values(rng: np.random.Generator, index: np.ndarray, days: int) -> np.ndarray:
    """Return a noisy random walk per metric; about one in twelve sinks past its trigger."""
    latency = index % 5 == 0  # as seed_projects defines them: every fifth metric is in ms
    level = np.where(latency, 110.0, 0.80)
    scale = np.where(latency, 2.0, 0.004)
    walk = np.cumsum(rng.normal(0, 1, (index.size, days)), axis=1) * 0.05
    values = level[:, None] + scale[:, None] * (walk + rng.normal(0, 1, (index.size, days)))
    sinking = rng.random(index.size) < 1 / 12
    drop = np.where(latency, 60.0, -0.15)[:, None] * (np.arange(days) >= days - 4)
    return values + np.where(sinking[:, None], drop, 0.0)


def _libpq(url: str) -> str:
    # psycopg wants a libpq URL: SQLAlchemy's driver suffix out, the search path kept.
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _seed(url: str, projects: int, metrics: int, days: int, now: datetime) -> None:
    started = clock.perf_counter()
    metric_ids = seed_projects(url, projects=projects, metrics=metrics, now=now)
    seeded = clock.perf_counter()
    rows = load_samples(url, metric_ids=metric_ids, metrics=metrics, days=days, now=now)
    loaded = clock.perf_counter() - seeded
    print(
        f"seeded {projects:,} projects, {len(metric_ids):,} metrics in {seeded - started:.1f}s; "
        f"loaded {rows:,} samples in {loaded:.1f}s ({rows / loaded:,.0f} rows/s, with "
        "index and foreign key)",
        flush=True,
    )


def main() -> int:
    """Seed in a child process, run one digest pass, print the figures, drop the schema."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--metrics", type=int, default=20, help="metrics per project")
    parser.add_argument("--days", type=int, default=730, help="daily values per metric")
    parser.add_argument("--latency", type=float, default=0.1, help="stand-in Slack's delay (s)")
    parser.add_argument("--workers", type=int, default=8, help="parallel posters")
    parser.add_argument("--keep", action="store_true", help="keep the schema for inspection")
    args = parser.parse_args()

    with scratch_schema(args.database_url, prefix="bench_digest", keep=args.keep) as url:
        now = datetime.now(UTC).replace(second=30, microsecond=0)
        seeding = multiprocessing.get_context("spawn").Process(
            target=_seed, args=(url, args.projects, args.metrics, args.days, now)
        )
        seeding.start()
        seeding.join()
        if seeding.exitcode != 0:
            raise SystemExit(f"seeding failed with exit code {seeding.exitcode}")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with SlackStandIn(latency=args.latency) as slack:
            client = WebClient(token="xoxb-bench", base_url=slack.api_url)
            engine = make_engine(url)
            try:
                started = clock.perf_counter()
                report = run_pass(
                    engine=engine,
                    client_for=lambda team_id: client,
                    now=now,
                    clock_id="bench",
                    workers=args.workers,
                )
                seconds = clock.perf_counter() - started
                with engine.connect() as connection:
                    posted = connection.execute(
                        select(func.count())
                        .select_from(DigestRun)
                        .where(DigestRun.status == "posted")  # type: ignore[arg-type]
                    ).scalar_one()
            finally:
                engine.dispose()
            messages = len(slack.calls("chat.postMessage"))
            charts = len(slack.calls("files.completeUploadExternal"))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"digest run: {report}")
        print(
            f"  {seconds:.1f}s for {args.projects:,} projects ({args.projects / seconds:.1f}/s, "
            f"{args.workers} workers, Slack latency {args.latency * 1000:.0f} ms); "
            f"{posted:,} digests posted, {messages:,} messages, {charts:,} charts"
        )
        print(
            f"  peak memory (ru_maxrss): {peak / 1024:.0f} MB "
            f"(before the run: {before / 1024:.0f} MB); the largest child process "
            f"(the seeding, or one drawing charts): {children / 1024:.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
