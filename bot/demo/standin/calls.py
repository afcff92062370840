"""What the stand-ins record: one `Call` per request, and how a request body becomes its args."""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

JsonDict = dict[str, Any]

# Slack clients send these as JSON strings inside form bodies; decode them so tests see objects.
_JSON_ARGS = frozenset({"blocks", "attachments", "view", "files", "metadata"})


class Headers(dict[str, str]):
    """Request headers: keys stored lower-case, looked up case-insensitively."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class Call:
    """One request the stand-in received."""

    method: str
    args: JsonDict
    headers: dict[str, str]
    at: float
    key: str | None = None  # set for method "response_url": the key given to response_url()

    @property
    def token(self) -> str | None:
        """Return the token sent, from the Authorization header or a `token` argument."""
        authorization = self.headers.get("authorization") or ""
        if authorization.lower().startswith("bearer "):
            return authorization[len("bearer ") :]
        token = self.args.get("token")
        return str(token) if token else None


def parse_args(query: str, body: bytes, content_type: str) -> JsonDict:
    """Merge query string and body (form or JSON), decoding JSON-string arguments."""
    args: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
    if body and content_type.startswith("application/json"):
        decoded = json.loads(body)
        args.update(decoded if isinstance(decoded, dict) else {"body": decoded})
    elif body and not content_type.startswith("multipart/"):
        args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in _JSON_ARGS & args.keys():
        value = args[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with suppress(ValueError):
                args[key] = json.loads(value)
    return args
