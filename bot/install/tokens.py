"""The tokens an install stores, sealed at rest: sealed on the way in, opened on the way out.

slack_sdk's installation and bot rows hold the bot token (and, were gatebot ever to keep
them, user and refresh tokens). They are written sealed with GATEBOT_SEAL_KEYS' newest key
(bot.core.sealing); `gatebot keys rotate` re-seals every row with the newest key, which
also seals rows written in plain text before sealing existed.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation
from sqlalchemy import Engine, Table, select, update

from bot.core.sealing import Sealer, SealError, is_sealed

logger = logging.getLogger(__name__)

# The token columns of slack_sdk's tables; a table lacking one (bots: user tokens) skips it.
TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
Entity = TypeVar("Entity", Bot, Installation)


@dataclass(frozen=True)
class ResealReport:
    """What `gatebot keys rotate` did: tokens re-sealed, of them plain before, and refused."""

    resealed: int
    were_plain: int
    unopenable: int  # sealed with a key no longer in GATEBOT_SEAL_KEYS: left as they are


def sealed_installation(installation: Installation, sealer: Sealer) -> Installation:
    """Return a copy of `installation` whose tokens are sealed, for slack_sdk to store."""
    sealed = copy.copy(installation)
    for name in TOKEN_FIELDS:
        setattr(sealed, name, sealer.seal(getattr(installation, name)))
    return sealed


def _opened(entity: Entity | None, sealer: Sealer) -> Entity | None:
    if entity is None:
        return None
    for name in TOKEN_FIELDS:
        if hasattr(entity, name):
            setattr(entity, name, sealer.open(getattr(entity, name)))
    return entity


def opened_bot(bot: Bot | None, sealer: Sealer) -> Bot | None:
    """Return `bot` with its tokens opened (plain rows from before sealing stay as read)."""
    return _opened(bot, sealer)


def opened_installation(installation: Installation | None, sealer: Sealer) -> Installation | None:
    """Return `installation` with its tokens opened."""
    return _opened(installation, sealer)


def reseal_tables(engine: Engine, tables: list[Table], sealer: Sealer) -> ResealReport:
    """Re-seal every token in `tables` with the newest key, one transaction per table."""
    resealed = were_plain = unopenable = 0
    for table in tables:
        columns = [table.c[name] for name in TOKEN_FIELDS if name in table.c]
        with engine.begin() as connection:
            rows = connection.execute(select(table.c.id, *columns)).mappings().all()
            for row in rows:
                changes: dict[str, str | None] = {}
                for column in columns:
                    stored = row[column.name]
                    if stored is None:
                        continue
                    try:
                        changes[column.name] = sealer.reseal(stored)
                    except SealError:
                        unopenable += 1
                        continue
                    were_plain += not is_sealed(stored)
                if changes:
                    resealed += len(changes)
                    where = table.c.id == row["id"]
                    connection.execute(update(table).where(where).values(changes))
    if unopenable:
        logger.warning("%s stored tokens were sealed with a key no longer configured", unopenable)
    return ResealReport(resealed=resealed, were_plain=were_plain, unopenable=unopenable)
