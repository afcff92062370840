"""The demo's one simulated clock: every time the app stamps comes from it.

It runs at the wall clock's pace from a moment the demo sets, so a review posted at 09:31
has answers stamped a few seconds after it; the demo moves it forward between rituals (a
night, a weekend) instead of sleeping. It never goes back: claims and leases stay sane.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from bot.core.time import as_utc


class SimulatedClock:
    """Now as the demo tells it: a set moment plus the real seconds since it was set."""

    def __init__(self, start: datetime) -> None:
        self._lock = threading.Lock()
        self._at, self._set = as_utc(start), time.monotonic()

    def __call__(self) -> datetime:
        """Return the simulated now, aware UTC (the app's time source)."""
        with self._lock:
            return self._at + timedelta(seconds=time.monotonic() - self._set)

    def move_to(self, moment: datetime) -> datetime:
        """Jump forward to `moment` (never back); return the simulated now."""
        with self._lock:
            now = self._at + timedelta(seconds=time.monotonic() - self._set)
            self._at, self._set = max(now, as_utc(moment)), time.monotonic()
            return self._at
