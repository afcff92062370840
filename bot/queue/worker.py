"""The worker: threads that claim jobs under a lease, run their task, and settle them once.

Each thread claims the oldest due job, runs it in a session of its own and marks it done.
A task that raises a GatebotError refused for a reason the person can act on: they are
told and the job ends. Anything else is retried with exponential backoff, up to
max_attempts claims, then the person is told. A separate loop renews the leases of the
jobs in hand, so only a worker that died (or lost the database) lets its jobs be retaken
once their lease runs out. A job can therefore run more than once across a crash: its
side effects must be safe to repeat (posts look for their own key first).
"""

from __future__ import annotations

import heapq
import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot.core.errors import GatebotError, report_error
from bot.core.request_ids import bound, new_id
from bot.core.reruns import running_again
from bot.queue.service import IDS_FIELD, stop_waking, wake_on_queued_work
from bot.queue.tasks import JobRef, Task, UnknownTask, lookup
from bot.slack.replies import reliable
from db import queue
from db.columns import utcnow
from db.models.queue import QueuedJob

logger = logging.getLogger(__name__)

# Payload fields a job may carry to reach the person (`respond`, or telling them of a
# failure), handed to the body only if it names them.
REPLY_FIELDS = frozenset({"response_url", "channel_id", "user_id"})


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs: its threads, lease, polling and retry policy."""

    threads: int = 8
    lease: timedelta = timedelta(seconds=30)
    poll_seconds: float = 0.5  # how often an idle thread looks for work queued elsewhere
    retry_base: timedelta = timedelta(seconds=2)  # then 4, 8, 16 … seconds
    retry_cap: timedelta = timedelta(minutes=10)
    max_attempts: int = 5


def worker_id() -> str:
    """Return a name for this worker, stored on the jobs it holds: host, pid and a nonce."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs queued jobs until stopped; `run_one` runs a single job (for the caller's thread)."""

    def __init__(
        self,
        *,
        engine: Engine,
        client_for: Callable[[str], WebClient],
        checker: object = None,
        options: WorkerOptions | None = None,
        name: str | None = None,
        on_beat: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self._client_for = client_for
        self._checker = checker
        self.options = options or WorkerOptions()
        self.name = name or worker_id()
        self._on_beat = on_beat
        self._held: dict[int, QueuedJob] = {}
        self._held_lock = threading.Lock()
        self._retries: list[datetime] = []  # when the retries this worker set fall due (a heap)

    def run(self, stop: threading.Event) -> None:
        """Run jobs on `options.threads` threads until `stop` is set; then finish those in hand."""
        # Each thread's own wake-up, set by a commit that queued work and by the stop: a
        # thread clearing a shared one could swallow the stop meant for another.
        wakes = [threading.Event() for _ in range(self.options.threads)]
        threads = [
            threading.Thread(target=self._loop, args=(stop, wake), name=f"worker-{n}", daemon=True)
            for n, wake in enumerate(wakes)
        ]
        for wake in wakes:
            wake_on_queued_work(wake)
        for thread in threads:
            thread.start()
        logger.info("worker %s running %s threads", self.name, len(threads))
        self._renew_until(stop)
        for wake in wakes:  # idle threads see the stop now, not at their next poll
            wake.set()
        for thread in threads:
            thread.join()
        for wake in wakes:
            stop_waking(wake)
        logger.info("worker %s stopped", self.name)

    def run_one(self) -> bool:
        """Claim and run one due job; False if there was none."""
        with Session(self.engine, expire_on_commit=False) as session:
            job = queue.claim(
                session=session, worker_id=self.name, now=utcnow(), lease=self.options.lease
            )
        if job is None:
            return False
        self._work(job)
        return True

    def _loop(self, stop: threading.Event, wake: threading.Event) -> None:
        while True:
            wake.clear()  # cleared before looking: work queued after this wakes us
            if stop.is_set():  # looked at after the clear, so a stop's wake-up is never lost
                return
            try:
                found = self.run_one()
            except Exception:  # the database away for a moment: wait, then look again
                logger.exception("worker %s could not claim a job", self.name)
                found = False
                stop.wait(self.options.poll_seconds)
            if not found:
                wake.wait(self._idle_seconds())

    def _idle_seconds(self) -> float:
        """Return how long an idle thread waits: until the poll, or this worker's next retry.

        Work queued in this process wakes it; a retry it set itself is due at a known time.
        """
        now = utcnow()
        with self._held_lock:
            due = False
            while self._retries and self._retries[0] <= now:
                heapq.heappop(self._retries)
                due = True
            soonest = self._retries[0] if self._retries else None
        if due:  # fell due since this thread looked: look again now rather than wait
            return 0.0
        if soonest is None:
            return self.options.poll_seconds
        return min(self.options.poll_seconds, (soonest - now).total_seconds())

    def _renew_until(self, stop: threading.Event) -> None:
        interval = max(0.05, self.options.lease.total_seconds() / 3)
        self.beat()  # at once: a worker that just started is seen running
        while not stop.wait(interval):
            self.beat()
            with self._held_lock:
                held = list(self._held.values())
            if not held:
                continue
            try:
                with Session(self.engine, expire_on_commit=False) as session:
                    queue.renew(
                        session=session,
                        jobs=held,
                        worker_id=self.name,
                        until=utcnow() + self.options.lease,
                    )
            except Exception:
                logger.exception("worker %s could not renew its leases", self.name)
        self.beat()

    def beat(self) -> None:
        """Record this worker's heartbeat (never raises: a missed beat is only a stale one)."""
        if self._on_beat is None:
            return
        try:
            self._on_beat()
        except Exception:  # a missed beat shows as a stale worker; the jobs still run
            logger.exception("worker %s could not record its heartbeat", self.name)

    def _work(self, job: QueuedJob) -> None:
        ids = job.payload.get(IDS_FIELD) or {}
        request_id = ids.get("request_id") or new_id()
        with (
            bound(request_id=request_id, team_id=job.team_id or None, user_id=ids.get("user_id")),
            running_again(job.attempts > 1),  # its posts look for themselves first
        ):
            assert job.id is not None
            with self._held_lock:
                self._held[job.id] = job
            try:
                self._run_and_settle(job)
            finally:
                with self._held_lock:
                    self._held.pop(job.id, None)

    def _run_and_settle(self, job: QueuedJob) -> None:
        payload = {k: v for k, v in job.payload.items() if k != IDS_FIELD}
        if job.attempts > self.options.max_attempts:  # its workers died on it every time
            self._give_up(job, payload, RuntimeError(f"{job.task} never finished"))
            return
        try:
            task = lookup(job.task)
            arguments = {
                name: value
                for name, value in payload.items()
                if name not in REPLY_FIELDS or task.accepts(name)
            }
            with Session(self.engine, expire_on_commit=False) as session:
                task.body(**self._resources(task, job, payload, session), **arguments)
        except GatebotError as refusal:  # the person's to act on, not the operator's
            self._give_up(job, payload, refusal, level=logging.INFO)
            return
        except UnknownTask as error:  # a web newer than this worker: a newer worker will know
            self._retry_or_give_up(job, payload, error)
            return
        except Exception as error:
            logger.exception("job %s (%s) failed on attempt %s", job.id, job.task, job.attempts)
            self._retry_or_give_up(job, payload, error)
            return
        with Session(self.engine) as session:
            if not queue.finish(session=session, job=job, worker_id=self.name, now=utcnow()):
                logger.warning("job %s finished after its lease was lost", job.id)
            session.commit()

    def _resources(
        self, task: Task, job: QueuedJob, payload: dict[str, Any], session: Session
    ) -> dict[str, Any]:
        wanted: dict[str, Any] = {}
        if "session" in task.resources:
            wanted["session"] = session
        if "team_id" in task.resources:
            wanted["team_id"] = job.team_id
        if "job" in task.resources:
            assert job.id is not None
            wanted["job"] = JobRef(id=job.id, attempts=job.attempts, queued_at=job.created_at)
        if "checker" in task.resources:
            wanted["checker"] = self._checker
        if "client" in task.resources or "respond" in task.resources:
            client = self._client_for(job.team_id)
            if "client" in task.resources:
                wanted["client"] = client
            if "respond" in task.resources:
                wanted["respond"] = self._respond(client, payload, job)
        return wanted

    def _respond(self, client: WebClient, payload: dict[str, Any], job: QueuedJob) -> Any:
        return reliable(
            Respond(response_url=payload.get("response_url")),
            client=client,
            channel_id=payload.get("channel_id") or "",
            user_id=payload.get("user_id") or "",
            received_at=job.created_at,  # queued in the ack: a late job skips the dead URL
        )

    def _retry_or_give_up(self, job: QueuedJob, payload: dict[str, Any], error: Exception) -> None:
        if job.attempts >= self.options.max_attempts:
            self._give_up(job, payload, error)
            return
        backoff = self.options.retry_base * (2 ** (job.attempts - 1))
        at = utcnow() + min(backoff, self.options.retry_cap)
        with Session(self.engine) as session:
            queue.retry(
                session=session, job=job, worker_id=self.name, at=at, error=_describe(error)
            )
            session.commit()
        with self._held_lock:
            heapq.heappush(self._retries, at)

    def _give_up(
        self,
        job: QueuedJob,
        payload: dict[str, Any],
        error: Exception,
        *,
        level: int = logging.WARNING,
    ) -> None:
        with Session(self.engine) as session:
            failed = queue.fail(
                session=session, job=job, worker_id=self.name, now=utcnow(), error=_describe(error)
            )
            session.commit()
        if not failed:
            return  # retaken by another worker meanwhile: theirs to report
        logger.log(level, "job %s (%s) gave up: %s", job.id, job.task, error)
        self._tell(job, payload, error)

    def _tell(self, job: QueuedJob, payload: dict[str, Any], error: Exception) -> None:
        user_id = payload.get("user_id")
        try:
            client = self._client_for(job.team_id)
        except Exception:  # not installed any more: nobody to tell through
            logger.info("job %s failed and its team %s has no client", job.id, job.team_id)
            return
        respond = self._respond(client, payload, job) if payload.get("response_url") else None
        report_error(error, respond=respond, client=client, user_id=user_id)


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(error)).strip()
