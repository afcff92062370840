"""Ack latency under load: gatebot as in production against a bare Bolt app that only acks.

Starts `gatebot serve` (gunicorn, threaded workers) and one `gatebot worker` beside it, as
production runs them, the bare app served the same way, a stand-in Slack, and a fake OpenAI
server that takes --llm-seconds per answer. Two profiles, each in --rounds rounds
alternating which app goes first: a burst (320 signed /hypothesis, 32 at a time) and
sustained load (1,920, 32 at a time). Printed per profile:
p50/p99/max ack latency and how many acks took 3 s or more (Slack's limit), the p99 ratio
gatebot/bare per round with its median and spread (targets: burst <= 1.3, sustained
<= 1.5), ack-to-verdict p50/p99 and how many verdicts came within 60 s of the last ack,
and the verdicts per second from the first ack to the last verdict: one worker's jobs/s.

Both servers finish booting before either is measured. Also printed: the CPU each server
(master and workers) spent per ack during its load, a figure that other processes on the
machine barely move, unlike the latencies; and the load average, to judge those by.

    python bench/ack_latency.py [--profile burst|sustained|both] [--count N]
        [--concurrency 32] [--llm-seconds 5] [--rounds 3]
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import SLACK_LIMIT, VERDICT_WINDOW, Round, percentile, send, verdicts  # noqa: E402
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


def _cpu_during(pid: int, run: Callable[[], Round]) -> tuple[Round, float | None]:
    """Run the load; return it and the server's CPU seconds meanwhile (None: unknown)."""
    before = _server_cpu(pid)
    done = run()
    after = _server_cpu(pid)
    return done, (None if before is None or after is None else after - before)


def _measure(
    *, name: str, port: int, pid: int, slack: SlackStandIn, count: int, concurrency: int, tag: str
) -> tuple[Round, float | None, dict[str, float]]:
    """Load one app once; for gatebot, also wait for its verdicts."""
    sender = SlackSender(events_url=f"http://127.0.0.1:{port}/slack/events", signing_secret=SECRET)
    warm = min(concurrency, count)  # connections and first imports, not measured
    send(sender, slack, count=warm, concurrency=concurrency, tag=f"warm-{tag}")
    done, cpu = _cpu_during(
        pid, lambda: send(sender, slack, count=count, concurrency=concurrency, tag=tag)
    )
    found = verdicts(slack, done) if name == "gatebot" else {}
    return done, cpu, found


def _report(
    profile: str, count: int, results: dict[str, list[Round]], cpu: dict, found: list
) -> bool:
    """Print the profile's figures; return whether gatebot met every target."""
    print(f"\n{profile}: {count} signed /hypothesis per round, {len(results['bare'])} rounds")
    print(
        f"{'app':<10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'over 3 s':>10}{'CPU ms/ack':>12}"
    )
    for name, rounds in results.items():
        ms = [v * 1000 for r in rounds for v in r.latencies]
        seconds = cpu.get(name)
        per_ack = "n/a" if seconds is None else f"{seconds * 1000 / len(ms):.2f}"
        late = sum(1 for v in ms if v >= SLACK_LIMIT * 1000)
        print(
            f"{name:<10}{percentile(ms, 0.5):>10.1f}{percentile(ms, 0.99):>10.1f}"
            f"{max(ms):>10.1f}{late:>10}{per_ack:>12}"
        )
    ratios = [
        percentile(g.latencies, 0.99) / percentile(b.latencies, 0.99)
        for g, b in zip(results["gatebot"], results["bare"], strict=True)
    ]
    shown = " ".join(f"{r:.2f}" for r in ratios)
    target = TARGETS.get(profile)
    verdict = "" if target is None else f"; target <= {target}"
    print(
        f"p99 ratio gatebot/bare per round: {shown}; median {statistics.median(ratios):.2f} "
        f"(spread {min(ratios):.2f}-{max(ratios):.2f}){verdict}"
    )
    waits = [t for r, f in zip(results["gatebot"], found, strict=True) for t in _waits(r, f)]
    asked = sum(len(r.acked_at) for r in results["gatebot"])
    if waits:
        print(
            f"ack to verdict: p50 {percentile(waits, 0.5):.2f} s, p99 {percentile(waits, 0.99):.2f}"
            f" s; {len(waits)} of {asked} verdicts within {VERDICT_WINDOW:.0f} s of the last ack"
        )
    rates = [_rate(r, f) for r, f in zip(results["gatebot"], found, strict=True) if f]
    if rates:
        spread = f"{min(rates):.1f}-{max(rates):.1f}"
        print(
            "verdicts per second, first ack to last verdict: "
            f"median {statistics.median(rates):.1f} ({spread})"
        )
    late = sum(1 for v in results["gatebot"] for t in v.latencies if t >= SLACK_LIMIT)
    missed = []
    if target is not None and statistics.median(ratios) > target:
        missed.append(f"p99 ratio over {target}")
    if late:
        missed.append(f"{late} acks over {SLACK_LIMIT:.0f} s")
    if len(waits) < asked:
        missed.append(f"{asked - len(waits)} verdicts later than {VERDICT_WINDOW:.0f} s")
    print(f"{profile} targets: {'met' if not missed else 'NOT met: ' + ', '.join(missed)}")
    return not missed


def _waits(acked: Round, found: dict[str, float]) -> list[float]:
    return [at - acked.acked_at[key] for key, at in found.items()]


def _rate(acked: Round, found: dict[str, float]) -> float:
    return len(found) / max(max(found.values()) - min(acked.acked_at.values()), 1e-9)


PROFILES = {"burst": 320, "sustained": 1920}
TARGETS = {"burst": 1.3, "sustained": 1.5}  # the p99 ratio gatebot/bare, median of the rounds


def main() -> int:
    """Run the benchmark and print the figures; exit 1 if a target was missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=[*PROFILES, "both"], default="both")
    parser.add_argument("--count", type=int, help="requests per round (overrides the profile)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--llm-seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per profile")
    args = parser.parse_args()
    profiles = PROFILES if args.profile == "both" else {args.profile: PROFILES[args.profile]}
    if args.count:
        profiles = {name: args.count for name in profiles}

    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as slack, FakeOpenAI() as llm:
        llm.delay(args.llm_seconds)
        llm.from_rules()
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
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
        workers = ["--workers", str(args.workers)]
        commands = {
            "gatebot": [sys.executable, "-m", "bot.cli", "serve", "--port", str(ports["gatebot"])]
            + workers,
            "bare": [sys.executable, "-c", SERVE_BARE, str(ports["bare"]), str(args.workers)],
        }
        processes = {
            name: subprocess.Popen(
                command, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for name, command in commands.items()
        }
        # The web process only acks and queues; the verdicts come from a worker process.
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker"],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for name in ("bare", "gatebot"):
                _wait_healthy(ports[name], processes[name])
            _wait_booted([*processes.values(), worker])  # one booting would take CPU from the other
            print(
                f"ack latency: signed /hypothesis, {args.concurrency} at a time, LLM "
                f"{args.llm_seconds:g} s per answer, {args.workers} gunicorn workers each"
            )
            print(f"load average (1 min) {os.getloadavg()[0]:.2f} before")
            met = True
            for profile, count in profiles.items():
                results: dict[str, list[Round]] = {"bare": [], "gatebot": []}
                cpu: dict[str, float] = {}
                found: list[dict[str, float]] = []
                for n in range(args.rounds):
                    # Alternate who goes first, so neither always meets a cold or a busy box.
                    order = ("bare", "gatebot") if n % 2 == 0 else ("gatebot", "bare")
                    for name in order:
                        done, seconds, verdicts_found = _measure(
                            name=name,
                            port=ports[name],
                            pid=processes[name].pid,
                            slack=slack,
                            count=count,
                            concurrency=args.concurrency,
                            tag=f"{profile}-{name}-{n}",
                        )
                        results[name].append(done)
                        if seconds is not None:
                            cpu[name] = cpu.get(name, 0.0) + seconds
                        if name == "gatebot":
                            found.append(verdicts_found)
                # A --count run is still judged against its profile's targets.
                met = _report(profile, count, results, cpu, found) and met
            print(f"\nload average (1 min) {os.getloadavg()[0]:.2f} after")
        finally:
            for process in [*processes.values(), worker]:
                process.terminate()
                process.wait(timeout=30)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
