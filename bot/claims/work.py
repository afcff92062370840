"""What every ritual of a clock pass shares: its clock, lease, grace, workers and Slack clients.

Gate reviews (bot.clock.passes) and weekly digests (bot.digests.flows) both claim a row per
occurrence (db.claims), post it, and record what happened; the machinery around that
lives here once: stale claims taken over, leases renewed before a slow post, failures
recorded on the project, and batches fanned out to worker threads with their own sessions.

Two ways a post is tried again. A transient Slack failure (5xx, rate limit, timeout) puts
it off with the outbox's backoff, 1, 2, 4 … minutes up to an hour (next_attempt_at), so a
Slack incident of a few minutes delays a prompt or digest rather than failing it; a clock
that died mid-post is retaken after the lease. Both count an attempt, and after
MAX_ATTEMPTS (about two hours of backoff) the post is failed and the project says why.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar, cast

from slack_sdk import WebClient
from sqlmodel import Session, SQLModel

from bot.core.errors import GatebotError
from bot.core.request_ids import ContextThreadPoolExecutor
from bot.core.time import as_utc

# As the outbox and reminders: a post that kept hitting 5xx (or kept killing its clock) is
# failed after MAX_ATTEMPTS, 8, the backoff between them adding up to about two hours.
from bot.outbox.service import MAX_ATTEMPTS, backoff
from bot.slack.failures import SlackFailure
from db import claims
from db.models import Workspace
from db.models.gates import Project
from db.reviews import set_project_error

logger = logging.getLogger(__name__)


Batch = TypeVar("Batch")
# (session, project, team id, claimed row) -> the outcome to count ("posted", "failed",
# "deferred"), or None when another clock took the row over meanwhile.
Post = Callable[[Session, Project, str, Any], str | None]
# (session, client, project, claimed row, now) -> "posted", "failed" or "deferred". Commits.
Send = Callable[[Session, WebClient, Project, Any, datetime], str]


class Due(Protocol):
    """One occurrence found due: the project it is for and the team that project is in."""

    @property
    def project(self) -> Project: ...
    @property
    def team_id(self) -> str: ...


AnyDue = TypeVar("AnyDue", bound=Due)


class _Stale(claims.ClaimRow, Protocol):
    """What taking over a ritual's stale claim reads: a review's and a digest's row alike."""

    project_id: int
    due_at: datetime
    error: str | None


def record_failure(
    *, session: Session, project: Project, row: Any, now: datetime, failure: SlackFailure
) -> str:
    """Record a post that did not go through. Commits.

    Transient with attempts left: "deferred", still claimed, put off until `now` plus the
    backoff, when a clock retakes it (ClockWork.retake_stale). Else "failed" on the project.
    """
    row.error = failure.message
    row.posted_at = None
    row.next_attempt_at = None
    outcome = "deferred" if failure.transient and row.attempts < MAX_ATTEMPTS else "failed"
    if outcome == "deferred":
        row.next_attempt_at = as_utc(now) + backoff(row.attempts)
    else:
        if failure.transient:
            row.error = f"{failure.message} (gave up after {row.attempts} attempts)"
        row.status = "failed"
        set_project_error(session=session, project=project, error=row.error, at=now)
    session.add(row)
    session.commit()
    name = type(row).__name__
    logger.warning("%s %s of project %s %s: %s", name, row.id, project.id, outcome, failure)
    return outcome


class ClockWork:
    """One clock's pass over the database behind `session`: shared by each ritual it runs."""

    def __init__(
        self,
        *,
        session: Session,
        client_for: Callable[[str], WebClient],
        now: datetime,
        clock_id: str,
        grace: timedelta,
        lease: timedelta,
        workers: int,
        stop: threading.Event,
        ticks: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session, self.client_for, self.now, self.clock_id = session, client_for, now, clock_id
        self.grace, self.lease, self.workers = grace, lease, max(1, workers)
        self.stop = stop
        self._ticks = ticks  # seconds, for the time spent; tests pass one that jumps ahead
        self._started = ticks()
        self._lock = threading.Lock()
        self._clients: dict[str, WebClient | SlackFailure] = {}

    def stamp(self) -> datetime:
        """Return the pass's `now` plus the time spent, so a long pass does not look stale.

        Every claim, lease and retry time a pass writes comes from here, never from `now`.
        """
        return self.now + timedelta(seconds=self._ticks() - self._started)

    def tally(self, report: object, outcome: str) -> None:
        """Add one to `report`'s counter named `outcome`, from any worker thread."""
        with self._lock:
            setattr(report, outcome, getattr(report, outcome) + 1)

    def client(self, team_id: str) -> WebClient | SlackFailure:
        """Return the team's Slack client, or the failure that stands in for one."""
        with self._lock:
            if team_id not in self._clients:
                try:
                    self._clients[team_id] = self.client_for(team_id)
                except Exception as error:  # one workspace without a token must not stop the rest
                    if isinstance(error, GatebotError):  # expected (uninstalled): no traceback
                        logger.warning("no Slack client for team %s: %s", team_id, error)
                    else:
                        logger.exception("no Slack client for team %s", team_id)
                    message = f"gatebot has no working Slack token for this workspace ({error})"
                    failure = SlackFailure(code="no_client", message=message, transient=True)
                    self._clients[team_id] = failure
            return self._clients[team_id]

    def fan_out(self, batches: Sequence[Batch], work: Callable[[Session, Batch], None]) -> None:
        """Run `work` on each batch: inline when one, else on worker threads with own sessions."""
        if self.workers == 1 or len(batches) <= 1:
            for batch in batches:
                work(self.session, batch)
            return

        def in_own_session(batch: Batch) -> None:
            with Session(self.session.get_bind(), expire_on_commit=False) as session:
                work(session, batch)

        # Posting is a few HTTP calls per post; workers keep a busy 09:00 from running late.
        with ContextThreadPoolExecutor(self.workers, thread_name_prefix="clock") as pool:
            for done in [pool.submit(in_own_session, batch) for batch in batches]:
                done.result()

    def claim_and_post(
        self,
        session: Session,
        due: Sequence[AnyDue],
        *,
        claim: Callable[[Sequence[AnyDue]], list[Any]],
        release: Callable[[list[int]], object],
        send: Send,
        report: object,
        what: str,
    ) -> None:
        """Claim the rows for `due` in one insert, then post each one this clock won.

        `claim` inserts the claims and returns the rows won (others are another clock's);
        on a stop request the rest are released so the next clock posts them at once.
        """
        if self.stop.is_set():
            return
        won = claim(due)
        session.commit()
        by_project = {d.project.id: d for d in due}
        for index, row in enumerate(won):
            if self.stop.is_set():  # let the next clock claim them now rather than after a lease
                release([r.id for r in won[index:] if r.id is not None])
                session.commit()
                return
            item = by_project[row.project_id]
            if outcome := self.post_claimed(
                session, item.project, item.team_id, row, send=send, what=what
            ):
                self.tally(report, outcome)

    def post_claimed(
        self, session: Session, project: Project, team_id: str, row: Any, *, send: Send, what: str
    ) -> str | None:
        """Post one claimed row with `send` under a held lease; the outcome, or None if lost."""
        if not self.hold_lease(session, row):
            return None  # another clock took the row over: it posts it
        client = self.client(team_id)
        stamp = self.stamp()
        try:
            if isinstance(client, SlackFailure):
                return record_failure(
                    session=session, project=project, row=row, now=stamp, failure=client
                )
            return send(session, client, project, row, stamp)
        except Exception:  # a bug or a lost database for one post must not stop the others
            logger.exception("posting %s %s of project %s failed", what, row.id, project.id)
            session.rollback()
            return "deferred"  # still claimed: retaken after the lease, up to MAX_ATTEMPTS

    def hold_lease(self, session: Session, row: Any) -> bool:
        """Renew our claim if slow posts ate half its lease; False if another clock took it."""
        stamp = self.stamp()
        if stamp - as_utc(row.claimed_at) <= self.lease / 2:
            return True
        renewed = claims.renew(session=session, row=row, clock_id=self.clock_id, now=stamp)
        session.commit()
        if renewed:
            row.claimed_at = stamp
        return renewed

    def retake_stale(
        self,
        *,
        model: type[SQLModel],
        report: object,
        post: Post,
    ) -> None:
        """Take over claims whose clock died or whose backoff is over; post them, or fail or
        skip them if too late.

        The grace window is for claims a dead clock left: their occurrence was never tried
        and is skipped when too late, as a missed one is. A post Slack put off was claimed
        in time; its retry is not late, whatever the backoff added.
        """
        session = self.session
        stamp = self.stamp()
        for found in claims.stale(
            session=session, model=model, before=stamp - self.lease, now=stamp
        ):
            row = cast(_Stale, found)  # model is a claim table: GateReview or DigestRun
            if self.stop.is_set():
                return
            put_off = row.next_attempt_at is not None  # read before retake clears it
            project = session.get(Project, row.project_id)
            workspace = session.get(Workspace, project.workspace_id) if project else None
            if workspace is not None and workspace.uninstalled_at is not None:
                continue  # left claimed, untouched: taken over (or skipped) after a reinstall
            won = claims.retake(session=session, row=row, clock_id=self.clock_id, now=self.stamp())
            session.commit()
            if not won:
                continue
            if not put_off:  # a post Slack put off is counted when it is deferred, not here
                self.tally(report, "retaken")
            if project is None or workspace is None:
                continue
            if row.attempts > MAX_ATTEMPTS:  # every clock that took it died posting it
                failure = SlackFailure(
                    code="crashed", message="posting it kept failing", transient=True
                )
                record_failure(
                    session=session, project=project, row=row, now=self.stamp(), failure=failure
                )
                self.tally(report, "failed")
                continue
            too_late = not put_off and self.now - as_utc(row.due_at) > self.grace
            if project.paused or too_late:
                why = "the project is paused" if project.paused else "past the grace window"
                how = f"Slack put it off ({row.error})" if put_off else "its clock stopped"
                row.status = "skipped"
                row.error = f"{how} before posting, and {why}"
                session.add(row)
                session.commit()
                self.tally(report, "skipped")
                continue
            if outcome := post(session, project, workspace.team_id, row):
                self.tally(report, outcome)
