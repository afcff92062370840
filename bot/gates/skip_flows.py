"""/gate skip and /gate unskip, whole: change the team's days off, then say what changed.

A change is the team's news and goes to the channel; a no-op or the list of skipped dates
is only the asker's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.gates import skips
from bot.gates.blocks.skips import skip_note, skipped_list, unskip_note
from bot.gates.setup import for_channel


@dataclass(frozen=True)
class SkipReply:
    """What to answer: the text, and whether the whole channel should see it."""

    text: str
    in_channel: bool


def skip_reply(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    user_id: str,
    argument: str,
    now: datetime,
) -> SkipReply:
    """Skip the date `argument` names (or `next`) and say what that stops."""
    result = skips.skip(
        session=session,
        workspace_id=workspace_id,
        channel_id=channel_id,
        user_id=user_id,
        argument=argument,
        now=now,
    )
    return SkipReply(skip_note(result, user_id=user_id), in_channel=result.changed)


def unskip_reply(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    user_id: str,
    argument: str,
    now: datetime,
) -> SkipReply:
    """Ask again on the date `argument` names; without a date, list the dates skipped."""
    if not argument.strip():
        project = for_channel(session=session, workspace_id=workspace_id, channel_id=channel_id)
        ahead = skips.skipped_ahead(session=session, project=project, now=now)
        return SkipReply(skipped_list(name=project.name, skipped=ahead), in_channel=False)
    result = skips.unskip(
        session=session,
        workspace_id=workspace_id,
        channel_id=channel_id,
        user_id=user_id,
        argument=argument,
        now=now,
    )
    return SkipReply(unskip_note(result, user_id=user_id), in_channel=result.changed)
