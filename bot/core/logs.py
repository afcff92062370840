"""Logging for every gatebot process: one line per record, tagged and scrubbed of secrets.

`configure_logging` is called once per process (serve, socket, clock, every CLI command);
`gunicorn_logging` gives gunicorn the same handler for its own error and access logs. Lines are
JSON (ts, level, logger, msg, request_id, team_id, user_id, exc) or, with
GATEBOT_LOG_FORMAT=text, plain text. Before any line is written, RedactSecrets scrubs tokens,
keys, Authorization values, the configured secrets and URL passwords from the message, its
arguments and the traceback: a secret in an error message must not end up in a log store.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import IO, Any

from bot.core import request_ids as request_context
from bot.core.settings import Settings

REDACTED = "[redacted]"
INGEST_TOKEN_SCHEME = "gbt_"  # noqa: S105 (a prefix, not a secret; bot.metrics.tokens uses it)
FIELDS = ("request_id", "team_id", "user_id")
# Gunicorn's access line: no query string (it may carry an OAuth code or a secret).
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
_MIN_SECRET_LENGTH = 6  # shorter values would scrub ordinary words; no real secret is this short
_OURS = "_gatebot_handler"
_ECHOED_ID = f"{{{request_context.HEADER.lower()}}}o"  # gunicorn's atom for a response header

# (words that must appear, lower-cased, for the pattern to be worth running; the pattern).
_PATTERNS = [
    # An Authorization value, whatever its scheme; then a Bearer value written anywhere.
    (
        ("authorization",),
        r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?)(?:(?:bearer|basic|token)\s+)?[^\s,;\"']+",
    ),
    (("bearer",), r"(?i)(\bbearer\s+)[^\s,;\"']+"),
    # Slack tokens: bot, user, app-level, refresh and rotated (xoxe.xoxp-…) ones.
    (("xox", "xapp"), r"()\b(?:xox[a-z]|xapp)(?:\.xox[a-z])?-[A-Za-z0-9-]+"),
    # Ingestion tokens; the short prefixes people quote to tell tokens apart stay readable.
    ((INGEST_TOKEN_SCHEME,), r"()\b" + re.escape(INGEST_TOKEN_SCHEME) + r"[A-Za-z0-9_-]{16,}"),
    # OpenAI-style API keys.
    (("sk-",), r"()\bsk-[A-Za-z0-9_-]{16,}"),
    # key=value or "key": "value" naming a secret, a password or a Socket Mode ticket.
    (
        ("secret", "passw", "ticket"),
        r"(?i)(\b[\w-]*(?:secret|password|passwd|ticket)[\w-]*[\"']?\s*[:=]\s*[\"']?)"
        r"(?!\[redacted\]|None\b|null\b)[^\s&,;\"'}]+",
    ),
    # key=value or "key": "value" naming a token or an API key of any shape: the legacy
    # verification `token=` Bolt logs with a request body it refused, `access_token`, `api_key`.
    (
        ("token", "api_key", "apikey"),
        r"(?i)(\b[\w-]*(?:token|api_key|apikey)[\"']?\s*[:=]\s*[\"']?)"
        r"(?!\[redacted\]|None\b|null\b)[^\s&,;\"'}]+",
    ),
    # A response_url or incoming webhook: whoever holds it can post as gatebot for a while.
    # (also URL-encoded, as in the form body of a slash command)
    (
        ("hooks.slack",),
        r"(?i)(hooks\.slack\.com(?:/|%2F))(?:commands|actions|services|triggers)(?:/|%2F)"
        r"[^\s&\"']+",
    ),
    # The password of a URL: scheme://user:password@host.
    (("@",), r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)"),
]
_COMPILED = [(words, re.compile(pattern)) for words, pattern in _PATTERNS]
_known_secrets: re.Pattern[str] | None = None


def remember_secrets(values: Iterable[str]) -> None:
    """Scrub these exact values (the configured secrets) from every line from now on."""
    global _known_secrets
    usable = sorted({v for v in values if len(v) >= _MIN_SECRET_LENGTH}, key=len, reverse=True)
    _known_secrets = re.compile("|".join(map(re.escape, usable))) if usable else None


def redact(text: str) -> str:
    """Return `text` with every secret it contains replaced by [redacted]."""
    if _known_secrets is not None:
        text = _known_secrets.sub(REDACTED, text)
    lowered = text.lower()
    for words, pattern in _COMPILED:
        if any(word in lowered for word in words):  # most lines hold none: skip the regex
            text = pattern.sub(r"\1" + REDACTED, text)
    return text


class RequestIdsFilter(logging.Filter):
    """Tag each record with the request id, team and user of the work that wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        ids = request_context.current()
        for name in FIELDS:
            if getattr(record, name, None) is None:
                setattr(record, name, getattr(ids, name))
        # Gunicorn writes its access line after the request's ids are unbound: take the id
        # the response carried.
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            echoed = record.args.get(_ECHOED_ID)
            if echoed:
                record.request_id = echoed
        return True


class RedactSecrets(logging.Filter):
    """Scrub secrets from a record's message, arguments, traceback and stack before output."""

    _tracebacks = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed logging call: logging itself reports it, as usual
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._tracebacks.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log stores to index."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        entry: dict[str, Any] = {
            "ts": stamp.replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({name: v for name in FIELDS if (v := getattr(record, name, None))})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Plain lines for a person at a terminal, with the ids in brackets."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        tags = " ".join(f"{name}={v}" for name in FIELDS if (v := getattr(record, name, None)))
        record.ids = f" [{tags}]" if tags else ""
        return super().formatMessage(record)


def build_handler(*, log_format: str = "json", stream: IO[str] | None = None) -> logging.Handler:
    """Return the handler every gatebot line goes through: tag, scrub, then format."""
    stream = stream or sys.stderr
    if log_format == "auto":
        log_format = "text" if stream.isatty() else "json"
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter() if log_format == "text" else JsonFormatter())
    handler.addFilter(RequestIdsFilter())
    handler.addFilter(RedactSecrets())
    setattr(handler, _OURS, True)
    return handler


def configure_logging(
    settings: Settings, *, default_level: str = "INFO", stream: IO[str] | None = None
) -> logging.Handler:
    """Route this process's logging through one gatebot handler; safe to call again."""
    remember_secrets(settings.secret_values())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(old)
        old.close()
    handler = build_handler(log_format=settings.gatebot_log_format, stream=stream)
    root.addHandler(handler)
    root.setLevel(settings.gatebot_log_level or default_level)
    # APScheduler logs "Running job" and "executed successfully" at INFO for every run of
    # every job: two lines a minute saying nothing; Alembic its set-up ("Context impl …") each
    # time the self-check reads the revision. Their warnings still show.
    quiet = logging.WARNING if settings.gatebot_log_level != "DEBUG" else logging.DEBUG
    for name in ("apscheduler.executors", "alembic"):
        logging.getLogger(name).setLevel(quiet)
    return handler


def gunicorn_logging(settings: Settings) -> dict[str, Any]:
    """Return gunicorn options sending its error and access logs through our handler."""
    level = settings.gatebot_log_level or "INFO"
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {},
        "handlers": {
            "gatebot": {
                "()": f"{__name__}.build_handler",
                "log_format": settings.gatebot_log_format,
            }
        },
        "root": {"level": level, "handlers": ["gatebot"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
        },
    }
    return {
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": level.lower(),
        "access_log_format": ACCESS_LOG_FORMAT,
        "logconfig_dict": config,
    }
