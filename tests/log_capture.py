"""Capture what gatebot's own log handler writes, exactly as a log store would receive it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.core.logs import configure_logging, remember_secrets
from bot.core.settings import Settings, load_settings


class LogCapture:
    """The lines gatebot's handler wrote, as text and parsed."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def configure(self, settings: Settings | None = None, *, level: str = "DEBUG") -> None:
        """(Re)configure logging as a gatebot process does, writing here."""
        settings = settings or load_settings(_env_file=None)
        configure_logging(settings, default_level=level, stream=self.stream)

    @property
    def text(self) -> str:
        """Return everything written so far."""
        return self.stream.getvalue()

    def lines(self, *, since: int = 0) -> list[dict[str, Any]]:
        """Return the JSON lines written (from character offset `since`), parsed."""
        return [json.loads(line) for line in self.text[since:].splitlines()]

    def mark(self) -> int:
        """Return an offset for lines(since=…): only what is written after now."""
        return len(self.text)


@contextmanager
def captured_logs(
    settings: Settings | None = None, *, level: str = "DEBUG"
) -> Iterator[LogCapture]:
    """Configure logging into a buffer for the block, then restore the root logger as it was.

    Configure before building the app: Bolt copies the root level into its loggers when built.
    """
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    capture = LogCapture()
    capture.configure(settings, level=level)
    try:
        yield capture
    finally:
        for handler in [h for h in root.handlers if h not in saved_handlers]:
            root.removeHandler(handler)
        root.setLevel(saved_level)
        remember_secrets([])
