"""Slack's request signature, checked in front of Bolt before anything reads the body.

Bolt verifies too, but only after its own parsing, and its verifier raises on a timestamp
that is not a number ("abc", "", "1e3", " 12"): the app's error handler then saw the forged
body and replied to whatever response_url it named. Here a request is refused with 401
unless its X-Slack-Request-Timestamp is plain digits within five minutes of now and its
X-Slack-Signature is Slack's v0 HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing
secret (https://api.slack.com/authentication/verifying-requests-from-slack). Nothing of a
refused body is parsed or logged; only its size is.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import Protocol

MAX_AGE_SECONDS = 300  # Slack's own window; a request older or newer than this is refused
# The verified flag Bolt's context carries (set only by the web layer, which checked first).
VERIFIED = "gatebot_signature_verified"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
# ASCII digits only: `\d` would take other scripts' digits, and int() takes " 12" and "+12".
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


@dataclass(frozen=True)
class Signed:
    """A request Slack signed: its signature and the timestamp it was signed at."""

    signature: str
    timestamp: int


class Headers(Protocol):
    """A request's headers, read by name: a dict, or Flask's case-insensitive Headers."""

    def get(self, key: str, /) -> str | None: ...


class Unverified(Exception):
    """The request is not one Slack signed within the window; the message says which check."""


def signature_of(*, secret: str, timestamp: str, body: bytes) -> str:
    """Return Slack's v0 signature of `body` sent at `timestamp`."""
    message = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(*, secret: str, headers: Headers, body: bytes, now: float | None = None) -> Signed:
    """Return what Slack signed if it did so within the window; else raise Unverified."""
    timestamp = headers.get(TIMESTAMP_HEADER) or ""
    signature = headers.get(SIGNATURE_HEADER) or ""
    if not _TIMESTAMP.fullmatch(timestamp):
        raise Unverified("no well-formed timestamp")
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        raise Unverified("timestamp outside the five-minute window")
    if not _SIGNATURE.fullmatch(signature):
        raise Unverified("no well-formed v0 signature")
    expected = signature_of(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected, signature):
        raise Unverified("signature does not match the body")
    return Signed(signature=signature, timestamp=int(timestamp))
