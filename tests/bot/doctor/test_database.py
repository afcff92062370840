"""The database check, against real databases: unmigrated, behind, ahead, at head."""

from __future__ import annotations

from sqlalchemy import text

from bot.doctor.database import check_database
from db.migrate import current_heads, upgrade
from db.session import make_engine


def test_a_database_at_head_has_no_problem(database_url: str):
    upgrade(database_url)

    state = check_database(database_url)

    assert state.problems == []
    assert (state.revision,) == current_heads()


def test_an_empty_database_is_told_to_upgrade(database_url: str):
    [problem] = check_database(database_url).problems

    assert problem.line == (
        "DATABASE_URL: the database has no gatebot tables yet: run `gatebot db upgrade`"
    )


def test_a_database_behind_the_code_names_both_revisions(database_url: str):
    upgrade(database_url, "0012")

    [problem] = check_database(database_url).problems

    assert f"is at 0012, this gatebot needs {current_heads()[0]}" in problem.line
    assert problem.line.endswith("run `gatebot db upgrade`")


def test_a_database_migrated_by_newer_code_is_not_told_to_upgrade(database_url: str):
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    engine.dispose()

    [problem] = check_database(database_url).problems

    assert "at 0099_future, a revision this gatebot does not know" in problem.line
    assert "gatebot db upgrade" not in problem.line


def test_without_migrated_only_reachability_counts(database_url: str):
    state = check_database(database_url, migrated=False)

    assert state.problems == [] and state.revision is None


def test_a_url_with_an_unknown_driver_says_so_without_echoing_the_url():
    [problem] = check_database("postgresq://admin:hunter2@db/gatebot").problems

    assert problem.line.startswith("DATABASE_URL is malformed (no database driver for 'postgresq')")
    assert "hunter2" not in problem.line
