"""The gate prompt and its reminder, as the channel sees them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.gates import GateKind, gate_for
from bot.gates.blocks.prompt import (
    ANSWER,
    DECIDE,
    leads,
    prompt_message,
    prompt_text,
    reminder_message,
    reminder_text,
)
from db.models.gates import GateReview, Project

DUE = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # 09:30 in Berlin


def project(**fields: object) -> Project:
    values: dict[str, object] = {
        "id": 3,
        "workspace_id": 1,
        "name": "Search ranking",
        "channel_id": "C1",
        "sprint_start": date(2026, 3, 2),
        "timezone": "Europe/Berlin",
        "prompt_time": time(9, 30),
        "pm_lead": "UPM",
        "ds_lead": "UDS",
        "phase": "iteration",
    }
    return Project(**(values | fields))


def review(**fields: object) -> GateReview:
    values: dict[str, object] = {
        "id": 42,
        "project_id": 3,
        "gate_kind": "sprint_review",
        "occurrence_key": "sprint-2026-03-02",
        "sprint_number": 7,
        "due_at": DUE,
        "posted_at": DUE + timedelta(seconds=20),
    }
    return GateReview(**(values | fields))


def sprint_gate(name: str = "Search ranking", overrides: dict[str, str] | None = None):
    return gate_for(
        GateKind.SPRINT_REVIEW, context={"project": name, "sprint": 7}, overrides=overrides
    )


def texts(blocks: list[dict]) -> str:
    """Return what people read in `blocks`: sections and context lines."""
    found = []
    for block in blocks:
        if block["type"] == "section":
            found.append(block["text"]["text"])
        elif block["type"] == "context":
            found += [element["text"] for element in block["elements"]]
    return "\n".join(found)


def test_the_prompt_names_the_gate_the_sprint_the_leads_and_asks_every_question():
    blocks = prompt_message(project=project(), review=review(), gate=sprint_gate())
    text = texts(blocks)

    assert "*Sprint 7 boundary review: Search ranking*" in text
    assert "\nLeads: <@UPM> (PM), <@UDS> (DS)" in text
    for number, question in enumerate(sprint_gate().questions, start=1):
        assert f"{number}. *{question.prompt}*" in text
    assert "1. *What assumption are we testing this sprint?*" in text
    assert "posted late" not in text
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        (ANSWER, "42"),
        (DECIDE, "42"),
    ]
    assert [e["text"]["text"] for e in actions["elements"]] == ["Answer", "Record decision"]


def test_a_late_prompt_says_when_it_was_due_in_the_teams_time():
    late = review(posted_at=DUE + timedelta(hours=3))
    next_day = review(posted_at=DUE + timedelta(hours=20))

    assert "(posted late: the clock was down at 09:30)" in texts(
        prompt_message(project=project(), review=late, gate=sprint_gate())
    )
    assert "(posted late: the clock was down at 09:30 on Mon 2 Mar)" in texts(
        prompt_message(project=project(), review=next_day, gate=sprint_gate())
    )


def test_untrusted_names_and_overrides_cannot_mention_anyone():
    gate = sprint_gate(
        name="<!channel> & co", overrides={"assumption": "What do <@U999> and <!here> test?"}
    )
    crafted = project(name="<!channel> & co", pm_lead="<!channel>", ds_lead="UDS")

    text = texts(prompt_message(project=crafted, review=review(), gate=gate))

    assert "<!channel>" not in text and "<!here>" not in text and "<@U999>" not in text
    assert "&lt;!channel&gt; &amp; co" in text
    assert "What do &lt;@U999&gt; and &lt;!here&gt; test?" in text
    assert leads(crafted) == "<@UDS> (DS)"


def test_one_person_leading_both_roles_is_mentioned_once():
    both = project(pm_lead="U1", ds_lead="U1")

    assert leads(both) == "<@U1> (PM + DS)"
    assert reminder_text(project=both, review=review()).count("<@U1>") == 1


def test_without_leads_the_prompt_says_how_to_name_them():
    text = texts(
        prompt_message(
            project=project(pm_lead=None, ds_lead=None), review=review(), gate=sprint_gate()
        )
    )

    assert "No leads set yet: `/gate setup` names the PM and DS leads." in text


def test_the_evaluation_gate_prompt_lists_the_numbers_the_form_asks_for():
    gate = gate_for(GateKind.EVALUATION, context={"project": "Search ranking", "sprint": 11})
    evaluation = review(gate_kind="evaluation", occurrence_key="phase-evaluation")

    text = texts(prompt_message(project=project(), review=evaluation, gate=gate))

    assert "*Evaluation design: Search ranking*" in text
    assert "Sprint 7 · Leads: <@UPM> (PM), <@UDS> (DS)" in text  # when it was asked
    assert "The answer form also asks for the numbers: Baseline" in text


def test_the_notification_text_names_the_gate_and_the_leads():
    assert prompt_text(project=project(), review=review(), gate=sprint_gate()) == (
        "Sprint 7 boundary review: Search ranking: <@UPM> <@UDS>"
    )


def test_the_reminder_mentions_the_leads_and_offers_the_answer_button():
    blocks = reminder_message(project=project(), review=review())

    assert texts(blocks).startswith(
        ":alarm_clock: <@UPM> <@UDS>: nobody has answered the Sprint boundary review "
        "for sprint 7 yet."
    )
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [(ANSWER, "42")]
