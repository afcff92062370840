"""Blocks for /gate setup: the modal (pre-filled when editing), reading it, the channel notice."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from typing import Any

from bot.gates import Phase, phase_gate
from bot.gates.days_off import WEEKDAY_NAMES, region_code, working_days_words
from bot.gates.input import (
    MAX_NAME_LENGTH,
    MAX_SPRINT_DAYS,
    MAX_STANDINS,
    MIN_SPRINT_DAYS,
    SetupForm,
)
from bot.slack.blocks import Block, context
from db.models.gates import Project
from prompts import render

SETUP_CALLBACK = "gate_setup"
# The time zone box is opened empty while users.info runs, then replaced under another
# block id: Slack keeps an input's state across views.update when its ids stay the same,
# which would hide the looked-up default behind the empty box.
TIMEZONE_BLOCKS = ("timezone", "timezone_pending")
_SETTING_WORDS = {
    "name": "name",
    "channel_id": "channel",
    "sprint_length_days": "sprint length",
    "sprint_start": "sprint start",
    "timezone": "time zone",
    "prompt_time": "prompt time",
    "pm_lead": "PM lead",
    "ds_lead": "DS lead",
    "phase": "phase",
    "holiday_country": "public holidays",
    "holiday_subdivision": "public holidays",
    "working_days": "working days",
    "standins": "stand-ins",
}


def _input(block_id: str, label: str, element: Block, *, optional: bool = False) -> Block:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {"action_id": block_id, **element},
        "optional": optional,
    }
    return block


def _option(text: str, value: str) -> Block:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def setup_modal(
    *, channel_id: str, project: Project | None, timezone: str | None, today: date
) -> Block:
    """Return the set-up modal, pre-filled from the project; `timezone` None: still looking."""
    monday = today - timedelta(days=today.weekday())
    name = {"initial_value": project.name} if project else {}
    start = project.sprint_start if project else monday
    at: time = project.prompt_time if project else time(9, 30)
    phase = Phase(project.phase) if project else Phase.FRAMING
    tz = project.timezone if project else timezone
    options = [_option(p.label, p.value) for p in Phase]
    tz_element: Block = {
        "type": "plain_text_input",
        "max_length": 64,
        "placeholder": {"type": "plain_text", "text": "e.g. Europe/Berlin"},
    }
    if tz:
        tz_element["initial_value"] = tz
    leads = {}
    for lead in ("pm_lead", "ds_lead"):
        chosen = getattr(project, lead) if project else None
        leads[lead] = {"type": "users_select"} | ({"initial_user": chosen} if chosen else {})
    blocks = [
        _input(
            "name",
            "Project name",
            {"type": "plain_text_input", "max_length": MAX_NAME_LENGTH, **name},
        ),
        _input(
            "channel",
            "Team channel",
            {
                "type": "conversations_select",
                "initial_conversation": project.channel_id if project else channel_id,
                "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            },
        ),
        _input(
            "sprint_length",
            "Sprint length in days",
            {
                "type": "number_input",
                "is_decimal_allowed": False,
                "min_value": str(MIN_SPRINT_DAYS),
                "max_value": str(MAX_SPRINT_DAYS),
                "initial_value": str(project.sprint_length_days if project else 14),
            },
        ),
        _input(
            "sprint_start",
            "The current sprint started on",
            {"type": "datepicker", "initial_date": start.isoformat()},
        ),
        _input(TIMEZONE_BLOCKS[0] if tz else TIMEZONE_BLOCKS[1], "Team time zone", tz_element),
        _input(
            "prompt_time",
            "Prompts go out at (team time)",
            {"type": "timepicker", "initial_time": at.strftime("%H:%M")},
        ),
        _input("pm_lead", "PM lead", leads["pm_lead"], optional=True),
        _input("ds_lead", "DS lead", leads["ds_lead"], optional=True),
        _input(
            "phase",
            "Current phase",
            {
                "type": "static_select",
                "options": options,
                "initial_option": _option(phase.label, phase.value),
            },
        ),
        *_calendar_inputs(project),
        context(
            "The leads record go / no-go / iterate / sunset; with no lead set, anyone in the "
            "channel can. Sprint reviews go out at each sprint start during Model iteration."
        ),
    ]
    return {
        "type": "modal",
        "callback_id": SETUP_CALLBACK,
        "private_metadata": json.dumps(
            {"project_id": project.id if project else None, "channel_id": channel_id}
        ),
        "title": {"type": "plain_text", "text": "Gate set-up"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _calendar_inputs(project: Project | None) -> list[Block]:
    """The days off and the stand-ins: whose holidays, which weekdays, who covers for a lead."""
    region = region_code(project.holiday_country, project.holiday_subdivision) if project else None
    working = project.working_days if project else list(range(5))
    days = [_option(name, str(day)) for day, name in enumerate(WEEKDAY_NAMES)]
    standins = list(project.standins) if project else []
    return [
        _input(
            "holidays",
            "Public holidays of",
            {
                "type": "plain_text_input",
                "max_length": 16,
                "placeholder": {"type": "plain_text", "text": "e.g. GB, US-CA or DE-BY"},
            }
            | ({"initial_value": region} if region else {}),
            optional=True,
        ),
        _input(
            "working_days",
            "Working days",
            {
                "type": "checkboxes",
                "options": days,
                "initial_options": [days[day] for day in sorted(set(working)) if 0 <= day <= 6],
            },
        ),
        _input(
            "standins",
            "Stand-ins when a lead is away",
            {"type": "multi_users_select", "max_selected_items": MAX_STANDINS}
            | ({"initial_users": standins} if standins else {}),
            optional=True,
        ),
        context(
            "A prompt due on a public holiday or a day the team does not work goes out on the "
            "next working day, and says so. Stand-ins are mentioned, in order, when a lead's "
            "Slack status says they are away."
        ),
    ]


def read_setup(state_values: dict[str, dict[str, dict[str, Any]]]) -> SetupForm:
    """Read the set-up modal's submitted state (missing inputs read as empty)."""

    def value(block_id: str, key: str) -> str:
        element = state_values.get(block_id, {}).get(block_id, {})
        found = element.get(key)
        if isinstance(found, dict):  # static_select's selected_option
            found = found.get("value")
        return str(found or "")

    def picked(block_id: str, key: str) -> list[Any]:
        found = state_values.get(block_id, {}).get(block_id, {}).get(key)
        return list(found) if isinstance(found, list) else []

    tz = next((b for b in TIMEZONE_BLOCKS if b in state_values), TIMEZONE_BLOCKS[0])
    return SetupForm(
        name=value("name", "value"),
        channel=value("channel", "selected_conversation"),
        sprint_length=value("sprint_length", "value"),
        sprint_start=value("sprint_start", "selected_date"),
        timezone=value(tz, "value"),
        prompt_time=value("prompt_time", "selected_time"),
        pm_lead=value("pm_lead", "selected_user"),
        ds_lead=value("ds_lead", "selected_user"),
        phase=value("phase", "selected_option"),
        holidays=value("holidays", "value"),
        # Absent only from a view older than these inputs: keep the default weekdays.
        working_days=(
            tuple(str(o.get("value", "")) for o in picked("working_days", "selected_options"))
            if "working_days" in state_values
            else SetupForm().working_days
        ),
        standins=tuple(str(user) for user in picked("standins", "selected_users")),
    )


def setup_block_errors(
    errors: dict[str, str],
    *,
    state_values: dict[str, Any],
    blocks: list[dict[str, Any]] | None = None,
) -> dict[str, str]:
    """Return `errors` keyed by the modal's block ids (the time zone box has two).

    The submitted view's `blocks` decide which box it had: Slack refuses an errors answer
    naming a block the modal does not have, even when the box sent no state.
    """
    shown = {block.get("block_id") for block in blocks or []} | set(state_values)
    tz = next((b for b in TIMEZONE_BLOCKS if b in shown), TIMEZONE_BLOCKS[0])
    return {(tz if field == "timezone" else field): message for field, message in errors.items()}


def read_setup_metadata(private_metadata: str) -> tuple[int | None, str]:
    """Return (project id being edited, channel the modal was opened in)."""
    data = json.loads(private_metadata or "{}")
    project_id = data.get("project_id")
    return (int(project_id) if project_id is not None else None), str(data.get("channel_id", ""))


def setup_notice(*, project: Project, user_id: str, created: bool, changed: tuple[str, ...]) -> str:
    """Return the channel's notice of a set-up or an edit."""
    phase = Phase(project.phase)
    return render(
        "gate_setup_done.j2",
        created=created,
        changed=", ".join(dict.fromkeys(_SETTING_WORDS.get(c, c) for c in changed)),
        user=user_id,
        name=project.name,
        sprint_length=project.sprint_length_days,
        sprint_start=project.sprint_start.strftime("%a %-d %b %Y"),
        prompt_time=project.prompt_time.strftime("%H:%M"),
        timezone=project.timezone,
        paused=project.paused,
        phase=phase.label,
        gate=phase_gate(phase).label,
        pm_lead=project.pm_lead,
        ds_lead=project.ds_lead,
        days_off=days_off_words(project),
    )


def days_off_words(project: Project) -> str:
    """Return the team's regular days off, e.g. "Saturday and Sunday, and GB public holidays"."""
    off = [day for day in range(7) if day not in set(project.working_days)]
    weekdays = " and ".join(WEEKDAY_NAMES[day] for day in off) if len(off) <= 2 else None
    if weekdays is None:
        weekdays = f"every day but {working_days_words(project.working_days)}"
    region = region_code(project.holiday_country, project.holiday_subdivision)
    holidays = f"{region} public holidays" if region else "no public holidays (none set)"
    return f"{weekdays or 'no weekday'}, and {holidays}"
