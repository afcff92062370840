"""SQLite writers take turns on our lock: concurrent writes all land, and the turn is freed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from db import sqlite_writes
from db.session import make_engine


@pytest.fixture
def database(tmp_path: Path) -> str:
    return str(tmp_path / "turns.db")


def test_concurrent_writers_all_land_and_leave_the_turn_free(database: str) -> None:
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))

    def write(n: int) -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
            connection.execute(text("UPDATE t SET n = n WHERE n = :n"), {"n": n})

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(write, range(400)))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 400
    assert not sqlite_writes.lock_for(database).held, "a finished transaction holds the turn"
    engine.dispose()


def test_a_rolled_back_or_failed_write_frees_the_turn(database: str) -> None:
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO t (n) VALUES (1)"))
    lock = sqlite_writes.lock_for(database)
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO t (n) VALUES (2)"))
        assert lock.held
        connection.rollback()
    assert not lock.held
    with pytest.raises(Exception, match="UNIQUE"), engine.begin() as connection:
        connection.execute(text("INSERT INTO t (n) VALUES (1)"))
    assert not lock.held
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t (n) VALUES (3)"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 3]
    engine.dispose()
