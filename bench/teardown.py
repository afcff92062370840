"""How long stopping a local server takes: the WSGI helper, the stand-in Slack, a worker.

Every live-app test stops all three in its teardown, so this is time each such test pays.
Usage: python bench/teardown.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from sqlmodel import SQLModel

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere, without installing the package

from bot.demo.standin.serving import serve_wsgi  # noqa: E402
from bot.demo.standin.slack import SlackStandIn  # noqa: E402
from bot.queue.embedded import EmbeddedWorker  # noqa: E402
from bot.queue.worker import Worker, WorkerOptions  # noqa: E402
from db.models.queue import QueuedJob  # noqa: E402
from db.session import make_engine  # noqa: E402

ROUNDS = 20


class Stoppable(Protocol):
    def stop(self) -> None: ...


def _ok(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def _stop_times(start: Callable[[], Stoppable]) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        server = start()
        time.sleep(0.05)  # serving, idle, as between a test's last request and its teardown
        started = time.perf_counter()
        server.stop()
        times.append(time.perf_counter() - started)
    return times


def _idle_worker(url: str) -> EmbeddedWorker:
    """Start a worker of the live app's four threads on an empty queue (SQLite at `url`)."""

    def no_client(team_id: str) -> Any:
        raise RuntimeError("no job runs here")

    engine = make_engine(url)
    SQLModel.metadata.create_all(engine, tables=[QueuedJob.__table__])  # type: ignore[attr-defined]
    worker = Worker(engine=engine, client_for=no_client, options=WorkerOptions(threads=4))
    return EmbeddedWorker(worker).start()


def main() -> None:
    """Print the median and spread of stop() for each server."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory() as folder:
        queue_url = f"sqlite:///{Path(folder) / 'queue.db'}"
        _print_stops(queue_url)


def _print_stops(queue_url: str) -> None:
    for label, start in (
        ("serve_wsgi (the live app)", lambda: serve_wsgi(_ok)),
        ("SlackStandIn", lambda: SlackStandIn().start()),
        ("EmbeddedWorker (4 threads)", lambda: _idle_worker(queue_url)),
    ):
        ms = [t * 1000 for t in _stop_times(start)]
        q = statistics.quantiles(ms, n=4)
        print(
            f"{label:28} stop(): median {statistics.median(ms):6.1f} ms, "
            f"quartiles {q[0]:.1f}-{q[2]:.1f}, max {max(ms):.1f} (n={ROUNDS})"
        )


if __name__ == "__main__":
    main()
