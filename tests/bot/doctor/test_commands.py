"""`gatebot doctor`, `gatebot db upgrade` and `gatebot --version`, run as subprocesses."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlmodel import Session

from bot.demo.standin.slack import SlackStandIn
from db.heartbeats import beat
from db.migrate import alembic_config, current_heads
from db.session import make_engine
from tests.bot.doctor.cli_runs import copy_of, good_env, run


def test_doctor_on_a_healthy_setup_says_what_it_checked(
    tmp_path: Path, slack: SlackStandIn, migrated_sqlite_template: Path
):
    env = good_env(slack, copy_of(migrated_sqlite_template, tmp_path))

    result = run("doctor", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == f"gatebot: ok: database at {current_heads()[0]}"
    assert lines[1] == "gatebot: ok: bot token accepted for Gatebot Stand-in (T0GATEBOT)"
    assert lines[2] == "gatebot: ok: app-level token opens Socket Mode connections"
    assert re.fullmatch(r"gatebot: ok: clock seen \d+ s ago on .+", lines[3])
    assert re.fullmatch(r"gatebot: ok: worker seen \d+ s ago on .+", lines[4])


def test_doctor_reports_a_clock_not_seen_for_a_while(
    tmp_path: Path, slack: SlackStandIn, migrated_sqlite_template: Path
):
    url = copy_of(migrated_sqlite_template, tmp_path)
    engine = make_engine(url)
    with Session(engine) as session:
        beat(session=session, process="clock", now=datetime.now(UTC) - timedelta(minutes=42))
        session.commit()
    engine.dispose()

    result = run("doctor", env=good_env(slack, url), cwd=tmp_path)

    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        r"gatebot: clock not seen for 4[12] min \(last beat from .+, pid \d+\): "
        r"start it with `gatebot clock`",
        line,
    )


def test_doctor_reports_a_worker_that_never_ran(
    tmp_path: Path, slack: SlackStandIn, migrated_sqlite_template: Path
):
    # The web acks and queues; without a worker no verdict ever comes, and nothing else says so.
    url = copy_of(migrated_sqlite_template, tmp_path, seen=("clock",))

    result = run("doctor", env=good_env(slack, url), cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "gatebot: worker has never run against this database: start it with `gatebot worker`"
    ]


def test_doctor_reports_a_worker_not_seen_for_a_while(
    tmp_path: Path, slack: SlackStandIn, migrated_sqlite_template: Path
):
    url = copy_of(migrated_sqlite_template, tmp_path)
    engine = make_engine(url)
    with Session(engine) as session:
        beat(session=session, process="worker", now=datetime.now(UTC) - timedelta(minutes=7))
        session.commit()
    engine.dispose()

    result = run("doctor", env=good_env(slack, url), cwd=tmp_path)

    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        r"gatebot: worker not seen for [78] min \(last beat from .+, pid \d+\): "
        r"start it with `gatebot worker`",
        line,
    )
    assert re.search(r"gatebot: ok: clock seen \d+ s ago", result.stdout)


def test_db_upgrade_says_what_it_applied_then_that_nothing_was_left(
    tmp_path: Path, slack: SlackStandIn
):
    env = good_env(slack, f"sqlite:///{tmp_path / 'new.db'}")
    head = current_heads()[0]

    first = run("db", "upgrade", env=env, cwd=tmp_path)
    second = run("db", "upgrade", env=env, cwd=tmp_path)

    assert first.returncode == 0 and second.returncode == 0
    assert re.fullmatch(
        rf"gatebot: applied 0001 … {head} \(\d+ migrations\); the database is at {head}\n",
        first.stdout,
    )
    assert second.stdout == f"gatebot: already at head {head}\n"


def test_db_upgrade_of_one_step_names_it(tmp_path: Path, slack: SlackStandIn):
    env = good_env(slack, f"sqlite:///{tmp_path / 'new.db'}")
    head = current_heads()[0]
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    before = scripts.get_revision(head).down_revision
    run("db", "upgrade", str(before), env=env, cwd=tmp_path)

    result = run("db", "upgrade", env=env, cwd=tmp_path)

    assert result.stdout == f"gatebot: applied {head}; the database is at {head}\n"


def test_db_upgrade_with_a_bad_url_is_one_line(tmp_path: Path, slack: SlackStandIn):
    result = run("db", "upgrade", env=good_env(slack, "notaurl"), cwd=tmp_path)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("gatebot: DATABASE_URL is malformed")


def test_version_prints_the_installed_version(tmp_path: Path):
    result = run("--version", env={}, cwd=tmp_path)

    assert result.returncode == 0
    assert re.fullmatch(r"gatebot \d+\.\d+\.\d+\S*\n", result.stdout)
