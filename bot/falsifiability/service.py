"""Check a statement: the LLM when configured, the rules otherwise or when the LLM fails."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.settings import Settings, get_settings
from bot.falsifiability.rules import check_rules
from bot.falsifiability.verdict import Verdict

if TYPE_CHECKING:  # the SDK loads only where an LLM is configured: seconds at start-up
    from openai import OpenAI

logger = logging.getLogger(__name__)

CACHE_SIZE = 1024
# A hypothesis is a sentence or two; a whole document is not one, and would cost a fortune.
MAX_CHARS = 4000


def normalise(text: str) -> str:
    """Return `text` stripped, with every run of whitespace collapsed to one space."""
    return " ".join(text.split())


class FalsifiabilityChecker:
    """Check statements with the LLM, fall back to the rules, and remember verdicts."""

    def __init__(
        self, *, client: OpenAI | None, model: str, timeout: float, cache_size: int = CACHE_SIZE
    ) -> None:
        self._client = client
        self._model = model
        self._timeout = timeout
        self._cache_size = cache_size
        self._cache: OrderedDict[str, Verdict] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> FalsifiabilityChecker:
        """Build a checker from settings: rules only when no OpenAI key is set."""
        client = None
        if settings.llm_enabled:
            from bot.falsifiability.llm import make_client

            client = make_client(settings)
        return cls(
            client=client,
            model=settings.gatebot_llm_model,
            timeout=settings.gatebot_llm_timeout,
        )

    def check(self, text: str) -> Verdict:
        """Return the verdict for `text`; raise ValueError when it is empty or too long."""
        statement = normalise(text)
        if not statement:
            raise ValueError("The statement is empty: write the hypothesis after the command.")
        if len(statement) > MAX_CHARS:
            raise ValueError(
                f"The statement is {len(statement):,} characters long; keep it under "
                f"{MAX_CHARS:,} (one or two sentences is plenty)."
            )
        key = statement.casefold()
        cached = self._cached(key)
        if cached is not None:
            return cached
        verdict = self._check_uncached(statement)
        # A fallback is not remembered, so the LLM gets another try next time.
        if verdict.fallback_reason is None:
            self._remember(key, verdict)
        return verdict

    def close(self) -> None:
        """Close the HTTP connections of the OpenAI client, if any."""
        if self._client is not None:
            self._client.close()

    def _check_uncached(self, statement: str) -> Verdict:
        if self._client is None:
            return check_rules(statement)
        from bot.falsifiability.llm import LLMCheckError, check_llm  # loaded with the client

        try:
            return check_llm(
                statement, client=self._client, model=self._model, timeout=self._timeout
            )
        except LLMCheckError as error:
            logger.warning("LLM falsifiability check failed, using the rules: %s", error.reason)
            return check_rules(statement).model_copy(update={"fallback_reason": error.reason})

    def _cached(self, key: str) -> Verdict | None:
        with self._lock:
            verdict = self._cache.get(key)
            if verdict is not None:
                self._cache.move_to_end(key)
            return verdict

    def _remember(self, key: str, verdict: Verdict) -> None:
        with self._lock:
            self._cache[key] = verdict
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


@lru_cache(maxsize=1)
def default_checker() -> FalsifiabilityChecker:
    """Return the process-wide checker built from the process-wide settings."""
    return FalsifiabilityChecker.from_settings(get_settings())


def check(text: str, *, settings: Settings | None = None) -> Verdict:
    """Check `text` with the process-wide checker, or a one-off one for other `settings`."""
    if settings is None:
        return default_checker().check(text)
    checker = FalsifiabilityChecker.from_settings(settings)
    try:
        return checker.check(text)
    finally:
        checker.close()
