"""Ack latency under load: gatebot as in production against a bare Bolt app that only acks.

Starts `gatebot serve` (gunicorn, threaded workers) and the bare app served the same way,
a stand-in Slack, and a fake OpenAI server that takes --llm-seconds per answer; sends
signed /hypothesis requests --concurrency at a time, --count in all, to each; prints p50
and p99 ack latency and their ratio. Target: gatebot's p99 <= 1.3x the bare app's.

    python bench/ack_latency.py [--count 320] [--concurrency 32] [--llm-seconds 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.standin.slack import SlackStandIn  # noqa: E402
from bot.standin.slack_requests import SlackSender  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

SECRET = "bench-signing-secret"
SERVE_BARE = """
import sys
from bot.server import serve
from bot.settings import get_settings
serve(settings=get_settings(), port=int(sys.argv[1]), workers=int(sys.argv[2]),
      loader="bench.bare_app:build")
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on {port} did not start")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _load(sender: SlackSender, *, count: int, concurrency: int, tag: str) -> list[float]:
    def one(n: int) -> float:
        reply = sender.command("/hypothesis", f"{tag} statement number {n} will raise retention")
        if reply.status != 200:
            raise SystemExit(f"{tag}: HTTP {reply.status} {reply.body[:200]}")
        return reply.seconds

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(min(concurrency, count))))  # warm-up: connections, imports
        return list(pool.map(one, range(count)))


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--llm-seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as slack, FakeOpenAI() as llm:
        llm.delay(args.llm_seconds)
        llm.from_rules()
        database_url = f"sqlite:///{tmp}/bench.db"
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "OPENAI_API_KEY": "sk-bench",
            "OPENAI_BASE_URL": llm.base_url,
            "GATEBOT_LLM_TIMEOUT": str(args.llm_seconds + 5),
            "PYTHONPATH": str(ROOT),
        }
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
            cwd=tmp,
        )
        ports = {"gatebot": _free_port(), "bare": _free_port()}
        commands = {
            "gatebot": [
                sys.executable,
                "-m",
                "bot.cli",
                "serve",
                "--port",
                str(ports["gatebot"]),
                "--workers",
                str(args.workers),
            ],
            "bare": [sys.executable, "-c", SERVE_BARE, str(ports["bare"]), str(args.workers)],
        }
        processes = {
            name: subprocess.Popen(
                command, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for name, command in commands.items()
        }
        try:
            results: dict[str, list[float]] = {}
            for name in ("bare", "gatebot"):
                _wait_healthy(ports[name], processes[name])
                sender = SlackSender(
                    events_url=f"http://127.0.0.1:{ports[name]}/slack/events",
                    signing_secret=SECRET,
                    response_url=slack.response_url(name),
                )
                results[name] = _load(
                    sender, count=args.count, concurrency=args.concurrency, tag=name
                )
        finally:
            for process in processes.values():
                process.terminate()
                process.wait(timeout=30)

    print(
        f"ack latency: {args.count} signed /hypothesis, {args.concurrency} at a time, "
        f"LLM {args.llm_seconds:g} s per answer, {args.workers} gunicorn workers each"
    )
    print(f"{'app':<10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'mean ms':>10}")
    for name, values in results.items():
        ms = [v * 1000 for v in values]
        print(
            f"{name:<10}{_percentile(ms, 0.5):>10.1f}{_percentile(ms, 0.99):>10.1f}"
            f"{max(ms):>10.1f}{statistics.fmean(ms):>10.1f}"
        )
    ratio = _percentile(results["gatebot"], 0.99) / _percentile(results["bare"], 0.99)
    print(f"p99 ratio gatebot/bare: {ratio:.2f} (target <= 1.30; Slack's limit is 3000 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
