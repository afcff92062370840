"""Ack latency under load: gatebot as in production against a bare Bolt app that only acks.

Starts `gatebot serve` (gunicorn, threaded workers) and the bare app served the same way,
a stand-in Slack, and a fake OpenAI server that takes --llm-seconds per answer; sends
signed /hypothesis requests --concurrency at a time, --count in all, to each; prints p50
and p99 ack latency and their ratio. Target: gatebot's p99 <= 1.3x the bare app's.

Both servers finish booting before either is measured. Also printed: the CPU each server
(master and workers) spent per ack during its load, a figure that other processes on the
machine barely move, unlike the latencies; and the load average, to judge those by.

    python bench/ack_latency.py [--count 320] [--concurrency 32] [--llm-seconds 5] [--rounds N]
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

from bot.demo.standin.slack import SlackStandIn  # noqa: E402
from bot.demo.standin.slack_requests import SlackSender  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

SECRET = "bench-signing-secret"
SERVE_BARE = """
import sys
from bot.server import serve
from bot.core.settings import get_settings
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


def _server_cpu(pid: int) -> float | None:
    """Return the CPU seconds gunicorn's master `pid` and its workers used so far (Linux)."""
    try:
        workers = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total = 0
        for each in [pid, *workers]:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    except (OSError, ValueError, IndexError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def _wait_booted(processes: list[subprocess.Popen], timeout: float = 60) -> None:
    """Wait until the servers' CPU use stops climbing: every worker has built its app."""

    def total() -> float | None:
        readings = [_server_cpu(process.pid) for process in processes]
        return None if None in readings else sum(r for r in readings if r is not None)

    deadline = time.monotonic() + timeout
    before = total()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = total()
        if now is None or before is None:
            time.sleep(3)  # no /proc to read: give the workers time instead
            return
        if now - before < 0.05:  # under 10% of a core: idle
            return
        before = now
    raise SystemExit("the servers did not settle after starting")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _load(
    sender: SlackSender, *, count: int, concurrency: int, tag: str, pid: int
) -> tuple[list[float], float | None]:
    """Return the ack latencies, and the server's CPU seconds during them (None: unknown)."""

    def one(n: int) -> float:
        reply = sender.command("/hypothesis", f"{tag} statement number {n} will raise retention")
        if reply.status != 200:
            raise SystemExit(f"{tag}: HTTP {reply.status} {reply.body[:200]}")
        return reply.seconds

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(min(concurrency, count))))  # warm-up: connections, imports
        cpu_before = _server_cpu(pid)
        latencies = list(pool.map(one, range(count)))
        cpu_after = _server_cpu(pid)
    if cpu_before is None or cpu_after is None:
        return latencies, None
    return latencies, cpu_after - cpu_before


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--llm-seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds; the median ratio is printed"
    )
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
            cpu: dict[str, float | None] = {}
            for name in ("bare", "gatebot"):
                _wait_healthy(ports[name], processes[name])
            # One server still booting would take CPU from the other's measurement.
            _wait_booted(list(processes.values()))
            load_before = os.getloadavg()[0]
            rounds: list[dict[str, float]] = []
            for round_number in range(args.rounds):
                # Alternate who goes first, so neither app always meets a cold or a busy box.
                order = ("bare", "gatebot") if round_number % 2 == 0 else ("gatebot", "bare")
                p99s: dict[str, float] = {}
                for name in order:
                    sender = SlackSender(
                        events_url=f"http://127.0.0.1:{ports[name]}/slack/events",
                        signing_secret=SECRET,
                        response_url=slack.response_url(name),
                    )
                    latencies, seconds = _load(
                        sender,
                        count=args.count,
                        concurrency=args.concurrency,
                        tag=f"{name}{round_number}",
                        pid=processes[name].pid,
                    )
                    results.setdefault(name, []).extend(latencies)
                    if seconds is not None:
                        cpu[name] = (cpu.get(name) or 0.0) + seconds
                    p99s[name] = _percentile(latencies, 0.99)
                rounds.append(p99s)
                if round_number + 1 < args.rounds:
                    time.sleep(args.llm_seconds + 1)  # the round's checks finish first
            load_after = os.getloadavg()[0]
        finally:
            for process in processes.values():
                process.terminate()
                process.wait(timeout=30)

    print(
        f"ack latency: {args.count} signed /hypothesis, {args.concurrency} at a time, "
        f"LLM {args.llm_seconds:g} s per answer, {args.workers} gunicorn workers each"
    )
    print(f"load average (1 min) {load_before:.2f} before, {load_after:.2f} after")
    print(f"{'app':<10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'mean ms':>10}{'CPU ms/ack':>12}")
    for name, values in results.items():
        ms = [v * 1000 for v in values]
        seconds = cpu.get(name)
        per_ack = "n/a" if seconds is None else f"{seconds * 1000 / len(values):.2f}"
        print(
            f"{name:<10}{_percentile(ms, 0.5):>10.1f}{_percentile(ms, 0.99):>10.1f}"
            f"{max(ms):>10.1f}{statistics.fmean(ms):>10.1f}{per_ack:>12}"
        )
    ratio = _percentile(results["gatebot"], 0.99) / _percentile(results["bare"], 0.99)
    print(f"p99 ratio gatebot/bare: {ratio:.2f} (target <= 1.30; Slack's limit is 3000 ms)")
    if len(rounds) > 1:
        ratios = [r["gatebot"] / r["bare"] for r in rounds]
        shown = " ".join(f"{r:.2f}" for r in ratios)
        print(f"per-round p99 ratios: {shown}; median {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
