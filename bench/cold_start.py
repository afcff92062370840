"""Cold start: how soon after `gatebot serve` opens its port the first /hypothesis is acked.

Slack gives up on an ack after 3 s, so a server that accepts connections before it has
built the app fails the first command after every deploy or restart. Each start here is a
fresh `gatebot serve` (gunicorn, its default workers) on a migrated SQLite database, a
stand-in Slack and a fake OpenAI server: the port is probed every few milliseconds, and
the moment it accepts, one signed /hypothesis is sent and its ack timed. Printed per
start: seconds from launch to the open port, and the first ack's latency; then their
spread. Target: every first ack < 0.5 s.

    python bench/cold_start.py [--starts 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.demo.standin.slack import SlackStandIn  # noqa: E402
from bot.demo.standin.slack_requests import SlackSender  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

SECRET = "bench-signing-secret"
TARGET = 0.5  # seconds


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Return as soon as a TCP connection to `port` succeeds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gatebot serve exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.05):
                return
        except OSError:
            time.sleep(0.005)
    raise SystemExit(f"gatebot serve did not open port {port} within {timeout:.0f}s")


def _one_start(
    env: dict[str, str], cwd: str, workers: int, slack: SlackStandIn, n: int
) -> tuple[float, float]:
    """Start the server once; return (seconds to the open port, first ack's seconds)."""
    port = _free_port()
    command = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    launched = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for_port(port, process)
        opened = time.perf_counter() - launched
        sender = SlackSender(
            events_url=f"http://127.0.0.1:{port}/slack/events",
            signing_secret=SECRET,
            response_url=slack.response_url(f"start{n}"),
        )
        reply = sender.command("/hypothesis", "Reranking will lift saves 3% in 2 weeks")
        if reply.status != 200:
            raise SystemExit(f"start {n}: HTTP {reply.status} {reply.body[:200]}")
        return opened, reply.seconds
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    """Run the starts and print the figures; exit 1 if a first ack missed the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as slack, FakeOpenAI() as llm:
        llm.delay(5.0)
        llm.from_rules()
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "OPENAI_API_KEY": "sk-bench",
            "OPENAI_BASE_URL": llm.base_url,
            "PYTHONPATH": str(ROOT),
        }
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
            cwd=tmp,
        )
        results = [_one_start(env, tmp, args.workers, slack, n) for n in range(args.starts)]

    print(f"cold start: {args.starts} fresh `gatebot serve` ({args.workers} workers), one signed")
    print("/hypothesis sent the moment the port accepts a connection")
    print(f"load average (1 min) {os.getloadavg()[0]:.2f}")
    print(f"{'start':<8}{'port open s':>14}{'first ack ms':>15}")
    for n, (opened, ack) in enumerate(results, start=1):
        print(f"{n:<8}{opened:>14.2f}{ack * 1000:>15.1f}")
    acks = [ack for _, ack in results]
    print(
        f"first ack: min {min(acks) * 1000:.1f} ms, median {statistics.median(acks) * 1000:.1f} "
        f"ms, max {max(acks) * 1000:.1f} ms; target < {TARGET * 1000:.0f} ms in every start: "
        f"{'met' if max(acks) < TARGET else 'NOT met'}"
    )
    return 0 if max(acks) < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
