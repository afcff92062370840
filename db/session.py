"""The engine and sessions: built in one place from DATABASE_URL."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from db import sqlite_writes


def normalise_url(url: str) -> str:
    """Point bare PostgreSQL URLs at psycopg 3, the driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Every engine made here, so a forked child can drop the connections it inherited.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def forget_inherited_connections() -> None:
    """In a forked child: leave the parent's pooled connections to the parent, open anew."""
    for engine in list(_ENGINES):
        engine.dispose(close=False)


def make_engine(url: str) -> Engine:
    """Create the engine for `url` (SQLite or PostgreSQL) with the settings each needs."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        # Listeners run on worker threads; SQLite must allow that, and wait on locks
        # rather than fail, since the clock and the web process share the file. Writers
        # take turns on a lock of ours first (db.sqlite_writes), woken as it frees.
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": 30,
                "factory": sqlite_writes.TurnTakingConnection,
            },
            # No pre-ping: a file has no server to drop the connection, and the ping was a
            # query more on each of the ack's checkouts.
        )
        path = make_url(url).database
        file = path if path and path != ":memory:" and not path.startswith("file:") else None
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", lambda dbapi, _rec: sqlite_writes.on_connect(dbapi, file))
        event.listen(engine, "before_cursor_execute", sqlite_writes.before_execute)
        event.listen(engine, "after_cursor_execute", sqlite_writes.after_execute)
    else:
        # A host that drops packets would otherwise hold every start-up for minutes.
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            connect_args={"connect_timeout": 10},
        )
    event.listen(engine, "before_cursor_execute", _drop_nul_characters, retval=True)
    _ENGINES.add(engine)
    return engine


def _drop_nul_characters(  # type: ignore[no-untyped-def]
    _connection, _cursor, statement, parameters, _context, _executemany
):
    """Drop NUL from every text parameter: PostgreSQL refuses it in text, and it is never
    meant in a message (pasted binary, a client bug). SQLite drops it too, so both agree."""
    return statement, _without_nul(parameters)


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_without_nul(item) for item in value)
    return value


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives any
    # crash of the process (kill -9 included) and only a power cut or an OS crash can undo
    # the last ones. FULL cost 2.5 ms of fsync per commit here, and every ack commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


def ping(engine: Engine) -> None:
    """Run a trivial query; raises if the database cannot be reached."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def engine_of(session: Session) -> Engine:
    """Return the engine `session` is bound to (a connection's own engine if bound to one)."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine
