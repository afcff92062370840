"""Drawing the digests' charts: in the posting thread, or in worker processes for a busy pass.

matplotlib draws while holding the GIL, so the clock's threads, which post digests in
parallel, would still draw one chart at a time and wait on each other. A pass with many
digests due draws them in a pool of processes instead, and each thread posts its digest's
message while the chart is drawn. Spawned rather than forked: the clock has threads and
open database connections, which a fork would copy mid-flight.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType

from bot.metrics.chart import ChartSeries, render_chart

logger = logging.getLogger(__name__)

POOL_FROM = 16  # digests due in one pass from which a pool repays its start (~1 s a process)
MAX_PROCESSES = 4

Pending = Callable[[], bytes | None]  # wait for the chart: the PNG, or None if none or failed


def draw(panels: Sequence[ChartSeries], title: str) -> bytes:
    """Render one chart (in whichever process runs it)."""
    return render_chart(series=panels, title=title)


class Charts:
    """Where a pass draws its charts: inline (processes=0) or in a pool of processes."""

    def __init__(self, *, processes: int = 0) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        if processes > 0:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=processes, mp_context=context)

    @classmethod
    def for_pass(cls, *, due: int, workers: int) -> Charts:
        """Return inline drawing for a quiet pass, a pool sized to the machine for a busy one."""
        if due < POOL_FROM or workers < 2:
            return cls()
        return cls(processes=min(workers, os.cpu_count() or 1, MAX_PROCESSES))

    def submit(self, panels: Sequence[ChartSeries], title: str) -> Pending:
        """Start drawing; return what to call for the PNG once it is needed."""
        if not panels:
            return lambda: None
        if self._pool is not None and not self._broken:
            try:
                future: Future[bytes] = self._pool.submit(draw, list(panels), title)
            except Exception:  # no process could start (or the pool broke): draw here instead
                logger.exception("the chart pool failed; drawing charts in the clock's threads")
                self._broken = True
            else:
                return lambda: _safely(future.result)
        return lambda: _safely(lambda: draw(panels, title))

    def close(self) -> None:
        """Stop the pool's processes, if any."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Charts:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _safely(render: Callable[[], bytes]) -> bytes | None:
    try:
        return render()
    except Exception:  # a chart that cannot be drawn must not cost the digest its thread
        logger.exception("a digest chart could not be drawn")
        return None
