"""Whether the work running now ran before: a queued job retaken after its worker died.

The worker marks the run of a retaken job. A post made in it then reads the channel for its
own key before posting (bot.slack.posting): the run before may have died with the post
already in Slack and its answer not yet back. Each task need not pass this down itself.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

_again: contextvars.ContextVar[bool] = contextvars.ContextVar("gatebot_rerun", default=False)


def is_rerun() -> bool:
    """Return whether the work in this context ran before (a retaken job)."""
    return _again.get()


@contextmanager
def running_again(again: bool) -> Iterator[None]:
    """Mark the block as a rerun when `again` (a job's attempts > 1)."""
    token = _again.set(again)
    try:
        yield
    finally:
        _again.reset(token)
