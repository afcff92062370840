"""SQLite writers take turns on a lock of ours, instead of sleeping in SQLite's busy handler.

SQLite admits one writer at a time. One that finds the database locked sleeps in its busy
handler (1, 2, 5, 10 … up to 100 ms between tries) rather than being woken when the lock is
free, so under 32 concurrent acks the unlucky ones slept for a second or more while the
lock sat mostly idle. Here a connection's first INSERT, UPDATE or DELETE of a transaction
takes a lock mirroring SQLite's write lock, held until the transaction ends: threads of one
process queue on a mutex and are woken in turn, processes sharing the file on an flock of a
file beside it. SQLite's own busy timeout stays as the backstop (a writer that bypassed the
lock, a process that hung holding a transaction): nothing here can make a write fail.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from typing import Any

# Statements that start SQLite's write transaction (the driver issues BEGIN before them).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
WAIT_SECONDS = 30.0  # as SQLite's busy timeout: then write anyway and let SQLite decide
_LOCKS: dict[str, WriterLock] = {}
_LOCKS_GUARD = threading.Lock()


class WriterLock:
    """One database file's write turn: a mutex in this process, an flock across processes."""

    def __init__(self, path: str | None) -> None:
        self._path = f"{path}-gatebot-writer" if path else None
        self._pid = -1
        self._mutex = threading.Lock()
        self._fd: int | None = None
        self._owner: int | None = None
        self._depth = 0

    @property
    def held(self) -> bool:
        """Whether some thread of this process holds the turn."""
        return self._owner is not None

    def acquire(self) -> bool:
        """Take the turn (re-entrant per thread); False if it did not come within the wait."""
        self._after_fork()
        me = threading.get_ident()
        if self._owner == me:  # a second connection of this thread: SQLite will arbitrate
            self._depth += 1
            return True
        deadline = time.monotonic() + WAIT_SECONDS
        if not self._mutex.acquire(timeout=WAIT_SECONDS):
            return False
        if not self._lock_file(deadline):
            self._mutex.release()
            return False
        self._owner, self._depth = me, 1
        return True

    def release(self) -> None:
        """Give the turn back (the last release of a re-entrant hold frees it)."""
        self._depth -= 1
        if self._depth > 0:
            return
        self._owner = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._mutex.release()

    def _lock_file(self, deadline: float) -> bool:
        if self._fd is None:
            if self._path is None:  # an in-memory database: one process only
                return True
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        pause = 0.0002
        # Only one thread per process gets here, so a short poll costs little; a blocking
        # flock could not give up after WAIT_SECONDS.
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    def _after_fork(self) -> None:
        # A forked child (gunicorn's workers) must not share the parent's flock, whose
        # open file it inherited, nor a mutex some parent thread held at the fork.
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._mutex = threading.Lock()
            self._fd, self._owner, self._depth = None, None, 0


def lock_for(path: str | None) -> WriterLock:
    """Return the process's lock for the database file at `path` (None: in memory)."""
    key = os.path.abspath(path) if path else ""
    with _LOCKS_GUARD:
        if key not in _LOCKS:
            _LOCKS[key] = WriterLock(key or None)
        return _LOCKS[key]


class TurnTakingConnection(sqlite3.Connection):
    """A sqlite3 connection that holds its file's WriterLock from first write to commit."""

    writer_lock: WriterLock | None = None
    _holding = False

    def take_turn(self) -> None:
        """Called before a statement that writes; takes the lock once per transaction."""
        if self.writer_lock is not None and not self._holding:
            self._holding = self.writer_lock.acquire()

    def end_turn(self) -> None:
        """Give the lock back if held and no transaction is open any more."""
        if self._holding and not self.in_transaction:
            self._holding = False
            assert self.writer_lock is not None
            self.writer_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._holding and self.writer_lock is not None:
                self._holding = False
                self.writer_lock.release()


def before_execute(  # type: ignore[no-untyped-def]
    _connection, cursor, statement, _parameters, _context, _executemany
) -> None:
    """Engine hook: take the write turn before a statement that writes."""
    if statement.lstrip()[:7].upper().startswith(_WRITES):
        dbapi = cursor.connection
        if isinstance(dbapi, TurnTakingConnection):
            dbapi.take_turn()


def after_execute(  # type: ignore[no-untyped-def]
    _connection, cursor, _statement, _parameters, _context, _executemany
) -> None:
    """Engine hook: a write outside a transaction (autocommit) ends its turn at once."""
    dbapi = cursor.connection
    if isinstance(dbapi, TurnTakingConnection):
        dbapi.end_turn()


def on_connect(dbapi_connection: Any, path: str | None) -> None:
    """Give a new connection its file's lock."""
    if isinstance(dbapi_connection, TurnTakingConnection):
        dbapi_connection.writer_lock = lock_for(path)
