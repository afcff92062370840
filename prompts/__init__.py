"""Jinja2 templates: LLM prompts and the words people read."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.slack.mrkdwn import escape

TEMPLATE_DIR = Path(__file__).parent


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Return the shared environment: StrictUndefined so a missing variable is an error."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        # Slack mrkdwn is not HTML; untrusted text goes through the `mrkdwn` filter instead.
        autoescape=False,  # noqa: S701
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mrkdwn"] = escape
    return env


def render(name: str, /, **context: object) -> str:
    """Render the template `name` (e.g. "hypothesis_help.md.j2") with `context`."""
    return environment().get_template(name).render(**context).strip()


def template_names() -> list[str]:
    """List every template shipped in prompts/, for tests that render them all."""
    return sorted(environment().list_templates(filter_func=lambda n: n.endswith(".j2")))
