"""Text from outside made storable: JSON can carry lone UTF-16 surrogates, which are not text.

A JSON string may hold "\\udfff" (half of an emoji pair, or a forger's probe). Python reads it
as a one-character str that no encoder accepts: SQLite, PostgreSQL and every UTF-8 writer
raise on it, far from the boundary that let it in. Each HTTP boundary passes what it parsed
through `without_surrogates`, so the rest of the app only ever sees real characters.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"  # what a UTF-8 decoder shows for bytes it cannot read
# json.loads joins every valid pair into one character: what is left in this range is lone.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(value: Any) -> Any:
    """Return `value` (parsed JSON) with each lone surrogate replaced by U+FFFD, keys too."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {without_surrogates(key): without_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_surrogates(item) for item in value]
    return value
