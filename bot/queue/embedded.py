"""A worker on a thread of the web process: the SQLite default, tests and the demo.

One process then serves Slack and runs the jobs, as `gatebot run` does; the jobs are still
rows in the database, so a crash loses none of them and a restart runs what was left.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlmodel import Session

from bot.queue.worker import Worker
from db import queue
from db.columns import utcnow


class EmbeddedWorker:
    """Runs `worker` on a background thread; `wait_until_drained` waits for the queue."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=worker.run, args=(self._stop,), name="worker")

    def start(self) -> EmbeddedWorker:
        """Start the worker's thread; return self."""
        self._thread.start()
        return self

    def wait_until_drained(self, *, timeout: float = 60.0) -> None:
        """Return once no job is running or due within `timeout` (retries included)."""
        deadline = time.monotonic() + timeout
        horizon = utcnow() + timedelta(seconds=timeout)
        while time.monotonic() < deadline:
            with Session(self.worker.engine) as session:
                if queue.due_count(session=session, by=horizon) == 0:
                    return
            time.sleep(0.02)
        raise TimeoutError(f"the queue was not drained within {timeout} s")

    def stop(self) -> None:
        """Stop taking jobs and wait for those in hand."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
