"""Blocks for /hypothesis: the verdict, the channel post, the list and the modal."""

from __future__ import annotations

import json

from bot.falsifiability.verdict import Verdict
from bot.hypotheses.form import MAX_FIELD_LENGTH, Direction, HypothesisFields
from bot.hypotheses.service import LIST_PAGE
from bot.slack.blocks import Block, button, confirm_dialog, context, divider, section
from bot.slack.mrkdwn import escape, escape_clipped
from bot.slack.paging import Page, pager
from db.models import Hypothesis, HypothesisStatus

SAVE, EDIT, DISCARD = "hypothesis_save", "hypothesis_edit", "hypothesis_discard"
MODAL_CALLBACK = "hypothesis_modal"


def verdict_label(verdict: Verdict) -> str:
    """Return the one-word verdict with its marker."""
    return ":warning: *Vague*" if verdict.vague else ":white_check_mark: *Falsifiable*"


def _checker_note(verdict: Verdict) -> str:
    if verdict.fallback_reason:
        return (
            "Checked by the offline rule-based check: the LLM check was unavailable "
            f"({escape(verdict.fallback_reason)})."
        )
    return "Checked by the LLM." if verdict.checker == "llm" else "Checked by the rule-based check."


def _verdict_body(text: str, verdict: Verdict) -> list[Block]:
    blocks = [section(f"{verdict_label(verdict)}\n>{escape(text)}")]
    detail = escape(verdict.explanation)
    if verdict.missing:
        detail += "\n*Missing:* " + ", ".join(str(e) for e in verdict.missing)
    if verdict.vague_terms:
        terms = ", ".join(f"“{escape(t.term)}” ({t.family})" for t in verdict.vague_terms)
        detail += f"\n*Vague words:* {terms}"
    blocks.append(section(detail))
    return blocks


def verdict_message(*, hypothesis_id: int, text: str, verdict: Verdict) -> list[Block]:
    """Return the ephemeral verdict with a rewrite and Save / Edit / Discard."""
    blocks = _verdict_body(text, verdict)
    if verdict.vague or verdict.missing:
        heading = "A rewrite that could be proved wrong" if verdict.vague else "A sharper version"
        blocks.append(section(f"*{heading}:*\n>{escape(verdict.rewrite)}"))
    value = str(hypothesis_id)
    save_label = "Save as vague" if verdict.vague else "Save"
    blocks.append(
        {
            "type": "actions",
            "block_id": "hypothesis_actions",
            "elements": [
                button(save_label, action_id=SAVE, value=value, style="primary"),
                button("Edit", action_id=EDIT, value=value),
                button(
                    "Discard",
                    action_id=DISCARD,
                    value=value,
                    style="danger",
                    confirm=confirm_dialog(
                        title="Discard this draft?",
                        text="The draft is deleted for good; nothing was posted to the channel.",
                        yes="Discard",
                        no="Keep it",
                    ),
                ),
            ],
        }
    )
    blocks.append(context(_checker_note(verdict)))
    return blocks


def verdict_fallback_text(verdict: Verdict) -> str:
    """Return the notification text for a verdict (shown where blocks are not)."""
    return (
        "Vague hypothesis: " + escape(verdict.explanation)
        if verdict.vague
        else ("Falsifiable hypothesis.")
    )


def saved_post(*, hypothesis: Hypothesis, verdict: Verdict) -> list[Block]:
    """Return the in-channel post of a hypothesis put on record."""
    blocks = [
        section(f"<@{hypothesis.saved_by or hypothesis.author_id}> put a hypothesis on record.")
    ]
    blocks += _verdict_body(hypothesis.text, verdict)
    blocks.append(context(f"Hypothesis #{hypothesis.id} · {_checker_note(verdict)}"))
    return blocks


def saved_confirmation(*, hypothesis: Hypothesis, posted: bool) -> str:
    """Return the author's note that replaces the ephemeral verdict after Save."""
    if posted:
        return (
            f":white_check_mark: Saved hypothesis #{hypothesis.id} "
            f"and posted it to <#{hypothesis.channel_id}>."
        )
    return (
        f":white_check_mark: Saved hypothesis #{hypothesis.id}, but I could not post it to "
        f"<#{hypothesis.channel_id}>: invite me with `/invite @gatebot` and it will show in "
        "`/hypothesis list`."
    )


def status_note(hypothesis: Hypothesis) -> str:
    """Return what a late click on a draft's buttons is told."""
    if hypothesis.status == HypothesisStatus.OPEN:
        return f"Hypothesis #{hypothesis.id} is already saved."
    return f"Hypothesis #{hypothesis.id} was discarded."


LIST_PAGE_ACTION = "hypothesis_list_page"
_IN_LIST = 400  # characters of a hypothesis's text in the list: twenty fit one message


def list_message(
    hypotheses: list[Hypothesis], *, channel_id: str, offset: int = 0, total: int | None = None
) -> list[Block]:
    """Return a page of the channel's hypotheses, newest first, saying how many more and how."""
    if not hypotheses:
        return [
            section(
                f"No hypotheses on record in <#{channel_id}> yet. Write one with `/hypothesis`."
            )
        ]
    blocks: list[Block] = [section(f"*Hypotheses in <#{channel_id}>*, newest first")]
    for hypothesis in hypotheses:
        verdict = "vague" if hypothesis.vague else "falsifiable"
        when = hypothesis.created_at.strftime("%Y-%m-%d")
        who = f"<@{hypothesis.author_id}>"
        line = f"*#{hypothesis.id}* · {hypothesis.status} · {verdict} · {who} · {when}"
        text = escape_clipped(" ".join(hypothesis.text.split()), _IN_LIST)
        blocks.append(section(f"{line}\n>{text}"))
    page = Page(offset=offset, shown=len(hypotheses), total=total or len(hypotheses))
    return blocks + pager(page, noun="hypotheses", action_id=LIST_PAGE_ACTION, size=LIST_PAGE)


_LABELS = {
    "change": (
        "The change",
        "the model or product change, e.g. in-stock filtering in visual search",
    ),
    "population": ("For whom", "the users or segment, e.g. mobile shoppers in the EU"),
    "outcome_metric": (
        "Outcome metric",
        "a behaviour you can count, e.g. purchases per search session",
    ),
    "direction": ("Direction", ""),
    "magnitude": ("By how much", "e.g. by at least 2%, from 31% to 33%, below 120 ms"),
    "time_window": ("Within", "e.g. 4 weeks of an A/B test"),
    "reason": ("Because", "why you expect it, e.g. out-of-stock results end sessions"),
    "falsification": (
        "We are wrong if",
        "optional: e.g. purchases per session rise by less than 1% in the A/B test",
    ),
}


def _input(name: str, value: str) -> Block:
    label, placeholder = _LABELS[name]
    element: Block
    if name == "direction":
        options = [
            {"text": {"type": "plain_text", "text": d.label}, "value": d.value} for d in Direction
        ]
        element = {"type": "static_select", "action_id": name, "options": options}
        initial = next((o for o in options if o["value"] == value), None)
        if initial:
            element["initial_option"] = initial
    else:
        element = {
            "type": "plain_text_input",
            "action_id": name,
            "max_length": MAX_FIELD_LENGTH,
            "multiline": name in {"change", "reason"},
            "placeholder": {"type": "plain_text", "text": placeholder},
        }
        if value:
            element["initial_value"] = value[:MAX_FIELD_LENGTH]
    return {
        "type": "input",
        "block_id": name,
        "optional": name not in {"change", "outcome_metric", "direction", "magnitude"},
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def modal(
    *, channel_id: str, form: HypothesisFields | None = None, replaces: int | None = None
) -> Block:
    """Return the structured hypothesis modal, pre-filled when editing a draft."""
    form = form or HypothesisFields()
    intro = section(
        "_We believe [change] will cause [behaviour change] for [population] because [reason]. "
        "We will know we are wrong if [metric] does not move by [amount] within [time]._"
    )
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "private_metadata": json.dumps({"channel_id": channel_id, "replaces": replaces}),
        "title": {"type": "plain_text", "text": "Write a hypothesis"},
        "submit": {"type": "plain_text", "text": "Check and save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [intro, divider()]
        + [_input(name, getattr(form, name)) for name in HypothesisFields.names()],
    }


def read_modal(state_values: dict[str, dict[str, dict[str, object]]]) -> HypothesisFields:
    """Read the modal's submitted state into fields (missing inputs read as empty)."""
    values: dict[str, str] = {}
    for name in HypothesisFields.names():
        element = state_values.get(name, {}).get(name, {})
        if name == "direction":
            selected = element.get("selected_option") or {}
            value = selected.get("value", "") if isinstance(selected, dict) else ""
        else:
            value = element.get("value")
        # Slack sends text; anything else would be stored as its Python repr, so it is empty.
        values[name] = value if isinstance(value, str) else ""
    return HypothesisFields(**values).cleaned()


def read_metadata(private_metadata: str) -> tuple[str, int | None]:
    """Return (channel_id, replaces) from the modal's private metadata."""
    data = json.loads(private_metadata or "{}")
    replaces = data.get("replaces")
    return str(data.get("channel_id", "")), int(replaces) if replaces is not None else None
