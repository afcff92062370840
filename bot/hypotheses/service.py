"""The /hypothesis ritual: check a statement, keep a draft, save it once, list a channel's."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlmodel import Session

import db.hypotheses as queries
from bot.core.errors import InvalidInput, NotFound
from bot.falsifiability.verdict import Element, Verdict
from bot.hypotheses.form import MAX_STATEMENT_LENGTH, HypothesisFields, assemble
from db import workspaces
from db.columns import saved_id
from db.models import Hypothesis, HypothesisStatus


class Checker(Protocol):
    """Anything that can judge a statement (the rules, or the LLM with the rules behind it)."""

    def check(self, text: str) -> Verdict: ...


class Subcommand(StrEnum):
    """What `/hypothesis <text>` asks for."""

    CHECK = "check"
    MODAL = "modal"
    LIST = "list"
    HELP = "help"


@dataclass(frozen=True)
class ParsedCommand:
    """A parsed `/hypothesis` invocation; `unknown` names a sub-command we did not recognise."""

    subcommand: Subcommand
    text: str = ""
    unknown: str | None = None


def parse_command(text: str) -> ParsedCommand:
    """Decide what `/hypothesis <text>` means.

    A single word that is not a sub-command is far more likely a typo ("lsit") than a
    hypothesis, so it gets help rather than a falsifiability verdict.
    """
    stripped = " ".join(text.replace("\x00", "").split())  # NUL: never meant, refused by PostgreSQL
    word = stripped.casefold()
    if not stripped:
        return ParsedCommand(Subcommand.MODAL)
    if word in {"list", "ls"}:
        return ParsedCommand(Subcommand.LIST)
    if word in {"help", "?", "-h", "--help"}:
        return ParsedCommand(Subcommand.HELP)
    if " " not in stripped:
        return ParsedCommand(Subcommand.HELP, unknown=stripped)
    return ParsedCommand(Subcommand.CHECK, text=stripped)


# The element a modal field supplies, so a draft written as one sentence can pre-fill the modal.
FIELD_FOR_ELEMENT: dict[Element, str] = {
    Element.OUTCOME: "outcome_metric",
    Element.MAGNITUDE: "magnitude",
    Element.TIME_WINDOW: "time_window",
    Element.POPULATION: "population",
    Element.REASON: "reason",
    Element.FALSIFICATION: "falsification",
}


def check_and_draft(
    *,
    session: Session,
    checker: Checker,
    team_id: str,
    channel_id: str,
    author_id: str,
    text: str,
    form: HypothesisFields | None = None,
) -> Hypothesis:
    """Check `text` and keep it as a draft only its author sees until they save it.

    The check (an LLM call of up to GATEBOT_LLM_TIMEOUT) runs before the database is
    touched, so no connection sits idle in a transaction while the model thinks.
    """
    checked = _checked(checker, text, form)
    return _add_draft(session, team_id, channel_id, author_id, checked)


def _add_draft(
    session: Session, team_id: str, channel_id: str, author_id: str, checked: dict[str, Any]
) -> Hypothesis:
    workspace = workspaces.ensure(session=session, team_id=team_id)
    hypothesis = Hypothesis(
        workspace_id=saved_id(workspace),
        channel_id=channel_id,
        author_id=author_id,
        status=HypothesisStatus.DRAFT,
        **checked,
    )
    return queries.add(session=session, hypothesis=hypothesis)


def statement_error(text: str) -> str | None:
    """Return why a statement cannot be kept (too long), or None: pure, safe before the ack."""
    size = len(" ".join(text.split()))
    if size <= MAX_STATEMENT_LENGTH:
        return None
    return (
        f"That hypothesis is {size:,} characters; keep it under "
        f"{MAX_STATEMENT_LENGTH:,} so the team can read it in one go."
    )


def _checked(checker: Checker, text: str, form: HypothesisFields | None) -> dict[str, Any]:
    """Return a statement's stored columns after its check: text, verdict and its elements."""
    text = " ".join(text.split())
    if problem := statement_error(text):
        raise InvalidInput(problem)
    verdict = checker.check(text)
    return {
        "text": text,
        "vague": verdict.vague,
        "missing": [str(e) for e in verdict.missing],
        "verdict": verdict.as_json(),
        "checker": verdict.checker,
        **_structured_fields(form, verdict),
    }


def _structured_fields(form: HypothesisFields | None, verdict: Verdict) -> dict[str, Any]:
    """Return the hypothesis's text columns by name (None where the part is missing)."""
    if form is not None:
        cleaned = form.cleaned()
        return {name: getattr(cleaned, name) or None for name in HypothesisFields.names()}
    return {field: verdict.elements.get(element) for element, field in FIELD_FOR_ELEMENT.items()}


def verdict_of(hypothesis: Hypothesis) -> Verdict:
    """Return the stored verdict of a hypothesis."""
    return Verdict.model_validate(hypothesis.verdict)


def get(*, session: Session, workspace_id: int, hypothesis_id: int) -> Hypothesis:
    """Return a hypothesis of this workspace or raise NotFound."""
    hypothesis = queries.get(
        session=session, workspace_id=workspace_id, hypothesis_id=hypothesis_id
    )
    if hypothesis is None:
        raise NotFound("I can't find that hypothesis any more; write it again with /hypothesis.")
    return hypothesis


def draft_to_edit(
    *, session: Session, workspace_id: int, hypothesis_id: int, user_id: str
) -> Hypothesis:
    """Return the hypothesis `user_id` asked to edit, refusing someone else's draft."""
    hypothesis = get(session=session, workspace_id=workspace_id, hypothesis_id=hypothesis_id)
    _only_its_author(hypothesis, user_id)
    return hypothesis


@dataclass(frozen=True)
class Outcome:
    """The hypothesis after an action, and whether this call was the one that changed it."""

    hypothesis: Hypothesis
    changed: bool


def _only_its_author(hypothesis: Hypothesis, user_id: str) -> None:
    """Refuse to act on someone else's draft: drafts are shown to their author alone."""
    if hypothesis.status == HypothesisStatus.DRAFT and hypothesis.author_id != user_id:
        raise NotFound(
            "That draft is someone else's; only its author can save, edit or discard it."
        )


def _move(
    *, session: Session, workspace_id: int, hypothesis_id: int, user_id: str, to: HypothesisStatus
) -> Outcome:
    _only_its_author(
        get(session=session, workspace_id=workspace_id, hypothesis_id=hypothesis_id), user_id
    )
    changed = queries.transition(
        session=session,
        workspace_id=workspace_id,
        hypothesis_id=hypothesis_id,
        from_status=HypothesisStatus.DRAFT,
        to_status=to,
        user_id=user_id,
    )
    hypothesis = get(session=session, workspace_id=workspace_id, hypothesis_id=hypothesis_id)
    session.refresh(hypothesis)
    return Outcome(hypothesis=hypothesis, changed=changed)


def save(*, session: Session, workspace_id: int, hypothesis_id: int, user_id: str) -> Outcome:
    """Put a draft on record; a second click finds it saved and changes nothing."""
    return _move(
        session=session,
        workspace_id=workspace_id,
        hypothesis_id=hypothesis_id,
        user_id=user_id,
        to=HypothesisStatus.OPEN,
    )


def discard(*, session: Session, workspace_id: int, hypothesis_id: int, user_id: str) -> Outcome:
    """Throw a draft away; a saved hypothesis is never discarded from here."""
    return _move(
        session=session,
        workspace_id=workspace_id,
        hypothesis_id=hypothesis_id,
        user_id=user_id,
        to=HypothesisStatus.DISCARDED,
    )


def record_posted(*, session: Session, hypothesis: Hypothesis, ts: str) -> None:
    """Remember the channel message that shows the saved hypothesis."""
    queries.set_message_ts(session=session, hypothesis=hypothesis, ts=ts)


LIST_PAGE = 20  # hypotheses a /hypothesis list page shows


def list_channel(
    *, session: Session, workspace_id: int, channel_id: str, offset: int = 0
) -> tuple[list[Hypothesis], int]:
    """Return a page of the channel's hypotheses on record, newest first, and how many in all."""
    rows = queries.list_for_channel(
        session=session,
        workspace_id=workspace_id,
        channel_id=channel_id,
        limit=LIST_PAGE,
        offset=offset,
    )
    total = queries.count_for_channel(
        session=session, workspace_id=workspace_id, channel_id=channel_id
    )
    return rows, total


def prefill(hypothesis: Hypothesis) -> HypothesisFields:
    """Return modal fields pre-filled from a draft, for Edit."""
    values = {name: getattr(hypothesis, name) or "" for name in HypothesisFields.names()}
    if not values["change"]:
        # A one-sentence draft has no separate "change"; start the author from their words.
        values["change"] = hypothesis.text[:500]
    return HypothesisFields(**values)


def submit_form(
    *,
    session: Session,
    checker: Checker,
    team_id: str,
    channel_id: str,
    author_id: str,
    form: HypothesisFields,
    replaces: int | None = None,
) -> Outcome:
    """Assemble the modal's fields into one statement, check it and put it on record.

    When the modal edits a draft that is still a draft, the draft itself is rewritten and
    saved: it keeps its number, so a vague first try rewritten is hypothesis #1, not #2.
    """
    checked = _checked(checker, assemble(form), form)  # slow: before the database
    workspace = workspaces.ensure(session=session, team_id=team_id)
    workspace_id = saved_id(workspace)
    if replaces is not None:
        # Raises when the edited draft is not this workspace's (the caller rolls back, so
        # nothing is kept).
        replaced = get(session=session, workspace_id=workspace_id, hypothesis_id=replaces)
        _only_its_author(replaced, author_id)
        if queries.rewrite_draft(
            session=session, workspace_id=workspace_id, hypothesis_id=replaces, values=checked
        ):
            return save(
                session=session,
                workspace_id=workspace_id,
                hypothesis_id=replaces,
                user_id=author_id,
            )
        # Saved or discarded meanwhile (another click): it stays as it is; this is a new one.
    hypothesis = _add_draft(session, team_id, channel_id, author_id, checked)
    return save(
        session=session,
        workspace_id=workspace_id,
        hypothesis_id=saved_id(hypothesis),
        user_id=author_id,
    )
