"""Two web, two worker and two clock processes over PostgreSQL, under load, one of each killed.

Usage: python bench/processes_under_load.py [--database-url URL] [--commands N]
       [--modals N] [--projects N] [--concurrency N]
Sends N signed /hypothesis commands and N hypothesis modal submissions to the two web
processes while the clocks post the prompts of P due projects. A third of the way through,
one web, one worker and one clock are killed with SIGKILL; requests then go to the surviving
web (as a load balancer's health check would send them). Prints what was acked, what
arrived, and what was lost or duplicated: each verdict, saved hypothesis and gate prompt
should arrive exactly once.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import os
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere, without installing the package

from sqlmodel import Session, func, select  # noqa: E402

from bench.clock import seed  # noqa: E402
from bench.scratch import DEFAULT_URL, scratch_schema  # noqa: E402
from bot.demo.standin.slack import SlackStandIn  # noqa: E402
from bot.demo.standin.slack_requests import SlackSender, selected, text_input  # noqa: E402
from bot.hypotheses.blocks import MODAL_CALLBACK, modal  # noqa: E402
from db.models import Hypothesis, HypothesisStatus  # noqa: E402
from db.models.gates import GateReview  # noqa: E402
from db.models.queue import QueuedJob  # noqa: E402
from db.session import make_engine  # noqa: E402
from tests.processes import (  # noqa: E402
    SIGNING_SECRET,
    free_port,
    gatebot_env,
    kill_hard,
    start,
    stop,
    wait_healthy,
    wait_until,
)

CHANNEL = "C0LOAD"


def _form(number: int) -> dict[str, dict[str, dict[str, object]]]:
    return {
        "change": {"change": text_input(f"quantization {number}")},
        "outcome_metric": {"outcome_metric": text_input("p95 latency")},
        "direction": {"direction": selected("stay_below")},
        "magnitude": {"magnitude": text_input("120 ms")},
    }


def main() -> int:
    """Run the scenario once and print its counts; exit 1 if anything was lost or doubled."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--commands", type=int, default=150)
    parser.add_argument("--modals", type=int, default=60)
    parser.add_argument("--projects", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with (
        SlackStandIn() as slack,
        scratch_schema(args.database_url, prefix="load", migrated=True) as url,
    ):
        engine = make_engine(url)
        seed(url, projects=args.projects, now=datetime.now(UTC))
        env = gatebot_env(
            slack,
            url,
            GATEBOT_JOB_LEASE_SECONDS="3",
            GATEBOT_CLAIM_LEASE_SECONDS="10",
            GATEBOT_CLOCK_INTERVAL="1",
            GATEBOT_JOB_THREADS="8",
        )
        ports = [free_port(), free_port()]
        webs = [start("serve", "--port", str(p), "--workers", "1", env=env) for p in ports]
        workers = [start("worker", env=env) for _ in range(2)]
        clocks = [start("clock", env=env) for _ in range(2)]
        everything = [*webs, *workers, *clocks]
        try:
            for port, web in zip(ports, webs, strict=True):
                wait_healthy(port, web, timeout=60)
            killed = threading.Event()
            senders = [
                SlackSender(
                    events_url=f"http://127.0.0.1:{port}/slack/events",
                    signing_secret=SIGNING_SECRET,
                    team_id=slack.team_id,
                    channel_id=CHANNEL,
                )
                for port in ports
            ]
            acked: dict[str, set[int]] = {"command": set(), "modal": set()}
            total = args.commands + args.modals

            def send(number: int) -> None:
                # Round robin until the kill; then only the web that lives (a health check).
                sender = senders[1] if killed.is_set() else senders[number % 2]
                if number < args.commands:
                    sender = dataclasses.replace(
                        sender, response_url=slack.response_url(f"cmd{number}")
                    )
                    reply = sender.command("/hypothesis", f"Make the system smarter {number}.")
                    kind = "command"
                else:
                    view = {
                        **modal(channel_id=CHANNEL),
                        "id": f"V0LOAD{number}",
                        "callback_id": MODAL_CALLBACK,
                    }
                    reply = sender.submit_view(view, _form(number))
                    kind = "modal"
                if reply.status == 200:
                    acked[kind].add(number)
                if number == total // 3:
                    kill_hard(webs[0])
                    kill_hard(workers[0])
                    kill_hard(clocks[0])
                    killed.set()

            started = time.monotonic()
            order = [
                n
                for pair in zip(range(args.commands), range(args.commands, total), strict=False)
                for n in pair
            ]
            order += [n for n in range(total) if n not in set(order)]
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(_safely(send), order))

            def settled() -> bool:
                with Session(engine) as session:
                    unfinished = session.exec(
                        select(func.count())
                        .select_from(QueuedJob)
                        .where(
                            QueuedJob.status.in_(["queued", "running"])  # type: ignore[attr-defined]
                        )
                    ).one()
                    prompts = session.exec(
                        select(func.count())
                        .select_from(GateReview)
                        .where(GateReview.status == "posted")
                    ).one()
                return unfinished == 0 and prompts >= args.projects

            wait_until(settled, timeout=180, what="the queue and the prompts")
            seconds = time.monotonic() - started
        finally:
            survivors = [stop(p) for p in everything if p.poll() is None]
        # A live worker whose lease ran out (a renewal late on a loaded machine) lets another
        # take the job too: such doubles are not the kill's.
        leases_lost = sum(log.count("after its lease was lost") for log in survivors)
        verdicts = Counter(c.key for c in slack.calls("response_url"))
        posts = slack.calls("chat.postMessage")
        prompts = Counter(
            c.args["channel"] for c in posts if c.args.get("channel", "").startswith("C0000")
        )
        saved_posts = Counter(
            c.args["text"].split(":")[0] for c in posts if c.args.get("channel") == CHANNEL
        )
        with Session(engine) as session:
            saved_texts = session.exec(
                select(Hypothesis.text).where(Hypothesis.status == HypothesisStatus.OPEN)
            ).all()
            retaken = session.exec(
                select(func.count()).select_from(QueuedJob).where(QueuedJob.attempts > 1)
            ).one()
            jobs = session.exec(select(func.count()).select_from(QueuedJob)).one()
            retaken_by_task = Counter(
                session.exec(select(QueuedJob.task).where(QueuedJob.attempts > 1)).all()
            )
        engine.dispose()

    # Counted per request: one the killed web recorded but could not ack still gets its
    # verdict, and must not hide one that was acked and lost.
    lost_verdicts = sum(1 for n in acked["command"] if f"cmd{n}" not in verdicts)
    doubled = sum(1 for n in verdicts.values() if n > 1)
    saved_numbers = {int(m) for t in saved_texts for m in re.findall(r"quantization (\d+)\b", t)}
    saved = len(saved_texts)
    lost_modals = len(acked["modal"] - saved_numbers)
    print(f"processes: 2 web, 2 worker, 2 clock; killed 1 of each after {total // 3} requests")
    print(
        f"/hypothesis: {len(acked['command'])}/{args.commands} acked, {len(verdicts)} verdicts, "
        f"{lost_verdicts} lost, {doubled} duplicated"
    )
    print(
        f"modal submissions: {len(acked['modal'])}/{args.modals} acked, {saved} saved, "
        f"{lost_modals} lost, "
        f"{len(saved_posts)} posted, {sum(1 for n in saved_posts.values() if n > 1)} posted twice"
    )
    print(
        f"gate prompts: {args.projects} due, {len(prompts)} posted, "
        f"{sum(1 for n in prompts.values() if n > 1)} posted twice"
    )
    print(f"jobs: {jobs} run, {retaken} retaken after a worker died; settled in {seconds:.1f} s")
    print(f"retaken by task: {dict(retaken_by_task)}; leases lost by live workers: {leases_lost}")
    bad = lost_verdicts or doubled or lost_modals or len(saved_posts) != saved
    bad = bad or len(prompts) != args.projects or any(n > 1 for n in prompts.values())
    bad = bad or any(n > 1 for n in saved_posts.values())
    return 1 if bad else 0


def _safely(send):  # type: ignore[no-untyped-def]
    def run(number: int) -> None:
        # The killed web refused it, dropped the connection or cut its answer short: no ack.
        with contextlib.suppress(OSError, http.client.HTTPException):
            send(number)

    return run


if __name__ == "__main__":
    sys.exit(main())
