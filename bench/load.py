"""Signed /hypothesis load for bench/ack_latency.py: acks timed, verdicts traced to their ack.

Each request carries its own response_url key on the stand-in Slack, so the verdict the app
posts there later is matched to the request it answers: ack-to-verdict is the time from
the ack's arrival to the verdict's.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import SlackSender

SLACK_LIMIT = 3.0  # seconds: Slack gives up on an ack after this
VERDICT_WINDOW = 60.0  # seconds after the last ack within which every verdict must arrive


@dataclass
class Round:
    """One app's load: when each request was acked, how long each ack took."""

    tag: str
    acked_at: dict[str, float] = field(default_factory=dict)  # key -> time.monotonic()
    latencies: list[float] = field(default_factory=list)

    @property
    def last_ack(self) -> float:
        """Return when the last ack arrived (time.monotonic)."""
        return max(self.acked_at.values())


def percentile(values: list[float], q: float) -> float:
    """Return the q-quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def send(
    sender: SlackSender, slack: SlackStandIn, *, count: int, concurrency: int, tag: str
) -> Round:
    """Send `count` signed /hypothesis, `concurrency` at a time; return their acks."""
    done = Round(tag=tag)

    def one(n: int) -> None:
        key = f"{tag}-{n}"
        own = replace(sender, response_url=slack.response_url(key))
        reply = own.command("/hypothesis", f"{tag} statement number {n} will raise retention")
        if reply.status != 200:
            raise SystemExit(f"{tag}: HTTP {reply.status} {reply.body[:200]}")
        done.acked_at[key] = time.monotonic()
        done.latencies.append(reply.seconds)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(count)))
    return done


def verdicts(
    slack: SlackStandIn, acked: Round, *, window: float = VERDICT_WINDOW
) -> dict[str, float]:
    """Wait up to `window` after the last ack; return each verdict's time (key -> monotonic)."""
    deadline = acked.last_ack + window
    found: dict[str, float] = {}
    while True:
        for call in slack.calls("response_url"):
            if call.key in acked.acked_at and "Checking" not in str(call.args.get("text", "")):
                found.setdefault(call.key, call.at)
        if len(found) == len(acked.acked_at) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
