"""Forgetting: a person on request, a workspace on request or once its retention has run out.

A person's answers, hypotheses and decisions stay in the record, which the team needs to
read what was decided and why, but under a pseudonym ("former member 3"), the same in every
row; the roles they held (lead, metric owner) are emptied, their unsaved drafts and every
kept copy of their messages (posts waiting to go, queued jobs, receipts) deleted.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.errors import InvalidInput
from db import forget as queries

logger = logging.getLogger(__name__)

PSEUDONYM = "former member "
_USER = re.compile(r"^[UW][A-Z0-9]{1,31}$")
_TEAM = re.compile(r"^[TE][A-Z0-9]{1,31}$")


@dataclass(frozen=True)
class Forgotten:
    """What forgetting changed: the pseudonym given (if any) and rows per table."""

    pseudonym: str | None
    rows: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """Return the rows per table, as an operator reads it."""
        if not self.rows:
            return "no rows"
        return ", ".join(f"{table} {count:,}" for table, count in sorted(self.rows.items()))


def forget_user(*, session: Session, user_id: str) -> Forgotten:
    """Replace a Slack user's id everywhere with a new pseudonym; commit. Nothing found: none."""
    user_id = user_id.strip()
    if not _USER.match(user_id):
        raise InvalidInput(f"{user_id!r} is not a Slack user id (U… or W…, capitals and digits).")
    pseudonym = f"{PSEUDONYM}{queries.highest_pseudonym(session=session, prefix=PSEUDONYM) + 1}"
    rows = queries.replace_person(session=session, user_id=user_id, pseudonym=pseudonym)
    if not rows:
        session.rollback()
        return Forgotten(None)
    session.commit()
    logger.info("forgot a user as %s: %s rows", pseudonym, sum(rows.values()))
    return Forgotten(pseudonym, rows)


def forget_workspace(*, session: Session, team_id: str) -> Forgotten:
    """Delete every row of the workspace with this team id; commit."""
    team_id = team_id.strip()
    if not _TEAM.match(team_id):
        raise InvalidInput(f"{team_id!r} is not a Slack team id (T… or E…, capitals and digits).")
    workspace_id = queries.workspace_of(session=session, team_id=team_id)
    # No workspace row (never used, or deleted already): only rows keyed by team id remain.
    rows = queries.delete_workspace(
        session=session, workspace_id=-1 if workspace_id is None else workspace_id, team_id=team_id
    )
    session.commit()
    return Forgotten(None, rows)


def purge_uninstalled(*, session: Session, now: datetime, retention: timedelta) -> list[str]:
    """Delete the workspaces uninstalled longer than `retention` ago; return their team ids.

    A reinstall clears `uninstalled_at`, so a team that came back within the period keeps
    everything. Each workspace is its own transaction: one failing leaves the others done.
    """
    purged = []
    for workspace_id, team_id in queries.uninstalled_before(
        session=session, before=now - retention
    ):
        rows = queries.delete_workspace(session=session, workspace_id=workspace_id, team_id=team_id)
        session.commit()
        logger.info(
            "deleted workspace %s after its retention: %s",
            team_id,
            Forgotten(None, rows).describe(),
        )
        purged.append(team_id)
    return purged
