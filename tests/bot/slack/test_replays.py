"""The replay guard: a signature is new once; repeats are retries or replays; old ones swept."""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from bot.slack.replays import ReplayGuard, Sighting
from db import seen_signatures
from db.models.security import SeenSignature

SIGNATURE = "v0=" + "ab" * 32


def _stored(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(SeenSignature.signature)).scalars())


def test_a_signature_is_first_once_then_a_replay_or_a_retry(engine: Engine):
    guard, now = ReplayGuard(engine), int(time.time())

    assert guard.sight(signature=SIGNATURE, timestamp=now, retry=False) is Sighting.FIRST
    assert guard.sight(signature=SIGNATURE, timestamp=now, retry=False) is Sighting.REPLAY
    assert guard.sight(signature=SIGNATURE, timestamp=now, retry=True) is Sighting.RETRY
    assert _stored(engine) == ["ab" * 32]


def test_another_guard_on_the_same_database_knows_the_signature_too(engine: Engine):
    now = int(time.time())
    ReplayGuard(engine).sight(signature=SIGNATURE, timestamp=now, retry=False)

    assert ReplayGuard(engine).sight(signature=SIGNATURE, timestamp=now, retry=False) is (
        Sighting.REPLAY
    )


def test_signatures_out_of_the_window_are_swept_as_new_ones_arrive(engine: Engine):
    with engine.begin() as connection:
        past = datetime.now(UTC) - timedelta(seconds=1)
        seen_signatures.record(connection=connection, signature="old", expires_at=past)
        later = datetime.now(UTC) + timedelta(minutes=4)
        seen_signatures.record(connection=connection, signature="live", expires_at=later)

    ReplayGuard(engine).sight(signature=SIGNATURE, timestamp=int(time.time()), retry=False)

    assert sorted(_stored(engine)) == sorted(["ab" * 32, "live"])
