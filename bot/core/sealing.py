"""Secrets at rest sealed with Fernet (AES-128-CBC and HMAC-SHA256), keys from the settings.

GATEBOT_SEAL_KEYS holds one or more Fernet keys, comma-separated, newest first: values are
sealed with the newest and opened with whichever key sealed them, so a new key can go in
front while rows sealed with older ones keep working until `gatebot keys rotate` re-seals
them. A value that is not sealed (a row from before sealing) is read as it is.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Every Fernet token starts with its version byte 0x80 and a 64-bit timestamp whose high
# bytes are zero until 2106: base64 "gAAAAA". No Slack token (xoxb-, xoxp-, xoxe-) does.
SEALED_PREFIX = "gAAAAA"


class SealError(Exception):
    """A sealed value no configured key opens, or a malformed key; the message says which."""


def new_key() -> str:
    """Return a fresh random Fernet key, as GATEBOT_SEAL_KEYS takes it."""
    return Fernet.generate_key().decode()


def parse_keys(value: str) -> list[str]:
    """Return the keys in a GATEBOT_SEAL_KEYS value; SealError naming the first bad one."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, binascii.Error):
            raise SealError(
                f"key {number} is not a Fernet key (44 characters of URL-safe base64); "
                "create one with `gatebot keys new`"
            ) from None
    return keys


def is_sealed(value: str) -> bool:
    """Return whether `value` is a sealed value rather than plain text."""
    return value.startswith(SEALED_PREFIX)


class Sealer:
    """Seal with the newest key; open with any; re-seal anything with the newest."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SealError("no seal key given")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, plain: str | None) -> str | None:
        """Return `plain` sealed with the newest key (None stays None)."""
        if plain is None:
            return None
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, stored: str | None) -> str | None:
        """Return the plain value of a stored one: opened if sealed, as it is if not."""
        if stored is None or not is_sealed(stored):
            return stored
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken:
            raise SealError(
                "a stored value was sealed with a key that is not in GATEBOT_SEAL_KEYS"
            ) from None

    def reseal(self, stored: str | None) -> str | None:
        """Return `stored` sealed with the newest key, whether it was plain or sealed."""
        if stored is None:
            return None
        if not is_sealed(stored):
            return self.seal(stored)
        try:
            return self._fernet.rotate(stored.encode()).decode()
        except InvalidToken:
            raise SealError(
                "a stored value was sealed with a key that is not in GATEBOT_SEAL_KEYS"
            ) from None
