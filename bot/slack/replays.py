"""Replay refusal: each Slack signature is accepted once, by whichever process sees it first.

A signed request stays valid for the five minutes its timestamp allows, and Slack's scheme
has no nonce, so a captured `/gate now` could be sent again and again. The first delivery
records its signature in the database (db.seen_signatures), shared by every web process;
the same signature again within the window is refused.

Slack's own retries (X-Slack-Retry-Num) normally come re-signed with a fresh timestamp, so
they are new signatures and bot.dedupe acts on their event once. A retry that does repeat
an accepted signature is the same bytes as a delivery already being handled: it is acked
(Slack then stops retrying) and handed to no listener. Since that header is not signed, a
forger adding it to a replay gets the same empty ack and nothing more.
"""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, datetime, timedelta
from enum import Enum

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.slack.verification import MAX_AGE_SECONDS
from db import seen_signatures

logger = logging.getLogger(__name__)

SWEEP_EVERY = 50  # accepted signatures per sweep of the expired ones (the first included)
RETRY_HEADER = "X-Slack-Retry-Num"


class Sighting(Enum):
    """What a verified signature turned out to be."""

    FIRST = "first"  # never accepted before: hand the request to Bolt
    RETRY = "retry"  # Slack re-sent bytes it had already delivered: ack, do nothing
    REPLAY = "replay"  # accepted before and sent again: refuse


class ReplayGuard:
    """Record each verified signature in the database; tell first sightings from repeats."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._accepted = itertools.count()

    def sight(self, *, signature: str, timestamp: int, retry: bool) -> Sighting:
        """Return whether this signature is new; raises SQLAlchemyError if the DB is down."""
        # Once its timestamp is out of the window the signature fails verification anyway.
        expires_at = datetime.fromtimestamp(timestamp, UTC) + timedelta(seconds=MAX_AGE_SECONDS)
        with self.engine.begin() as connection:
            first = seen_signatures.record(
                connection=connection,
                signature=signature.removeprefix("v0="),
                expires_at=expires_at,
            )
        if first:
            self._sweep_now_and_then()
            return Sighting.FIRST
        return Sighting.RETRY if retry else Sighting.REPLAY

    def _sweep_now_and_then(self) -> None:
        if next(self._accepted) % SWEEP_EVERY:
            return
        try:
            with self.engine.begin() as connection:
                seen_signatures.prune(connection=connection, now=datetime.now(UTC))
        except SQLAlchemyError as error:  # the next sweep will do; the request is accepted
            logger.warning("could not sweep expired Slack signatures: %s", type(error).__name__)
