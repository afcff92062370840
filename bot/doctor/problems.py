"""A problem the self-check found: one line naming the setting and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.errors import GatebotError


@dataclass(frozen=True)
class Problem:
    """One thing to fix; `line` names the variable and says what to do, in one line."""

    line: str
    # What was caught, shown by `--verbose` for the operator who wants the whole story.
    error: BaseException | None = field(default=None, compare=False)


class SelfCheckFailed(GatebotError):
    """The self-check found problems; the command line prints each and exits 2."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(problem.line for problem in problems))
        self.problems = list(problems)


def first_line(error: BaseException) -> str:
    """Return the first non-blank line of an error's message, for quoting inside one line."""
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()
    return type(error).__name__
