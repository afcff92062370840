"""The weekly digest as Block Kit: words from prompts/digest.j2, packed within Slack's limits.

Slack takes at most 50 blocks a message and 3,000 characters a section text. Metric lines
are grouped several to a section; guardrails, hypotheses and gates are capped first so the
metrics get the rest of the budget. If even that overflows, the ok metrics of a section
shrink to a list of names, and past that the last section ends "…and N more".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.digests.data import DigestData, MetricView
from bot.digests.lines import gate_fields, hypothesis_fields, metric_fields, pair_fields
from bot.metrics import MetricKind
from bot.metrics.state import Standing
from bot.slack.blocks import SECTION_LIMIT, Block, clip, context, divider, header, section
from bot.slack.mrkdwn import escape
from prompts import render

MAX_BLOCKS = 50
FIELD_LIMIT = 2000  # a section field's text
PAIRS_PER_BLOCK = 5  # two fields a pair, ten fields a section
MAX_PAIRS, MAX_HYPOTHESES, MAX_GATES, MAX_ATTENTION = 10, 8, 8, 8
NAMES_PER_LINE = 1000  # characters of ok metrics' names on one summary line
_BREAK = "\x00"  # in a list of lines: start a new section here (each kind gets its own)

Entry = tuple[str, int]  # a line and how many metrics it stands for


@dataclass(frozen=True)
class DigestMessage:
    """What to post: the channel message, and in the compact layout the thread's details."""

    text: str  # the notification's plain words
    blocks: list[Block]
    thread: list[Block]  # empty unless compact


def _say(part: str, **context: object) -> str:
    return render("digest.j2", part=part, **context)


def digest_message(
    data: DigestData, *, compact: bool, charted: int, posted: bool = True
) -> DigestMessage:
    """Return the digest of `data`; `charted` flagged metrics go in the thread's chart."""
    name = escape(data.project.name)
    text = _say("fallback", project=name, week=data.week, counts=data.counts)
    top = [header(_say("title", project=data.project.name)), context(_counts(data))]
    which = charted_metrics(charted=charted, flagged=len(data.flagged))
    footer = context(_say("footer", charted=charted, which=which, posted=posted))
    if not compact:
        body = _details(data, budget=MAX_BLOCKS - len(top) - 2)
        return DigestMessage(text=text, blocks=[*top, divider(), *body, footer], thread=[])
    headline = [*top, _attention(data), context(_say("see_thread"))]
    thread = _details(data, budget=MAX_BLOCKS - 1)
    return DigestMessage(text=text, blocks=headline, thread=[*thread, footer])


def charted_metrics(*, charted: int, flagged: int) -> str:
    """Return which metrics the chart shows: "the 8 worst of the 13 flagged metrics"."""
    noun = "flagged metric" if flagged == 1 else "flagged metrics"
    if charted < flagged:
        return f"the {charted} worst of the {flagged} {noun}"
    return f"the {flagged} {noun}"


def _counts(data: DigestData) -> str:
    days = f"{_day(data.today - timedelta(days=6))} to {_day(data.today)}"
    return _say("counts", week=data.week, days=days, counts=data.counts)


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _attention(data: DigestData) -> Block:
    flagged = data.flagged
    if not flagged:
        return section(_say("all_clear"))
    entries = [(_metric_line(view), 1) for view in flagged[:MAX_ATTENTION]]
    if len(flagged) > MAX_ATTENTION:
        left = len(flagged) - MAX_ATTENTION
        entries.append((_say("more", count=left, what="flagged"), left))
    [text] = _fill(entries, budget=1, more=_more("flagged"))
    return section(_say("attention", lines=text))


def _details(data: DigestData, *, budget: int) -> list[Block]:
    """Return the metric sections, guardrails, hypotheses and gates in at most `budget` blocks."""
    tail = [
        divider(),
        *_pairs(data),
        divider(),
        *_hypotheses(data),
        divider(),
        *_gates(data),
    ]
    room = max(1, budget - len(tail))
    return [*(section(t) for t in _metric_sections(data, budget=room)), *tail]


def _metric_sections(data: DigestData, *, budget: int) -> list[str]:
    full: list[Entry] = []
    shrunk: list[Entry] = []
    for kind in MetricKind:
        views = data.of_kind(kind)
        if not views:
            continue
        head = (_BREAK + _say("heading", kind=kind.label, count=len(views)), 0)
        lines = {view.metric.name: (_metric_line(view), 1) for view in views}
        full += [head, *lines.values()]
        quiet = [v for v in views if not v.state.flagged and v.state.standing is Standing.OK]
        loud = [lines[v.metric.name] for v in views if v not in quiet]
        shrunk += [head, *loud, *_ok_names(quiet)]
    more = _more("metrics")
    packed = _fill(full, budget=10**6, more=more)
    if len(packed) <= budget:
        return packed
    return _fill(shrunk, budget=budget, more=more)


def _ok_names(quiet: Sequence[MetricView]) -> list[Entry]:
    """Return the ok metrics as lines of names, each line counting the metrics it names."""
    entries: list[Entry] = []
    names = [f"`{escape(view.spec.name)}`" for view in quiet]
    while names:
        shown: list[str] = []
        while names and sum(len(n) + 3 for n in shown) + len(names[0]) <= NAMES_PER_LINE:
            shown.append(names.pop(0))
        shown = shown or [names.pop(0)]  # a single name always fits a line
        entries.append((_say("ok_names", count=len(shown), names=" · ".join(shown)), len(shown)))
    return entries


def _metric_line(view: MetricView) -> str:
    return clip(_say("metric", m=metric_fields(view)), SECTION_LIMIT - 200)


def _pairs(data: DigestData) -> list[Block]:
    if not data.pairs:
        return []
    fields = []
    for pair in data.pairs[:MAX_PAIRS]:
        primary, guardrail = pair_fields(pair)
        fields += [
            _field(_say("pair_primary", p=primary)),
            _field(_say("pair_guardrail", p=guardrail)),
        ]
    blocks = []
    step = 2 * PAIRS_PER_BLOCK
    for start in range(0, len(fields), step):
        # Only the first carries the heading; a section may be fields alone.
        block: Block = section(_say("guardrails_heading")) if start == 0 else {"type": "section"}
        block["fields"] = fields[start : start + step]
        blocks.append(block)
    if len(data.pairs) > MAX_PAIRS:
        blocks.append(
            context(_say("more", count=len(data.pairs) - MAX_PAIRS, what="guardrail pairs"))
        )
    return blocks


def _field(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": clip(text, FIELD_LIMIT)}


def _hypotheses(data: DigestData) -> list[Block]:
    if not data.hypotheses:
        return [section(_say("no_hypotheses"))]
    lines = [_say("hypothesis", h=hypothesis_fields(view)) for view in data.hypotheses]
    return _listed(_say("hypotheses_heading"), lines, cap=MAX_HYPOTHESES, what="hypotheses")


def _gates(data: DigestData) -> list[Block]:
    if not data.gates:
        return [section(_say("no_gates"))]
    lines = [_say("gate", g=gate_fields(view)) for view in data.gates]
    return _listed(_say("gates_heading"), lines, cap=MAX_GATES, what="gates")


def _listed(heading: str, lines: Sequence[str], *, cap: int, what: str) -> list[Block]:
    entries = [(_BREAK + heading, 0), *((clip(line, 1000), 1) for line in lines[:cap])]
    if len(lines) > cap:
        entries.append((_say("more", count=len(lines) - cap, what=what), 0))
    return [section(text) for text in _fill(entries, budget=2, more=_more(what))]


def _more(what: str) -> Callable[[int], str]:
    return lambda count: _say("more", count=count, what=what)


def _fill(entries: Iterable[Entry], *, budget: int, more: Callable[[int], str]) -> list[str]:
    """Pack lines into at most `budget` section texts; a cut ends with `more(left out)`."""
    sections: list[list[Entry]] = [[]]
    for text, count in entries:
        fresh = text.startswith(_BREAK)
        text = text.removeprefix(_BREAK)
        current = sections[-1]
        if current and (fresh or _size(current) + 1 + len(text) > SECTION_LIMIT):
            sections.append(current := [])
        current.append((text, count))
    if len(sections) > budget:
        kept, cut = sections[:budget], sections[budget:]
        last = kept[-1]
        left = sum(count for part in cut for _, count in part)
        while last and _size(last) + 1 + len(more(left)) > SECTION_LIMIT:
            left += last.pop()[1]
        last.append((more(left), 0))
        sections = kept
    return ["\n".join(text for text, _ in part) for part in sections if part]


def _size(part: list[Entry]) -> int:
    return sum(len(text) for text, _ in part) + max(len(part) - 1, 0)


def block_texts(blocks: Iterable[Block]) -> Iterable[str]:
    """Yield every text a person reads in `blocks` (for tests and limits checks)."""
    for block in blocks:
        if "text" in block:
            yield block["text"]["text"]
        for item in block.get("fields", []) + block.get("elements", []):
            if "text" in item:
                yield item["text"]
