"""Block builders for /gate: pure functions, checked against Slack's own models and limits."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.gates import Decision, GateKind, Occurrence, gate_for
from bot.gates.answers import AnswerForm, Nudge, Review
from bot.gates.blocks.answers import answer_modal, nudge_message, read_answer_modal
from bot.gates.blocks.decision import (
    MAX_REASON_LENGTH,
    decision_errors,
    decision_message,
    decision_modal,
    read_decision_modal,
)
from bot.gates.blocks.setup import (
    read_setup,
    read_setup_metadata,
    setup_block_errors,
    setup_modal,
    setup_notice,
)
from bot.gates.blocks.status import help_text, history_message, pause_note, status_message
from bot.gates.blocks.summary import SHOW_ANSWERS, all_answers_modal, summary_message
from bot.gates.decisions import Decided
from bot.gates.status import ProjectStatus, ReviewLine, ReviewPage
from bot.slack.mrkdwn import chunks, escape
from bot.slack.packing import MODAL, fits, texts
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus
from prompts import template_names

HOSTILE = "<!channel> & <@U0BOSS>"
WHEN = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def _project(**changes: object) -> Project:
    fields = {
        "id": 3,
        "workspace_id": 1,
        "name": "Search ranking",
        "channel_id": "C0TEAM",
        "sprint_length_days": 14,
        "sprint_start": date(2026, 3, 2),
        "timezone": "America/New_York",
        "prompt_time": time(9, 30),
        "pm_lead": "U0PM",
        "ds_lead": "U0DS",
        "phase": "iteration",
    }
    return Project(**(fields | changes))


def _review(kind: GateKind = GateKind.SPRINT_REVIEW, **changes: object) -> Review:
    fields = {
        "id": 7,
        "project_id": 3,
        "gate_kind": kind.value,
        "occurrence_key": "now-1",
        "sprint_number": 2,
        "due_at": WHEN,
        "posted_at": WHEN,
        "status": ReviewStatus.POSTED,
        "message_ts": "1.1",
    }
    row = GateReview(**(fields | changes))
    gate = gate_for(kind, context={"project": HOSTILE, "sprint": 2})
    return Review(review=row, project=_project(name=HOSTILE), gate=gate)


def _parses(blocks: list[dict]) -> None:
    assert fits(blocks)  # 50 blocks, 3,000 a section, 12,000 characters in all
    for block in blocks:
        Block.parse(block).validate_json()  # type: ignore[union-attr]


def _shown(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_a_new_setup_modal_waits_for_the_time_zone_then_prefills_it():
    pending = setup_modal(channel_id="C0TEAM", project=None, timezone=None, today=date(2026, 3, 12))
    filled = setup_modal(
        channel_id="C0TEAM", project=None, timezone="Asia/Kolkata", today=date(2026, 3, 12)
    )

    View(**pending).validate_json()
    View(**filled).validate_json()
    ids = [b.get("block_id") for b in filled["blocks"] if b["type"] == "input"]
    assert ids == [
        "name",
        "channel",
        "sprint_length",
        "sprint_start",
        "timezone",
        "prompt_time",
        "pm_lead",
        "ds_lead",
        "phase",
        "holidays",
        "working_days",
        "standins",
    ]
    assert "timezone_pending" in [b.get("block_id") for b in pending["blocks"]]
    inputs = {b["block_id"]: b["element"] for b in filled["blocks"] if b["type"] == "input"}
    assert inputs["timezone"]["initial_value"] == "Asia/Kolkata"
    assert inputs["sprint_start"]["initial_date"] == "2026-03-09"  # this week's Monday
    assert inputs["channel"]["initial_conversation"] == "C0TEAM"
    assert "initial_value" not in inputs["holidays"] and "initial_users" not in inputs["standins"]
    assert [o["value"] for o in inputs["working_days"]["initial_options"]] == list("01234")
    assert read_setup_metadata(filled["private_metadata"]) == (None, "C0TEAM")


def test_editing_prefills_the_days_off_and_the_stand_ins_and_reads_them_back():
    project = _project(
        holiday_country="US",
        holiday_subdivision="CA",
        working_days=[6, 0, 1, 2, 3],
        standins=["U0SAM", "U0KIM"],
    )
    view = setup_modal(channel_id="C0TEAM", project=project, timezone=None, today=date(2026, 3, 12))
    View(**view).validate_json()
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}

    assert inputs["holidays"]["initial_value"] == "US-CA"
    ticked = inputs["working_days"]["initial_options"]
    assert [o["text"]["text"] for o in ticked] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Sunday"
    ]  # fmt: skip
    assert inputs["standins"]["initial_users"] == ["U0SAM", "U0KIM"]
    state = {
        "holidays": {"holidays": {"type": "plain_text_input", "value": "us-ca"}},
        "working_days": {"working_days": {"type": "checkboxes", "selected_options": ticked}},
        "standins": {
            "standins": {"type": "multi_users_select", "selected_users": ["U0KIM", "U0SAM"]}
        },
    }
    form = read_setup(state)
    assert (form.holidays, form.working_days, form.standins) == (
        "us-ca",
        ("0", "1", "2", "3", "6"),
        ("U0KIM", "U0SAM"),
    )
    assert read_setup({}).working_days == ("0", "1", "2", "3", "4")  # a view from before


def test_editing_prefills_every_setting():
    view = setup_modal(
        channel_id="C0ELSE", project=_project(), timezone=None, today=date(2026, 3, 12)
    )

    View(**view).validate_json()
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["name"]["initial_value"] == "Search ranking"
    assert inputs["channel"]["initial_conversation"] == "C0TEAM"
    assert inputs["sprint_length"]["initial_value"] == "14"
    assert inputs["timezone"]["initial_value"] == "America/New_York"
    assert inputs["prompt_time"]["initial_time"] == "09:30"
    assert (inputs["pm_lead"]["initial_user"], inputs["ds_lead"]["initial_user"]) == (
        "U0PM",
        "U0DS",
    )
    assert inputs["phase"]["initial_option"]["value"] == "iteration"
    assert read_setup_metadata(view["private_metadata"]) == (3, "C0ELSE")


def test_reading_the_setup_state_and_mapping_errors_to_the_time_zone_box_shown():
    state = {
        "name": {"name": {"type": "plain_text_input", "value": "Churn"}},
        "timezone_pending": {"timezone_pending": {"type": "plain_text_input", "value": "UTC"}},
        "phase": {"phase": {"type": "static_select", "selected_option": {"value": "pilot"}}},
        "pm_lead": {"pm_lead": {"type": "users_select", "selected_user": None}},
    }

    form = read_setup(state)

    assert (form.name, form.timezone, form.phase, form.pm_lead, form.channel) == (
        "Churn",
        "UTC",
        "pilot",
        "",
        "",
    )
    assert setup_block_errors({"timezone": "bad", "name": "x"}, state_values=state) == {
        "timezone_pending": "bad",
        "name": "x",
    }


def test_the_setup_notice_escapes_the_name_and_lists_changes():
    text = setup_notice(
        project=_project(name=HOSTILE),
        user_id="U0PM",
        created=False,
        changed=("sprint_length_days", "pm_lead"),
    )

    assert "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in text and "<!channel>" not in text
    assert "updated the gate set-up" in text and "sprint length, PM lead" in text


def test_the_setup_notice_names_the_days_off_once_per_setting():
    text = setup_notice(
        project=_project(holiday_country="GB", holiday_subdivision="SCT", working_days=[0, 1, 2]),
        user_id="U0PM",
        created=False,
        changed=("holiday_country", "holiday_subdivision", "working_days"),
    )

    assert "updated the gate set-up of *Search ranking*: public holidays, working days." in text
    assert "Days off: every day but Monday to Wednesday, and GB-SCT public holidays." in text


def test_status_shows_the_next_prompt_the_leads_the_reviews_and_the_last_error():
    project = _project(name=HOSTILE, last_error=f"Slack said {HOSTILE}", last_error_at=WHEN)
    line = ReviewLine(review=_review().review, answers=3, people=2)
    status = ProjectStatus(
        project=project,
        sprint=1,
        sprint_day=9,
        next_prompt=Occurrence(
            number=2, at=datetime(2026, 3, 16, 13, 30, tzinfo=UTC).astimezone(_tz())
        ),
        open_reviews=[line],
    )

    blocks = status_message(status)

    _parses(blocks)
    shown = _shown(blocks)
    assert "*Sprint 1*, day 9 of 14" in shown
    at = int(datetime(2026, 3, 16, 13, 30, tzinfo=UTC).timestamp())
    assert (
        f"Sprint 2 boundary review on <!date^{at}^{{date_short_pretty}} {{time}}"
        "|Mon 16 Mar 2026, 09:30 (America/New_York)>"
    ) in shown
    assert "3 answers from 2 people" in shown
    assert "|Tue 10 Mar 2026, 13:00 (America/New_York)>): Slack said &lt;!channel&gt;" in shown
    assert "<!channel>" not in shown.replace(
        "Gate reviews: <!channel>", ""
    )  # only the plain header


def _tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/New_York")


def test_a_history_page_escapes_reasons_fits_and_says_how_many_more():
    decided = _review(
        decision="no_go",
        decision_reason=HOSTILE + " " + "because " * 400,
        decided_by="U0PM",
        decided_at=WHEN,
        status=ReviewStatus.DECIDED,
    )
    lines = [ReviewLine(review=decided.review, answers=1, people=1)] * 20

    blocks = history_message(ReviewPage(project=_project(), lines=lines, offset=0, total=45))

    _parses(blocks)
    shown = _shown(blocks)
    assert (
        "*No-go* by <@U0PM>" in shown and "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    )
    assert "1–20 of 45 past reviews · 25 more" in "\n".join(texts(blocks))
    [next_page] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert next_page["text"]["text"] == "Next 20 →" and next_page["value"] == "20"
    empty = ReviewPage(project=_project(), lines=[], offset=0, total=0)
    assert "No gate reviews yet" in _shown(history_message(empty))


def test_status_with_more_open_reviews_than_it_shows_counts_them_and_offers_them_all():
    line = ReviewLine(review=_review().review, answers=0, people=0)
    status = ProjectStatus(
        project=_project(),
        sprint=2,
        sprint_day=3,
        next_prompt=None,
        open_reviews=[line] * 10,
        open_total=14,
    )

    blocks = status_message(status)

    _parses(blocks)
    assert "…and 4 more open reviews" in "\n".join(texts(blocks))
    [show] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert show["text"]["text"] == "Show all 14 open reviews" and show["value"] == "0"


@pytest.mark.parametrize("kind", list(GateKind))
def test_every_gate_makes_a_valid_answer_modal(kind):
    review = _review(kind)
    form = AnswerForm(
        review=review, texts={review.gate.questions[0].key: "earlier"}, numbers={"baseline": "0.3"}
    )

    view = answer_modal(form)

    View(**view).validate_json()
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [q.key for q in review.gate.questions] + [
        n.key for n in review.gate.inputs
    ]
    assert inputs[0]["element"]["initial_value"] == "earlier"
    assert json.loads(view["private_metadata"])["had_answers"] is True


def test_an_overridden_question_is_shown_as_typed_and_long_ones_fit():
    project = _project()
    gate = gate_for(
        GateKind.ESCAPE,
        context={"project": "P", "sprint": 1},
        overrides={"decider": "Who <decides> & when? " + "x" * 2500},
    )
    review = Review(review=_review(GateKind.ESCAPE).review, project=project, gate=gate)

    view = answer_modal(AnswerForm(review=review, texts={}, numbers={}))

    View(**view).validate_json()
    label = next(b for b in view["blocks"] if b.get("block_id") == "decider")["label"]["text"]
    assert label.startswith("Who <decides> & when?") and len(label) <= 2000


def test_reading_the_answer_modal_splits_texts_and_numbers():
    metadata = {"review_id": 7, "claims": ["mde"], "required": ["baseline"], "had_answers": False}
    view = {
        "private_metadata": json.dumps(metadata),
        "state": {
            "values": {
                "mde": {"mde": {"type": "plain_text_input", "value": "+2%"}},
                "guardrails": {"guardrails": {"type": "plain_text_input", "value": None}},
                "baseline": {"baseline": {"type": "number_input", "value": "0.3"}},
            }
        },
    }

    submitted = read_answer_modal(view)

    assert (submitted.review_id, submitted.claims, submitted.required) == (7, ["mde"], ["baseline"])
    assert submitted.texts == {"mde": "+2%", "guardrails": ""}
    assert submitted.numbers == {"baseline": "0.3"}
    assert not submitted.had_answers and not submitted.empty


def test_the_nudge_escapes_the_answer_and_the_rewrite_and_offers_an_edit():
    nudge = Nudge(
        question="What assumption?",
        answer=HOSTILE,
        explanation="No <outcome>.",
        missing=["outcome metric"],
        rewrite=f"We believe {HOSTILE}",
    )

    blocks = nudge_message(review=_review(), nudges=[nudge])

    _parses(blocks)
    shown = _shown(blocks)
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown and "<@U0BOSS>" not in shown
    assert "*Missing:* outcome metric" in shown and "your answer is kept" in shown
    assert blocks[-1]["elements"][0]["action_id"] == "gate_answer"


def _answer(key: str, user: str, text: str, **changes: object) -> GateAnswer:
    return GateAnswer(
        review_id=7,
        question_key=key,
        user_id=user,
        text=text,
        created_at=WHEN,
        updated_at=WHEN,
        **changes,
    )


def test_the_summary_groups_answers_by_question_escaped_and_clipped():
    review = _review(
        GateKind.EVALUATION,
        inputs={"plan": {"summary": "≈92,100 users per arm"}},
        decision="go",
        decided_by="U0PM",
        decision_reason=HOSTILE,
    )
    given = [
        _answer(
            "mde", "U1", HOSTILE, vague=True, missing=["population", "magnitude or decision rule"]
        ),
        _answer("mde", "U2", "y" * 5000),
        _answer("guardrails", "U1", "Latency stays under 200 ms"),
    ]

    blocks = summary_message(review=review, answers=given)

    _parses(blocks)
    shown = _shown(blocks)
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert "vague: missing magnitude or decision rule" in shown
    assert "y" * 600 not in shown and "y" * 500 in shown
    assert "≈92,100 users per arm" in shown and "Decision: Go* by <@U0PM>" in shown
    assert "Not answered yet" in shown and "3 answers from 2 people" in shown


def test_the_summary_of_thirty_people_fits_one_message_and_says_how_to_see_the_rest():
    review = _review(decision="go", decided_by="U0PM", decision_reason="r" * 5000)
    questions = review.gate.questions
    given = [
        _answer(q.key, f"U{n:02d}", f"answer {n:02d} " + "z" * 580)
        for q in questions
        for n in range(30)
    ]

    blocks = summary_message(review=review, answers=given)

    _parses(blocks)
    shown = "\n".join(texts(blocks))
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == len(questions)
    for number, show in enumerate(buttons, start=1):
        assert show["action_id"] == SHOW_ANSWERS and show["value"] == f"7:{number}:0"
        assert show["text"]["text"] == "Show all 30 answers"
        section = next(t for t in texts(blocks) if t.startswith(f"*{number}. "))
        listed = section.count("<@U")
        [left] = re.findall(r"_…and (\d+) more answers to this question_", section)
        assert listed + int(left) == 30 and listed > 0
    assert f"{30 * len(questions)} answers from 30 people" in shown
    assert "Decision: Go* by <@U0PM>" in shown and shown.count("r") < 3000


def test_all_answers_to_a_question_are_shown_a_page_at_a_time():
    review = _review()
    key = review.gate.questions[0].key
    given = [_answer(key, f"U{n:03d}", f"answer {n:03d} " + "w" * 2000) for n in range(30)]

    seen, page = [], 0
    while True:
        view = all_answers_modal(review=review, number=1, answers=given, page=page)
        View(**view).validate_json()
        assert fits(view["blocks"], MODAL)
        shown = "\n".join(texts(view["blocks"]))
        seen += re.findall(r"answer (\d{3})", shown)
        moves = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
        following = [m for m in moves if m["text"]["text"].startswith("Next")]
        if not following:
            break
        left = 30 - len(seen)
        assert following[0]["text"]["text"] == f"Next ({left} more)"
        assert re.search(rf"Answers \d+–{len(seen)} of 30", shown)
        page = int(following[0]["value"].split(":")[2])
    assert seen == [f"{n:03d}" for n in range(30)] and page > 0


def test_the_decision_modal_prefills_a_decision_being_revised():
    view = decision_modal(_review(decision="go", decided_by="U0PM"))

    View(**view).validate_json()
    assert view["blocks"][1]["element"]["initial_option"]["value"] == "go"
    state = {
        "private_metadata": view["private_metadata"],
        "state": {
            "values": {
                "decision": {"decision": {"selected_option": {"value": "sunset"}}},
                "reason": {"reason": {"value": "Retire it"}},
            }
        },
    }
    assert read_decision_modal(state) == (7, "sunset", "Retire it")
    assert set(decision_errors(decision="", reason=" ")) == {"decision", "reason"}
    assert decision_errors(decision="go", reason="x" * 2001)["reason"].startswith(
        "Keep it under 2000"
    )


def test_the_decision_post_escapes_the_reason_and_names_a_change():
    review = _review(decision_reason=f"Because {HOSTILE}\nand more")
    decided = Decided(review=review, decision=Decision.NO_GO, previous=Decision.GO)

    blocks = decision_message(decided=decided, user_id="U0DS")

    _parses(blocks)
    shown = _shown(blocks)
    assert "changed the decision on the Sprint 2 boundary review from *Go* to *No-go*" in shown
    assert "> Because &lt;!channel&gt;" in shown and "> and more" in shown


def test_help_escapes_an_unknown_word_and_notes_are_plain():
    assert "I don't know `&lt;!here&gt;`" in help_text(unknown="<!here>")
    assert "already paused" in pause_note(
        project=_project(), user_id="U1", paused=True, changed=False
    )


def test_every_gate_template_of_this_feature_is_rendered_by_a_test():
    mine = {n for n in template_names() if n.startswith("gate_")} - {
        "gate_prompt.j2",
        "gate_reminder.j2",
    }

    assert mine == {
        "gate_decision.j2",
        "gate_help.j2",
        "gate_not_lead.j2",
        "gate_nudge.j2",
        "gate_setup_done.j2",
        "gate_status.j2",
    }


def test_a_reason_at_its_cap_is_posted_whole_escaped_once_within_one_message():
    reason = ("R&D <says> " * 200)[: MAX_REASON_LENGTH - 4] + " end"
    review = _review(decision_reason=reason)
    decided = Decided(review=review, decision=Decision.ITERATE, previous=None)

    blocks = decision_message(decided=decided, user_id="U0DS")

    _parses(blocks)
    assert len(blocks) > 1  # one section could not hold it: it goes on, not cut
    shown = "".join(texts(blocks))
    assert "…" not in shown and shown.rstrip().endswith(" end")
    assert shown.count("R&amp;D &lt;says&gt;") == reason.count("R&D <says>")


def test_chunks_split_at_spaces_and_never_inside_an_entity():
    text = escape("a&b " * 1000)

    pieces = chunks(text, 3000)

    assert "".join(pieces) == text and all(len(p) <= 3000 for p in pieces)
    assert all(p.endswith(" ") or p == pieces[-1] for p in pieces)
