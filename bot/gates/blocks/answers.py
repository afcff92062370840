"""Blocks for answering a gate: the answer modal and the nudge (the summary: bot.gates.blocks)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.gates.answers import MAX_ANSWER_LENGTH, AnswerForm, Nudge, Review
from bot.gates.blocks.prompt import ANSWER
from bot.gates.blocks.status import plain
from bot.slack.blocks import Block, button, clip, clip_plain, divider, section
from prompts import render

ANSWER_CALLBACK = "gate_answers"
# Questions answered by picking people: the escape gate's "Who decides?" (its deciders page
# them; bot.escape_deciders reads the mentions stored).
PERSON_QUESTIONS = frozenset({"decider"})
_USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")
_MENTION = re.compile(r"<@([UW][A-Z0-9]{1,31})>")
_WHOLE_NUMBERS = frozenset({"weekly_traffic"})


def _text_input(key: str, label: str, element: Block, *, hint: str | None = None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": key,
        "optional": True,
        "label": {"type": "plain_text", "text": clip_plain(label, 2000)},
        "element": {"action_id": key, **element},
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _people_input(key: str, label: str, form: AnswerForm) -> Block:
    """Return a people picker: a name typed as text never resolves to someone to page."""
    element: Block = {
        "type": "multi_users_select",
        "max_selected_items": 3,
        "placeholder": {"type": "plain_text", "text": "The person who decides, and who stands in"},
    }
    chosen = people_in(form.texts.get(key) or "")
    if chosen:
        element["initial_users"] = list(chosen)
    hint = "Escape alerts page these people by name when a rollback trigger fires."
    return _text_input(key, label, element, hint=hint)


def people_in(text: str) -> tuple[str, ...]:
    """Return the Slack users a stored people answer (`<@U1> <@U2>`) names, each once."""
    return tuple(dict.fromkeys(_MENTION.findall(text)))


def people_answer(users: list[object]) -> str:
    """Return picked users as the answer stored: mentions, which alerts resolve to people."""
    valid = [str(u) for u in users if _USER_ID.fullmatch(str(u))]
    return " ".join(f"<@{user}>" for user in dict.fromkeys(valid))


def answer_modal(form: AnswerForm) -> Block:
    """Return the modal of a gate's questions, pre-filled with this person's earlier answers."""
    gate = form.review.gate
    blocks = [section(f"*{gate.title}*\n{gate.purpose}"), divider()]
    for question in gate.questions:
        if question.key in PERSON_QUESTIONS:
            blocks.append(_people_input(question.key, plain(question.prompt), form))
            continue
        element: Block = {
            "type": "plain_text_input",
            "multiline": True,
            "max_length": MAX_ANSWER_LENGTH,
            "placeholder": {"type": "plain_text", "text": clip_plain(plain(question.hint), 150)},
        }
        if form.texts.get(question.key):
            element["initial_value"] = form.texts[question.key]
        hint = "Checked for falsifiability: name the metric, the amount and the time."
        blocks.append(
            _text_input(
                question.key,
                plain(question.prompt),
                element,
                hint=hint if question.check_falsifiability else None,
            )
        )
    if gate.inputs:
        blocks += [
            divider(),
            section(
                "*The live test's numbers.* Give them and the summary shows the sample size "
                "per arm and the test's duration (two-sided, α 0.05, power 0.8)."
            ),
        ]
    for number in gate.inputs:
        element = {
            "type": "number_input",
            "is_decimal_allowed": number.key not in _WHOLE_NUMBERS,
            "placeholder": {"type": "plain_text", "text": clip_plain(plain(number.hint), 150)},
        }
        if form.numbers.get(number.key):
            element["initial_value"] = form.numbers[number.key]
        blocks.append(_text_input(number.key, plain(number.label), element))
    metadata = {
        "review_id": form.review.id,
        "claims": [q.key for q in gate.questions if q.check_falsifiability],
        "required": [n.key for n in gate.inputs if n.required],
        "had_answers": bool(form.texts),
    }
    return {
        "type": "modal",
        "callback_id": ANSWER_CALLBACK,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": "Answer the gate"},
        "submit": {"type": "plain_text", "text": "Save answers"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


@dataclass(frozen=True, kw_only=True)
class SubmittedAnswers:
    """A submitted answer modal: the texts and numbers typed, and what the modal knew."""

    review_id: int
    texts: dict[str, str]
    numbers: dict[str, str]
    claims: list[str]  # question keys to check for falsifiability
    required: list[str]  # numbers the power calculation needs
    had_answers: bool  # this person had answered before: an empty form withdraws
    first_question: str  # the block an error about the whole form is shown under

    @property
    def empty(self) -> bool:
        """Return whether nothing at all was typed."""
        return not any(t.strip() for t in [*self.texts.values(), *self.numbers.values()])


def read_answer_modal(view: dict[str, Any]) -> SubmittedAnswers:
    """Return what a submitted answer modal holds."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    texts: dict[str, str] = {}
    numbers: dict[str, str] = {}
    for block_id, elements in view["state"]["values"].items():
        element = elements.get(block_id, {})
        if element.get("type") == "multi_users_select":
            texts[block_id] = people_answer(list(element.get("selected_users") or []))
            continue
        target = numbers if element.get("type") == "number_input" else texts
        value = element.get("value")
        # Slack sends text; anything else would be kept as its Python repr, so it is empty.
        target[block_id] = value if isinstance(value, str) else ""
    inputs = [b["block_id"] for b in view.get("blocks") or [] if b.get("type") == "input"]
    return SubmittedAnswers(
        first_question=next(iter([*inputs, *texts, *numbers]), ""),
        review_id=int(metadata["review_id"]),
        texts=texts,
        numbers=numbers,
        claims=[str(key) for key in metadata.get("claims", [])],
        required=[str(key) for key in metadata.get("required", [])],
        had_answers=bool(metadata.get("had_answers")),
    )


def nudge_text(nudges: list[Nudge]) -> str:
    """Return the nudge's words: each vague answer, what it lacks, and a sharper version."""
    return clip(render("gate_nudge.j2", nudges=nudges))


def nudge_message(*, review: Review, nudges: list[Nudge]) -> list[Block]:
    """Return the ephemeral nudge with a button back into the answer modal."""
    edit = button("Edit my answers", action_id=ANSWER, value=str(review.id))
    return [
        section(nudge_text(nudges)),
        {"type": "actions", "block_id": f"gate_nudge_{review.id}", "elements": [edit]},
    ]
