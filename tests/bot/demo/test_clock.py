"""The demo's simulated clock: the app's one time source while the demo runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.time import time_source, utcnow
from bot.demo.clock import SimulatedClock
from db.models.gates import GateAnswer

FRIDAY = datetime(2026, 11, 27, 9, 31, tzinfo=UTC)


def test_inside_the_demo_every_stamp_comes_from_its_clock_and_outside_the_wall_clock():
    clock = SimulatedClock(FRIDAY)

    with time_source(clock):
        stamped = GateAnswer(review_id=1, question_key="q", user_id="U1", text="t").updated_at
        now = utcnow()

    assert FRIDAY <= stamped <= now < FRIDAY + timedelta(seconds=5)
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_clock_moves_forward_only():
    clock = SimulatedClock(FRIDAY)

    monday = clock.move_to(FRIDAY + timedelta(days=3))
    still = clock.move_to(FRIDAY)

    assert monday >= FRIDAY + timedelta(days=3)
    assert still >= monday
