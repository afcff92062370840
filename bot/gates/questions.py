"""A team's own wording for gate questions: `/gate question <gate> [<key> <wording>]`."""

from __future__ import annotations

from sqlmodel import Session

from bot.changes import FieldChange, moved
from bot.changes.blocks import change_lines
from bot.changes.service import record_edit
from bot.core.errors import InvalidInput
from bot.gates import GateKind, gate_for, question_keys, validate_overrides
from bot.gates.setup import for_channel
from bot.slack.mrkdwn import escape, unescape
from db.columns import utcnow

# A prompt shows every question in its sections; a longer one would push the later ones out.
MAX_QUESTION_LENGTH = 300
SUBJECT_KIND = "gate_question"
USAGE = (
    "Use `/gate question &lt;gate&gt;` to see its questions, "
    "`/gate question &lt;gate&gt; &lt;key&gt; &lt;your wording&gt;` to reword one, "
    "and `/gate question &lt;gate&gt; &lt;key&gt; reset` to go back to the default."
)


def reword(
    *,
    session: Session,
    workspace_id: int,
    team_id: str,
    channel_id: str,
    user_id: str,
    argument: str,
) -> str:
    """Show, change or reset the wording of one gate's questions; return what to tell the user.

    A wording that changes is announced to the channel (before → after, and who) and kept
    on the project's record, in the same transaction as the new wording.
    """
    gate_name, _, rest = argument.strip().partition(" ")
    if not gate_name:
        return USAGE
    kind = GateKind.parse(gate_name)
    project = for_channel(session=session, workspace_id=workspace_id, channel_id=channel_id)
    overrides = dict((project.question_overrides or {}).get(kind.value, {}))
    key, _, wording = rest.strip().partition(" ")
    told = ""
    if key:
        if key not in question_keys(kind):
            validate_overrides(kind, {key: wording or key})  # raises, naming the valid keys
        wording = " ".join(wording.split())
        if len(wording) > MAX_QUESTION_LENGTH:
            raise InvalidInput(
                f"Keep a question to {MAX_QUESTION_LENGTH} characters ({len(wording)} now), "
                "so the prompt has room for every question. Nothing was changed; "
                f"your wording, to shorten:\n>{escape(wording)}"
            )
        before = _wording(kind=kind, project_name=project.name, overrides=overrides, key=key)
        if wording.casefold() == "reset":
            overrides.pop(key, None)
        else:
            overrides.update(validate_overrides(kind, {key: wording}))
        after = _wording(kind=kind, project_name=project.name, overrides=overrides, key=key)
        change = FieldChange("wording", before, after)
        # A new dict, so SQLAlchemy sees the JSON column change.
        project.question_overrides = {**(project.question_overrides or {}), kind.value: overrides}
        project.updated_at = utcnow()
        session.add(project)
        record_edit(
            session=session,
            project=project,
            team_id=team_id,
            subject_kind=SUBJECT_KIND,
            subject=f"{kind.value}: {key}",
            changes=[change],
            changed_by=user_id,
        )
        session.commit()
        told = _told(key=key, changes=moved([change]))
    return told + _listing(kind=kind, project_name=project.name, overrides=overrides)


def _wording(*, kind: GateKind, project_name: str, overrides: dict[str, str], key: str) -> str:
    """Return the question under `key` as people read it, in plain text (not mrkdwn)."""
    gate = gate_for(kind, context={"project": project_name, "sprint": 1}, overrides=overrides)
    return unescape(gate.question(key).prompt)


def _told(*, key: str, changes: list[FieldChange]) -> str:
    if not changes:
        return f":information_source: `{key}` already reads so: nothing changed.\n\n"
    return (
        f":white_check_mark: You reworded `{key}`:\n{change_lines(changes)}\n"
        "The channel has been told, and the change is on the project's record.\n\n"
    )


def _listing(*, kind: GateKind, project_name: str, overrides: dict[str, str]) -> str:
    gate = gate_for(kind, context={"project": project_name, "sprint": 1}, overrides=overrides)
    lines = [f"*{kind.label}* questions for *{escape(project_name)}*:"]
    for question in gate.questions:
        mark = " _(your wording)_" if question.key in overrides else ""
        lines.append(f"• `{question.key}`: {question.prompt}{mark}")
    return "\n".join([*lines, USAGE])
