"""`gatebot serve` as real processes (gunicorn), on free local ports, stopped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.migrated import migrate

GATEBOT = [sys.executable, "-m", "bot.cli"]
START_SECONDS = 120.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(
    url: str,
    process: subprocess.Popen,  # type: ignore[type-arg]
    timeout: float = 30,
    *,
    log: Path | None = None,
) -> None:
    """Return once `url` answers 200; fail if the process exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text() if log else (process.stderr.read() if process.stderr else "")
            raise AssertionError(f"gatebot serve exited: {said}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gatebot serve did not become healthy")


@contextmanager
def serving(
    env: dict[str, str], *, cwd: Path, processes: int = 1, migrated_from: Path | None = None
) -> Iterator[list[str]]:
    """Migrate, run `processes` `gatebot serve` servers and one `gatebot worker`; yield the URLs.

    A SQLite database is migrated as a copy of `migrated_from` (tests.migrated) when given.

    The worker runs the jobs the servers queue (verdicts, posts): a server alone only acks.

    Each server's log goes to `cwd`/serve-N.log (a file: a pipe nobody reads would fill up
    and stall the server).
    """
    full = {**os.environ, **env}
    migrate(env["DATABASE_URL"], migrated_from)
    started: list[tuple[subprocess.Popen, str, Path]] = []  # type: ignore[type-arg]
    try:
        for number in range(processes):
            port, log = free_port(), cwd / f"serve-{number}.log"
            with log.open("w") as stderr:
                process = subprocess.Popen(
                    [*GATEBOT, "serve", "--port", str(port), "--workers", "1"],
                    env=full,
                    cwd=cwd,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            started.append((process, f"http://127.0.0.1:{port}", log))
        with (cwd / "worker.log").open("w") as stderr:
            worker = subprocess.Popen(
                [*GATEBOT, "worker"], env=full, cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr
            )
        started.append((worker, "", cwd / "worker.log"))
        for process, url, log in started[:-1]:
            # Generous: each process imports the whole app, on a machine that may be busy.
            wait_healthy(f"{url}/healthz", process, timeout=START_SECONDS, log=log)
        yield [url for _, url, _ in started[:-1]]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
