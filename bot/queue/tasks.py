"""Tasks: job bodies registered by name, so a row's `task` names the function that runs it.

A feature's flows module declares its tasks with `@task("hypotheses.check_and_reply")`.
The body takes keyword arguments: its JSON payload's fields, plus any of the worker's
resources it names (`session`, `client`, `checker`, `respond`, `job`, and
`team_id`: the row's, which enqueue takes apart from the payload); a task that does not name
the checker is never handed it. The composition root imports every flows module before a
worker starts (bot.app.TASK_MODULES), so the registry is complete in every process.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# What a worker can hand a task besides its payload (bot.queue.worker builds each).
RESOURCES = frozenset({"session", "client", "checker", "respond", "job", "team_id"})


@dataclass(frozen=True)
class JobRef:
    """The `job` resource: which queued job this run is, to key the steps that follow it."""

    id: int
    attempts: int
    queued_at: datetime | None = None  # when the input it carries was accepted


@dataclass(frozen=True)
class Task:
    """A registered job body: its name in the queue and the resources it asks for."""

    name: str
    body: Callable[..., None]
    resources: frozenset[str]
    parameters: frozenset[str] | None  # None: the body takes **fields, so anything

    def accepts(self, field: str) -> bool:
        """Return whether the body takes a payload field of this name."""
        return self.parameters is None or field in self.parameters

    def __call__(self, **kwargs: Any) -> None:
        """Run the body directly (tests, or a caller already off the ack path)."""
        self.body(**kwargs)


_REGISTRY: dict[str, Task] = {}


def task(name: str) -> Callable[[Callable[..., None]], Task]:
    """Register the decorated function as the task `name`."""

    def register(body: Callable[..., None]) -> Task:
        known = _REGISTRY.get(name)
        if known is not None and known.body is not body:
            raise ValueError(f"two tasks are named {name!r}")
        parameters = inspect.signature(body).parameters
        open_ended = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        registered = Task(
            name=name,
            body=body,
            resources=RESOURCES & parameters.keys(),
            parameters=None if open_ended else frozenset(parameters),
        )
        _REGISTRY[name] = registered
        return registered

    return register


class UnknownTask(LookupError):
    """A queued job names a task no module registered (a newer web than this worker)."""


def lookup(name: str) -> Task:
    """Return the task registered as `name`."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownTask(f"no task named {name!r} is registered in this process") from None


def registered() -> list[str]:
    """Return the names of every registered task, sorted."""
    return sorted(_REGISTRY)
