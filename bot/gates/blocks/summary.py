"""The answers' summary in a gate prompt's thread, and the modal that shows all of a question's.

The summary is one message, updated as people answer, so it must fit one message's budget
(bot.slack.packing): each question gets an equal share, and the answers past it are
counted with a button to see them all, a modal's page at a time.
"""

from __future__ import annotations

from bot.gates import Decision
from bot.gates.answers import Review, essential
from bot.gates.blocks.answers import PERSON_QUESTIONS, people_answer, people_in
from bot.gates.blocks.status import local
from bot.slack.blocks import Block, button, clip, context, quote, section
from bot.slack.mrkdwn import escape, escape_clipped
from bot.slack.packing import MESSAGE, MODAL, text_size
from db.models.gates import GateAnswer
from db.reviews import as_utc

SHOW_ANSWERS = "gate_show_answers"
_IN_SUMMARY = 600  # characters of one answer in the summary; the full text stays on record
_BUTTONS_ROOM = 40  # characters of a "Show all" button, kept free for each question
_MORE_ROOM = 60  # characters of the "…and N more answers" line
_MODAL_ROOM = 3500  # the question, the count and the paging buttons


def _answer_line(answer: GateAnswer, *, limit: int = _IN_SUMMARY) -> str:
    text = escape_clipped(answer.text, limit)
    if answer.question_key in PERSON_QUESTIONS and people_answer(list(people_in(answer.text))):
        text = people_answer(list(people_in(answer.text)))  # picked people: live mentions
    line = f"<@{answer.user_id}>: {text}"
    if answer.vague:
        missing = ", ".join(essential(answer.missing)) or "a measurable claim"
        line += f"\n   :warning: _vague: missing {escape(missing)}_"
    return line


def summary_message(*, review: Review, answers: list[GateAnswer]) -> list[Block]:
    """Return the thread's summary: answers by question within one message, the plan, the decision.

    Each question gets an equal share of the message's budget; the answers past it are
    counted, with a button that shows them all.
    """
    by_question: dict[str, list[GateAnswer]] = {}
    for answer in answers:
        by_question.setdefault(answer.question_key, []).append(answer)
    head = [section(f":clipboard: *Answers so far: {review.gate.title}*")]
    tail = _summary_tail(review=review, answers=answers)
    answered = [
        (number, question, by_question[question.key])
        for number, question in enumerate(review.gate.questions, start=1)
        if question.key in by_question
    ]
    room = MESSAGE.text - text_size(head + tail) - _BUTTONS_ROOM * len(answered)
    share = min(MESSAGE.section, room // max(len(answered), 1))
    body: list[Block] = []
    for number, question, given in answered:
        body += _question_blocks(
            review=review, number=number, prompt=question.prompt, given=given, share=share
        )
    return [*head, *body, *tail]


def _question_blocks(
    *, review: Review, number: int, prompt: str, given: list[GateAnswer], share: int
) -> list[Block]:
    text = f"*{number}. {prompt}*"
    shown = 0
    for answer in given:
        line = _answer_line(answer)
        if len(text) + 1 + len(line) > share - _MORE_ROOM:
            break
        text += "\n" + line
        shown += 1
    if shown == len(given):
        return [section(text)]
    left = len(given) - shown
    text += f"\n_…and {left} more answer{'' if left == 1 else 's'} to this question_"
    show = button(
        f"Show all {len(given)} answers",
        action_id=SHOW_ANSWERS,
        value=f"{review.id}:{number}:0",
    )
    return [section(text), {"type": "actions", "elements": [show]}]


def _summary_tail(*, review: Review, answers: list[GateAnswer]) -> list[Block]:
    blocks = []
    waiting = [
        f"{number}. {question.prompt}"
        for number, question in enumerate(review.gate.questions, start=1)
        if not any(a.question_key == question.key for a in answers)
    ]
    plan = (review.review.inputs or {}).get("plan")
    if isinstance(plan, dict) and plan.get("summary"):
        blocks.append(section(f":bar_chart: *Sample size and duration:* {plan['summary']}."))
    elif isinstance(plan, dict) and plan.get("error"):
        blocks.append(section(f":bar_chart: *No sample size:* {escape(str(plan['error']))}"))
    row = review.review
    if row.decision:
        blocks.append(
            section(
                f":memo: *Decision: {Decision(row.decision).label}* by <@{row.decided_by}>\n"
                + quote(escape_clipped(row.decision_reason or "", MESSAGE.section - 200))
            )
        )
    if waiting:
        blocks.append(context(clip("Not answered yet: " + " · ".join(waiting), 2000)))
    people = len({a.user_id for a in answers})
    stamp = ""
    if answers:
        latest = max(as_utc(a.updated_at) for a in answers)
        tz = review.project.timezone
        stamp = f" · last change {local(latest, tz=tz)} ({tz})"
    blocks.append(context(f"{_count(answers, people)}{stamp}"))
    return blocks


def all_answers_modal(
    *, review: Review, number: int, answers: list[GateAnswer], page: int = 0
) -> Block:
    """Return a modal with every answer to question `number`, a page at a time within budget."""
    question = review.gate.questions[number - 1]
    given = [a for a in answers if a.question_key == question.key]
    pages = _pages(given)
    page = min(max(page, 0), len(pages) - 1)
    start, stop = pages[page]
    blocks: list[Block] = [section(clip(f"*{number}. {question.prompt}*"))]
    blocks += [section(_answer_line(a, limit=MESSAGE.section - 150)) for a in given[start:stop]]
    where = f"Answers {start + 1}–{stop} of {len(given)}" if given else "No answers yet"
    blocks.append(context(where))
    moves = []
    if page > 0:
        moves.append(
            button("Previous", action_id=SHOW_ANSWERS, value=f"{review.id}:{number}:{page - 1}")
        )
    if page + 1 < len(pages):
        left = len(given) - stop
        moves.append(
            button(
                f"Next ({left} more)",
                action_id=SHOW_ANSWERS,
                value=f"{review.id}:{number}:{page + 1}",
            )
        )
    if moves:
        blocks.append({"type": "actions", "elements": moves})
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "All answers"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }


def _pages(given: list[GateAnswer]) -> list[tuple[int, int]]:
    """Return (start, stop) of each page of answers that fits a modal's budget."""
    pages, start, size = [], 0, 0
    for index, answer in enumerate(given):
        line = len(_answer_line(answer, limit=MESSAGE.section - 150))
        full = index - start >= MODAL.blocks - 5 or size + line > MODAL.text - _MODAL_ROOM
        if index > start and full:
            pages.append((start, index))
            start, size = index, 0
        size += line
    pages.append((start, len(given)))
    return pages


def _count(answers: list[GateAnswer], people: int) -> str:
    plural = "" if len(answers) == 1 else "s"
    return f"{len(answers)} answer{plural} from {people} {'person' if people == 1 else 'people'}"


def summary_text(*, review: Review, answers: list[GateAnswer]) -> str:
    """Return the summary's notification text."""
    return f"Answers to {review.gate.title}: {_count(answers, len({a.user_id for a in answers}))}"
