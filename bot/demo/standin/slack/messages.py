"""The stand-in's conversations: what was posted where, read back as Slack reads it.

chat.postMessage, chat.update and chat.delete change a conversation; conversations.history
(top-level messages, newest first) and conversations.replies (a thread, oldest first) read
it, with a message's metadata only when asked (`include_all_metadata`), as Slack does. A
post to a user id lands in the DM with that user (D + the id, as conversations.open says),
so the DM reads back under either id.
"""

from __future__ import annotations

from typing import Any

from bot.demo.standin.calls import JsonDict

_MAX_LIMIT = 999  # Slack's ceiling for both methods


def conversation_id(channel: str) -> str:
    """Return where a post to `channel` lands: a user id means the DM with that user."""
    return f"D{channel[1:]}" if channel[:1] in ("U", "W") else channel


class SlackMessages:
    """Every team's conversations. Not thread-safe: the stand-in holds a lock."""

    def __init__(self) -> None:
        self._by_conversation: dict[tuple[str, str], list[JsonDict]] = {}

    def post(self, *, team: str, channel: str, message: JsonDict) -> None:
        """Keep a posted message (a thread reply when it has a thread_ts)."""
        key = (team, conversation_id(channel))
        self._by_conversation.setdefault(key, []).append(dict(message))

    def update(self, *, team: str, channel: str, ts: str, changes: JsonDict) -> bool:
        """Change a kept message's text, blocks or metadata; False when there is none."""
        for message in self._conversation(team, channel):
            if message["ts"] == ts:
                message.update(changes)
                return True
        return False

    def delete(self, *, team: str, channel: str, ts: str) -> bool:
        """Remove a kept message; False when there is none."""
        messages = self._conversation(team, channel)
        before = len(messages)
        messages[:] = [m for m in messages if m["ts"] != ts]
        return len(messages) != before

    def all(self, *, team: str, channel: str) -> list[JsonDict]:
        """Return every message of a conversation, thread replies too, oldest first."""
        return [dict(m) for m in self._conversation(team, channel)]

    def history(self, *, team: str, args: JsonDict) -> JsonDict:
        """Answer conversations.history: top-level posts and broadcast replies, newest first."""
        shown = [
            m
            for m in self._conversation(team, str(args.get("channel", "")))
            if m.get("thread_ts") in (None, m["ts"]) or m.get("reply_broadcast")
        ]
        return _page(list(reversed(_between(shown, args))), args)

    def replies(self, *, team: str, args: JsonDict) -> JsonDict:
        """Answer conversations.replies: the thread's parent, then its replies, oldest first."""
        parent = str(args.get("ts", ""))
        thread = [
            m
            for m in self._conversation(team, str(args.get("channel", "")))
            if m["ts"] == parent or m.get("thread_ts") == parent
        ]
        if not any(m["ts"] == parent for m in thread):
            return {"ok": False, "error": "thread_not_found"}
        head, rest = thread[0], _between(thread[1:], args)
        return _page([head, *rest], args)

    def _conversation(self, team: str, channel: str) -> list[JsonDict]:
        return self._by_conversation.setdefault((team, conversation_id(channel)), [])


def _between(messages: list[JsonDict], args: JsonDict) -> list[JsonDict]:
    """Keep the messages inside `oldest` and `latest` (exclusive unless `inclusive`)."""
    inclusive = _flag(args.get("inclusive"))
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")

    def inside(message: JsonDict) -> bool:
        ts = float(message["ts"])
        if inclusive:
            return oldest <= ts <= latest
        return oldest < ts < latest

    return [m for m in messages if inside(m)]


def _page(messages: list[JsonDict], args: JsonDict) -> JsonDict:
    """Return one page (the cursor is the offset), metadata stripped unless asked for."""
    try:
        start = int(args.get("cursor") or 0)
        limit = max(1, min(int(args.get("limit") or 100), _MAX_LIMIT))
    except ValueError:
        return {"ok": False, "error": "invalid_cursor"}
    metadata = _flag(args.get("include_all_metadata"))
    page = [_shown(m, metadata=metadata) for m in messages[start : start + limit]]
    more = start + limit < len(messages)
    return {
        "messages": page,
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def _shown(message: JsonDict, *, metadata: bool) -> JsonDict:
    shown: dict[str, Any] = dict(message)
    if not metadata:
        shown.pop("metadata", None)
    return shown


def _flag(value: object) -> bool:
    return value is True or str(value).lower() in ("1", "true")
