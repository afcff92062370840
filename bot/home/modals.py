"""The modals the Home's buttons open besides the shared ones: a channel picker, notices,
the digest preview. A modal takes at most 100 blocks and a title of 24 characters."""

from __future__ import annotations

from bot.digests.blocks import DigestMessage
from bot.home.ids import HOME_PICK_CHANNEL, MAX_BLOCKS
from bot.slack.blocks import Block, clip_plain, context, section
from bot.slack.mrkdwn import escape
from db.models.gates import Project

TITLE_LIMIT = 24


def _modal(title: str, blocks: list[Block], **extra: object) -> Block:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": clip_plain(title, TITLE_LIMIT)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks[:MAX_BLOCKS],
        **extra,
    }


def channel_picker() -> Block:
    """Return the modal that asks which channel a hypothesis written from the Home is for."""
    picker = {
        "type": "conversations_select",
        "action_id": HOME_PICK_CHANNEL,
        "placeholder": {"type": "plain_text", "text": "Pick a channel"},
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    text = "Which channel is the hypothesis for? Once saved, it is posted there for the team."
    blocks = [section(text), {"type": "actions", "block_id": "channel", "elements": [picker]}]
    return _modal("Write a hypothesis", blocks, callback_id="home_channel_picker")


def notice(title: str, text: str) -> Block:
    """Return a modal that only tells something (`text` is mrkdwn, already escaped)."""
    return _modal(title, [section(text)])


def digest_loading(project: Project) -> Block:
    """Return the digest preview modal while its numbers are being read."""
    text = f":hourglass_flowing_sand: Reading twelve weeks of *{escape(project.name)}*'s metrics…"
    return notice("Digest preview", text)


def digest_preview(project: Project, message: DigestMessage) -> Block:
    """Return the digest preview modal: the whole digest as it would be posted now."""
    note = context(
        f"Only you can see this preview: nothing was posted to <#{project.channel_id}>. "
        "`/digest now` there posts it."
    )
    return _modal("Digest preview", [note, *message.blocks])
