"""Escaping untrusted text for Slack mrkdwn, cutting it safely, and times in the reader's zone."""

from __future__ import annotations

from datetime import UTC, datetime


def escape(text: str) -> str:
    """Escape `&`, `<`, `>` so user or LLM text can never become a link or a mention.

    Slack's own rule: only these three are control characters; escaping anything else
    would show backslashes or entities to the reader.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<`, `>` in slash-command text: once, at the edge.

    `&amp;` goes last, so a typed "&amp;lt;" comes back as "&lt;", not "<".
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def typed_back(typed: str) -> str:
    """Return what a refused slash command said, to copy, fix and send again: nothing is lost.

    A command's text leaves the message box once sent; a modal keeps it, a command cannot.
    """
    return f"Nothing was saved. What you typed, to fix and send again:\n```{escape(typed)}```"


def escape_clipped(text: str, limit: int) -> str:
    """Return `text` escaped within `limit` characters: cut before escaping, marked with "…"."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    kept: list[str] = []
    size = 0
    for char in text:
        piece = escape(char)
        if size + len(piece) > limit - 1:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + "…"


def clip_mrkdwn(text: str, limit: int) -> str:
    """Shorten mrkdwn to `limit` characters, never inside an entity ("&amp;") or a "<@U…>"."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    opened = head.rfind("<")
    if opened > head.rfind(">"):  # a mention, channel or link cut open: drop it whole
        head = head[:opened]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:  # in escaped text every "&" starts an entity
        head = head[:amp]
    return head + "…"


def chunks(text: str, limit: int) -> list[str]:
    """Split mrkdwn into pieces of at most `limit`, at a line or a space where one is near.

    Never inside an entity or a "<…>", so every piece reads whole; nothing is dropped.
    """
    pieces = []
    while len(text) > limit:
        cut = clip_mrkdwn(text, limit + 1)[:-1]  # the longest safe head, without the "…"
        for mark in ("\n", " "):
            at = cut.rfind(mark)
            if at > limit // 2:
                cut = cut[: at + 1]
                break
        cut = cut or text[:limit]  # one token longer than the limit: cut it anyway
        pieces.append(cut.rstrip("\n"))
        text = text[len(cut) :]
    return [*pieces, text] if text else pieces


def reader_time(moment: datetime, *, fallback: str) -> str:
    """Return a time each reader sees in their own zone; `fallback` where Slack cannot.

    Slack renders `<!date^…>` in the reader's zone and shows the text after `|` in
    notifications and to clients that cannot; that text says which zone it is in.
    """
    if moment.tzinfo is None:  # stored naive means UTC
        moment = moment.replace(tzinfo=UTC)
    seconds = int(moment.timestamp())
    return f"<!date^{seconds}^{{date_short_pretty}} {{time}}|{escape(fallback)}>"
