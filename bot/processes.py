"""`gatebot run`: the web, a worker and the clock as one process tree, for one command.

Each is the same `gatebot serve|socket`, `gatebot worker` and `gatebot clock` production
runs separately, started as children on the same settings (the SQLite file by default,
which all three share). Ctrl-C or SIGTERM stops them gracefully: each finishes what it
holds, and whatever a worker had not finished stays queued for the next start. If one of
them exits, the others are stopped too and its status is returned, so nothing half runs.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

logger = logging.getLogger(__name__)

GRACE_SECONDS = 25.0  # then a child that has not stopped is killed


def commands(*, socket: bool, port: int | None) -> list[list[str]]:
    """Return the command line of each child: the web (HTTP or Socket Mode), worker, clock."""
    gatebot = [sys.executable, "-m", "bot.cli"]
    web = [*gatebot, "socket"] if socket else [*gatebot, "serve"]
    if port is not None and not socket:
        web += ["--port", str(port)]
    return [web, [*gatebot, "worker"], [*gatebot, "clock"]]


def run_all(children: Sequence[Sequence[str]]) -> int:
    """Start `children`, wait for a signal or for one to exit, stop the rest; return a status."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        logger.info("stopping web, worker and clock on signal %s", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # Their own sessions: Ctrl-C reaches this process only, which stops each child once,
    # gracefully (SIGINT to gunicorn would be its quick shutdown).
    started = [
        subprocess.Popen(list(child), start_new_session=True)  # noqa: S603 (our own commands)
        for child in children
    ]
    status = 0
    while not stop.wait(0.2):
        exited = [child for child in started if child.poll() is not None]
        if exited:
            status = exited[0].returncode or 1
            logger.error("%s exited with %s: stopping the others", _name(exited[0]), status)
            break
    _stop(started)
    return status


def _stop(children: Sequence[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop in %s s: killed", _name(child), GRACE_SECONDS)
            child.kill()
            child.wait()


def _name(child: subprocess.Popen[bytes]) -> str:
    """Name a child by its gatebot subcommand (serve, worker, clock) in the log."""
    args = child.args
    return str(args[3]) if isinstance(args, list | tuple) and len(args) > 3 else str(args)
