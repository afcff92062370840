"""SQLite as gatebot opens it: WAL with synchronous=NORMAL, so a commit outlives a kill -9.

NORMAL (not OFF) is the floor: OFF would hand commits to the OS without ever syncing, so a
crash of the machine could corrupt the file, not only lose the last commits.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import text

from db.session import make_engine

REPO = Path(__file__).resolve().parents[2]
NORMAL = 1  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def test_connections_use_wal_with_synchronous_normal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gatebot.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == NORMAL
    engine.dispose()


def test_a_commit_survives_the_writer_killed_with_sigkill(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gatebot.db'}"
    # The writer commits, then kills itself at once: no close, no checkpoint, no atexit.
    writer = textwrap.dedent(
        """
        import os, signal, sys
        from sqlalchemy import text
        from db.session import make_engine
        engine = make_engine(sys.argv[1])
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE accepted (n INTEGER PRIMARY KEY)"))
            connection.execute(text("INSERT INTO accepted (n) VALUES (1), (2), (3)"))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", writer, url], capture_output=True, timeout=60, cwd=REPO
    )
    assert done.returncode == -9, done.stderr

    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM accepted ORDER BY n")).scalars().all() == [
            1,
            2,
            3,
        ]
    engine.dispose()
