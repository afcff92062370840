"""Whatever a modal submits: a save, or `response_action: errors` naming each bad field in
words; never a 500, never an empty 200 that drops what was typed, and a refusal stores nothing."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.demo.standin.slack_requests import Reply
from bot.gates import GateKind, question_keys
from bot.gates.blocks.prompt import ANSWER
from bot.gates.blocks.setup import TIMEZONE_BLOCKS, setup_modal
from bot.hypotheses.blocks import modal as hypothesis_modal
from bot.hypotheses.form import MAX_FIELD_LENGTH, REQUIRED_FIELDS, Direction, HypothesisFields
from db.models import Hypothesis
from db.models.gates import GateAnswer, GateReview, Project
from tests.metric_helpers import make_project
from tests.properties.checks import assert_readable
from tests.properties.conftest import QuietApp
from tests.properties.strategies import NASTY, PROPERTY, huge_text, odd_value

_views = itertools.count(1)
MISSING = object()  # the block is not in the submitted state at all


def _submit(app: QuietApp, view: dict[str, Any], state: dict[str, Any]) -> Reply:
    """Submit `view` with `state`; each submission is a modal of its own (its own view id)."""
    view = view | {"id": f"VPROP{next(_views)}"}
    reply = app.live.sender.submit_view(view, state)
    app.settle()
    assert reply.status == 200, reply.body
    assert reply.seconds < 3
    return reply


def _input_blocks(view: dict[str, Any]) -> set[str]:
    return {b["block_id"] for b in view["blocks"] if b.get("type") == "input"}


def _field_errors(reply: Reply, view: dict[str, Any]) -> dict[str, str] | None:
    """Return the inline errors of a refused submission (None when it was accepted)."""
    if not reply.body:
        return None
    answer = reply.json()
    assert answer.get("response_action") == "errors", answer
    errors = answer["errors"]
    assert errors, "an errors response must name at least one field"
    # Slack refuses the whole response when a key is not one of the modal's input blocks.
    assert set(errors) <= _input_blocks(view), (set(errors), _input_blocks(view))
    for message in errors.values():
        assert isinstance(message, str) and message.strip()
        assert_readable({"text": message, "mrkdwn": False}, typed="")
    return errors


def _state(values: dict[str, Any]) -> dict[str, Any]:
    """Return modal state from {block id: element state or MISSING}."""
    return {key: {key: value} for key, value in values.items() if value is not MISSING}


def _text_element(kind: str = "plain_text_input") -> st.SearchStrategy[Any]:
    value = st.one_of(st.sampled_from(NASTY), st.text(max_size=80), huge_text, odd_value)
    return st.one_of(
        st.just(MISSING),
        st.just({}),
        value.map(lambda v: {"type": kind, "value": v}),
    )


def _cleaned(value: object) -> str:
    """Return typed text as it is kept: white space collapsed, NUL characters dropped."""
    return " ".join(value.replace("\x00", "").split()) if isinstance(value, str) else ""


# --- the hypothesis form ------------------------------------------------------------------

_GOOD_FIELDS = {
    "change": "showing citations",
    "population": "logged-in users",
    "outcome_metric": "answer acceptance",
    "magnitude": "from 31% to 33%",
    "time_window": "4 weeks",
    "reason": "people trust sourced answers",
    "falsification": "acceptance rises by less than 1 point",
}


def _field(name: str) -> st.SearchStrategy[Any]:
    if name == "direction":
        option = st.one_of(
            st.sampled_from([d.value for d in Direction]).map(lambda v: {"value": v}),
            st.sampled_from(NASTY).map(lambda v: {"value": v}),
            odd_value,
        )
        return st.one_of(
            st.just(MISSING),
            option.map(lambda o: {"type": "static_select", "selected_option": o}),
        )
    good = st.just({"type": "plain_text_input", "value": _GOOD_FIELDS[name]})
    return st.one_of(good, good, _text_element())


_hypothesis_form = st.fixed_dictionaries({name: _field(name) for name in HypothesisFields.names()})


def _typed(element: Any) -> Any:
    if element is MISSING or not isinstance(element, dict):
        return MISSING
    if "selected_option" in element:
        option = element["selected_option"]
        return option.get("value", MISSING) if isinstance(option, dict) else option
    return element.get("value", MISSING)


def _hypotheses(app: QuietApp) -> list[Hypothesis]:
    with Session(app.live.engine) as session:
        return list(session.exec(select(Hypothesis).order_by(Hypothesis.id)))


@pytest.fixture
def app(quiet_app: Callable[..., QuietApp]) -> QuietApp:
    return quiet_app()


@PROPERTY
@given(form=_hypothesis_form)
@example(form={name: MISSING for name in HypothesisFields.names()})
@example(
    form={name: {"type": "plain_text_input", "value": "<!channel> 2%"} for name in _GOOD_FIELDS}
    | {"direction": {"type": "static_select", "selected_option": {"value": "increase"}}}
)
@example(
    form={name: {"type": "plain_text_input", "value": "\x00 3%"} for name in _GOOD_FIELDS}
    | {"direction": {"type": "static_select", "selected_option": {"value": "increase"}}}
)
def test_hypothesis_form_saves_or_names_each_bad_field(app: QuietApp, form: dict[str, Any]):
    view = hypothesis_modal(channel_id=app.live.sender.channel_id)
    before, posts = app.snapshot(), len(app.live.slack.calls("chat.postMessage"))

    reply = _submit(app, view, _state(form))

    typed = {name: _typed(element) for name, element in form.items()}
    errors = _field_errors(reply, view)
    if errors is not None:
        assert app.snapshot() == before, "a refused form stored something"
        for name in REQUIRED_FIELDS:
            if not _cleaned(typed[name]):
                assert name in errors, f"{name} is empty but not named: {errors}"
        for name, value in typed.items():
            if isinstance(value, str) and len(_cleaned(value)) > MAX_FIELD_LENGTH:
                assert name in errors, f"{name} is too long but not named: {errors}"
        return
    saved = _hypotheses(app)[-1]
    assert len(_hypotheses(app)) == len(before["hypotheses"]) + 1, "accepted, but nothing saved"
    for name, value in typed.items():
        if name != "direction" and _cleaned(value):
            assert _cleaned(value).rstrip(".") in saved.text, f"{name}={value!r} was dropped"
    for call in app.live.slack.calls("chat.postMessage")[posts:]:
        assert_readable(call.args, typed=" ".join(map(str, typed.values())))


# --- the gate set-up form -----------------------------------------------------------------

_GOOD_SETUP = {
    "name": {"type": "plain_text_input", "value": "Search ranking"},
    "channel": {"type": "conversations_select", "selected_conversation": "C0TEAM"},
    "sprint_length": {"type": "number_input", "value": "14"},
    "sprint_start": {"type": "datepicker", "selected_date": "2026-11-16"},
    "timezone": {"type": "plain_text_input", "value": "Europe/London"},
    "prompt_time": {"type": "timepicker", "selected_time": "09:30"},
    "pm_lead": {"type": "users_select", "selected_user": "U0PM"},
    "ds_lead": {"type": "users_select", "selected_user": "U0DS"},
    "phase": {"type": "static_select", "selected_option": {"value": "iteration"}},
}
_JUNK = st.one_of(st.sampled_from(NASTY), st.text(max_size=70), huge_text, odd_value)
_SETUP_JUNK = {
    "name": _JUNK,
    "channel": st.one_of(_JUNK, st.sampled_from(["C0OTHER", "c0team", "C", "D0DM"])),
    "sprint_length": st.one_of(
        _JUNK, st.sampled_from(["0", "91", "1", "90", "14.5", "1e2", "-3", "٣", "²", "9" * 30])
    ),
    "sprint_start": st.one_of(
        _JUNK, st.sampled_from(["2026-02-30", "0001-01-01", "9999-12-31", "2026-1-5", "20261116"])
    ),
    "timezone": st.one_of(
        _JUNK,
        st.sampled_from(
            ["UTC", "Asia/Kolkata", "America/St_Johns", "utc", "Etc/GMT+14", "a" * 300]
        ),
    ),
    "prompt_time": st.one_of(
        _JUNK, st.sampled_from(["24:00", "23:59", "9:30", "09:30:59", "09:30+02:00", "T0930"])
    ),
    "pm_lead": st.one_of(_JUNK, st.sampled_from(["U0OTHER", "W0LEAD", "u0pm", "<@U0PM>"])),
    "ds_lead": st.one_of(_JUNK, st.sampled_from(["U0OTHER", "", "B0BOT"])),
    "phase": st.one_of(_JUNK, st.sampled_from(["evaluation", "Model iteration", "rollout "])),
}
_SETUP_KEYS = {
    "name": "value",
    "channel": "selected_conversation",
    "sprint_length": "value",
    "sprint_start": "selected_date",
    "timezone": "value",
    "prompt_time": "selected_time",
    "pm_lead": "selected_user",
    "ds_lead": "selected_user",
    "phase": "selected_option",
}


def _setup_field(name: str) -> st.SearchStrategy[Any]:
    good = _GOOD_SETUP[name]
    key = _SETUP_KEYS[name]
    junk = _SETUP_JUNK[name]
    if name == "phase":
        junk = st.one_of(junk.map(lambda v: {"value": v}), junk)
    return st.one_of(
        st.just(good),
        st.just(good),
        st.just(good),
        st.just(MISSING),
        junk.map(lambda v: good | {key: v}),
    )


_setup_form = st.fixed_dictionaries({name: _setup_field(name) for name in _GOOD_SETUP})


def _projects(app: QuietApp) -> list[Project]:
    with Session(app.live.engine) as session:
        return list(session.exec(select(Project).order_by(Project.id)))


@PROPERTY
@given(form=_setup_form, edit=st.booleans(), pending_timezone=st.booleans())
@example(form=_GOOD_SETUP, edit=False, pending_timezone=False)
@example(form={k: MISSING for k in _GOOD_SETUP}, edit=True, pending_timezone=True)
@example(
    form=_GOOD_SETUP | {"name": {"type": "plain_text_input", "value": "<!channel> launch"}},
    edit=True,
    pending_timezone=False,
)
@example(
    form=_GOOD_SETUP | {"timezone": {"type": "plain_text_input", "value": "a" * 300}},
    edit=False,
    pending_timezone=False,
)
def test_gate_setup_saves_or_names_each_bad_field(
    app: QuietApp, form: dict[str, Any], edit: bool, pending_timezone: bool
):
    existing = _projects(app)
    project = existing[0] if edit and existing else None
    with Session(app.live.engine) as session:
        shown = session.get(Project, project.id) if project else None
        view = setup_modal(
            channel_id="C0TEAM",
            project=shown,
            timezone=None if pending_timezone else "Europe/London",
            today=date(2026, 11, 18),
        )
    tz_block = next(b for b in TIMEZONE_BLOCKS if b in _input_blocks(view))
    state = _state({(tz_block if k == "timezone" else k): v for k, v in form.items()})
    before, posts = app.snapshot(), len(app.live.slack.calls("chat.postMessage"))

    reply = _submit(app, view, state)

    errors = _field_errors(reply, view)
    typed = {k: v.get(_SETUP_KEYS[k]) if isinstance(v, dict) else None for k, v in form.items()}
    if errors is not None:
        assert app.snapshot() == before, "a refused set-up stored something"
        for name in ("name", "channel", "sprint_length", "sprint_start", "prompt_time", "phase"):
            if form[name] is MISSING:
                assert name in errors, f"{name} is missing but not named: {errors}"
        if form["timezone"] is MISSING:
            assert tz_block in errors, f"the time zone is missing but not named: {errors}"
        return
    saved = next(p for p in _projects(app) if p.channel_id == str(typed["channel"]).strip())
    assert saved.name == _cleaned(typed["name"]), "accepted, but the name was not kept"
    assert saved.sprint_length_days == int(str(typed["sprint_length"]))
    assert saved.sprint_start.isoformat() == str(typed["sprint_start"]).strip()
    assert saved.timezone == str(typed["timezone"]).strip()
    for call in app.live.slack.calls("chat.postMessage")[posts:]:
        assert_readable(call.args, typed=str(typed["name"]))


# --- a gate's answers ---------------------------------------------------------------------

_NUMBER_TEXT = st.one_of(
    st.sampled_from(["0.3", "0.02", "50000", "1e400", "nan", "-inf", "0", "-5", "1,000", "٣"]),
    st.sampled_from(NASTY),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(10**30), 10**30).map(str),
    odd_value,
)


# The evaluation gate: questions answered in words, and the power calculation's numbers.
QUESTIONS = question_keys(GateKind.EVALUATION)
NUMBERS = ("baseline", "mde_relative", "weekly_traffic", "sd")
_good_answer = {"type": "plain_text_input", "value": "CTR rises 2% within 2 weeks"}
_answer_state = st.fixed_dictionaries(
    {key: st.one_of(st.just(_good_answer), _text_element()) for key in QUESTIONS}
    | {
        key: st.one_of(
            st.just(MISSING),
            st.just({"type": "number_input", "value": None}),
            _NUMBER_TEXT.map(lambda v: {"type": "number_input", "value": v}),
        )
        for key in NUMBERS
    }
)
_EMPTY_NUMBER = {"type": "number_input", "value": None}


def _answers(app: QuietApp, user_id: str) -> dict[str, str]:
    with Session(app.live.engine) as session:
        rows = session.exec(select(GateAnswer).where(GateAnswer.user_id == user_id))
        return {a.question_key: a.text for a in rows}


class Opened:
    """A modal the app opened (printed short in Hypothesis's reports)."""

    def __init__(self, view: dict[str, Any]) -> None:
        self.view = view

    def __repr__(self) -> str:
        return f"Opened({self.view['callback_id']})"


@pytest.fixture
def answer_view(app: QuietApp) -> Opened:
    """Ask the evaluation gate (it has number inputs) and open its answer modal."""
    with Session(app.live.engine) as session:
        make_project(session, team_id=app.live.slack.team_id, channel_id="C0TEAM")
        session.commit()
    asked = app.command("/gate", "now evaluation")
    assert asked.reply.status == 200, asked.reply.body
    with Session(app.live.engine) as session:
        review = session.exec(select(GateReview)).one()
    app.live.sender.click(ANSWER, str(review.id), message_ts=review.message_ts)
    app.settle()
    return Opened(app.live.slack.calls("views.open")[-1].args["view"])


@PROPERTY
@given(values=_answer_state)
@example(values={key: MISSING for key in [*QUESTIONS, *NUMBERS]})
@example(values={key: MISSING for key in QUESTIONS} | {key: _EMPTY_NUMBER for key in NUMBERS})
@example(values={key: MISSING for key in QUESTIONS} | {"baseline": _EMPTY_NUMBER | {"value": "x"}})
@example(values={key: {"type": "plain_text_input", "value": "<!channel> 2%"} for key in QUESTIONS})
def test_gate_answers_save_or_name_each_bad_field(
    app: QuietApp, answer_view: Opened, values: dict[str, Any]
):
    view = answer_view.view
    assert set(QUESTIONS) | set(NUMBERS) >= _input_blocks(view)
    before = app.snapshot()

    reply = _submit(app, view, _state(values))

    errors = _field_errors(reply, view)
    if errors is not None:
        assert app.snapshot() == before, "refused answers stored something"
        return
    texts = {k: _cleaned(_typed(v)) for k, v in values.items() if k in QUESTIONS}
    assert _answers(app, app.live.sender.user_id) == {k: t for k, t in texts.items() if t}
