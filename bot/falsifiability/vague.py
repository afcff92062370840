"""Find the words that make a statement unfalsifiable, grouped by family."""

from __future__ import annotations

from bot.falsifiability.elements import work_phrase
from bot.falsifiability.lexicon import VAGUE_PATTERNS
from bot.falsifiability.verdict import VagueFamily, VagueTerm

# When two families claim overlapping words, the more specific diagnosis wins:
# "10x smarter" is hype before it is a comparative; "most accurate" a superlative.
_PRIORITY: tuple[VagueFamily, ...] = (
    VagueFamily.PLACEHOLDER,
    VagueFamily.HYPE,
    VagueFamily.LOOPHOLE,  # before superlatives: "the best possible recall" is an open amount
    VagueFamily.SUPERLATIVE,
    VagueFamily.NO_DIRECTION,
    VagueFamily.HEDGE,
    VagueFamily.OUTPUT_NOT_OUTCOME,
    VagueFamily.SUBJECTIVE,
    VagueFamily.UNQUANTIFIED_COMPARATIVE,
)
# A testable claim may still say "better" or "might", name the model it ships or a product
# called "Smart compose"; only words that blur the size of the outcome are worth flagging there.
FLAGGED_WHEN_FALSIFIABLE = frozenset(
    {VagueFamily.HYPE, VagueFamily.SUPERLATIVE, VagueFamily.LOOPHOLE, VagueFamily.PLACEHOLDER}
)


def find_vague_terms(text: str) -> list[VagueTerm]:
    """Return the vague phrases in the statement, each once, in reading order."""
    spans: list[tuple[int, int, VagueFamily]] = []
    taken = bytearray(len(text))  # one flag per character keeps the overlap test linear
    for family in _PRIORITY:
        for m in VAGUE_PATTERNS[family].finditer(text):
            if m.group(0).strip() and not any(taken[m.start() : m.end()]):
                spans.append((m.start(), m.end(), family))
                taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    work = work_phrase(text)
    if work is not None:  # the work itself; words inside it keep their own family
        spans.append((*work, VagueFamily.OUTPUT_NOT_OUTCOME))
    spans.sort()
    return [VagueTerm(term=text[a:b].strip(), family=f) for a, b, f in spans]
