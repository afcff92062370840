"""Escaping untrusted text for Slack mrkdwn."""


def escape(text: str) -> str:
    """Escape `&`, `<`, `>` so user or LLM text can never become a link or a mention.

    Slack's own rule: only these three are control characters; escaping anything else
    would show backslashes or entities to the reader.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
