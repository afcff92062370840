"""Every template in prompts/ renders, and a missing variable is an error, never a blank."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from jinja2 import UndefinedError

from bot.falsifiability.verdict import REQUIRED_ELEMENTS, Element, VagueFamily
from prompts import render, template_names

NUDGE = SimpleNamespace(
    question="What result would prove it wrong?",
    answer="<!channel> it works",
    explanation="No magnitude.",
    missing=["magnitude or decision rule"],
    rewrite="We believe …",
)
ESCAPE = {
    "title": "relevance_rating",
    "versus": "at 0.70 is below its rollback trigger of 0.72",
    "day": "2026-03-02",
    "owner": "<@U0DS>",
    "decides": "<@U0PM>",
}

# One sample context per template; a new template without one fails the first test below.
# The first key of each is a variable the template uses on every path.
SAMPLES: dict[str, dict[str, object]] = {
    "hypothesis_help.j2": {"unknown": "lsit"},
    "dm_help.j2": {},  # the same words for everyone: no variable
    "metric_help.j2": {"unknown": None},
    "digest_help.j2": {"unknown": "<!here>"},
    "falsifiability_user.j2": {"statement": "Reduce churn."},
    "falsifiability_system.j2": {
        "elements": list(Element),
        "required": REQUIRED_ELEMENTS,
        "families": list(VagueFamily),
        "output_family": VagueFamily.OUTPUT_NOT_OUTCOME,
        "shape": "We believe [change] will cause [behaviour change] …",
    },
    "gate_decision.j2": {
        "user": "U0PM",
        "review": "Sprint review",
        "decision": "Go",
        "previous": None,
        "reason": ">the lift held",
    },
    "gate_nudge.j2": {"nudges": [NUDGE]},
    "gate_help.j2": {
        "gates": "sprint_review, framing",
        "phases": "framing, pilot",
        "unknown": None,
    },
    "gate_prompt.j2": {
        "title": "Sprint boundary review",
        "purpose": "Test one assumption.",
        "sprint": 3,
        "leads": "<@U0PM>",
        "late": None,
        "moved": "Moved from Fri 25 Dec to Tue 29 Dec, the next working day: …",
        "questions": [SimpleNamespace(prompt="What?")],
        "inputs": [],
    },
    "gate_reminder.j2": {
        "mentions": "<@U0PM>",
        "away": "Priya is away (:palm_tree: Vacationing), so <@U0PM> stands in.",
        "label": "sprint review",
        "sprint": 3,
    },
    "away_note.j2": {
        "away": [{"name": "Priya", "status": ":palm_tree: Vacationing"}],
        "standin": "<@U0DS>",
        "standins_set": True,
    },
    "gate_setup_done.j2": {
        "created": True,
        "changed": "",
        "user": "U0PM",
        "name": "Search <relevance>",
        "sprint_length": 14,
        "sprint_start": "2026-03-02",
        "prompt_time": "09:30",
        "timezone": "Europe/Berlin",
        "paused": False,
        "phase": "Model iteration",
        "gate": "Sprint boundary review",
        "pm_lead": "U0PM",
        "ds_lead": None,
        "days_off": "Saturday and Sunday",
    },
    "gate_status.j2": {
        "phase": "Model iteration",
        "sprint": 3,
        "sprint_day": 4,
        "sprint_length": 14,
        "first_sprint": None,
        "pm_lead": "U0PM",
        "ds_lead": "U0DS",
        "paused": False,
        "next_title": "Sprint boundary review",
        "next_at": "Mon 16 Mar 09:30",
        "timezone": "Europe/Berlin",
        "moved": None,
        "days_off": "Saturday and Sunday, and DE-BE public holidays",
        "skipped": "Fri 25 Dec 2026 by <@U0PM>",
        "more_skipped": 2,
    },
    "gate_not_lead.j2": {"project": "Search", "pm_lead": "U0PM", "ds_lead": "U0DS"},
    "escape_breach.j2": {
        **ESCAPE,
        "side": "below",
        "periods": 2,
        "streak": "2 days",
        "trend": "falling",
        "clear": "",
    },
    "escape_recovered.j2": {
        **ESCAPE,
        "back": "2026-03-04",
        "lasted": "2 days",
        "since": "2026-03-02",
    },
    "digest_compact.j2": {"changed": True, "compact": True, "project": "Search", "user_id": "U0PM"},
    "digest.j2": {
        "part": "metric",
        "m": {
            "icon": ":red_circle:",
            "name": "relevance_rating",
            "value": "0.70",
            "change": "−0.10 (−12.5%)",
            "spark": "█▇▇▆▅▄▃▂▁▁▁▁",
            "state": "*breach*: below 0.72 for 3 days",
            "anomaly": "−6.1",
            "owner": "<@U0DS>",
        },
    },
    **{
        f"gates/{kind}.j2": {"project": "Search", "sprint": 3}
        for kind in (
            "data_readiness",
            "escape",
            "evaluation",
            "framing",
            "rollout",
            "sprint_review",
        )
    },
}


def test_every_template_has_a_sample_context():
    assert sorted(SAMPLES) == template_names()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_template_renders(name: str):
    text = render(name, **SAMPLES[name])

    assert text.strip()
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("name", [n for n in sorted(SAMPLES) if SAMPLES[n]])
def test_a_missing_variable_is_an_error(name: str):
    context = dict(SAMPLES[name])
    context.pop(next(iter(context)))  # each sample lists first a variable every branch uses

    with pytest.raises(UndefinedError):
        render(name, **context)


def test_user_text_through_the_mrkdwn_filter_is_escaped():
    text = render("digest_help.j2", unknown="<!here> & <@U1>")

    assert "&lt;!here&gt; &amp; &lt;@U1&gt;" in text
    assert "<!here>" not in text
