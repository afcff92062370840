"""Whatever is typed after /hypothesis, /gate, /metric or /digest: an ack within 3 s, then words
a person can read (no stack trace, no escaped-out mention), and bad input changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlmodel import Session

from bot.falsifiability.service import FalsifiabilityChecker
from bot.gates import GateError, GateKind, Phase, question_keys
from bot.hypotheses import service as hypotheses
from bot.metrics import ingest, tokens
from db import workspaces
from tests.metric_helpers import define, make_project
from tests.properties.checks import assert_readable
from tests.properties.conftest import Answered, QuietApp
from tests.properties.strategies import NASTY, PROPERTY, command_text

TEAM, CHANNEL, USER = "T0GATEBOT", "C0TEAM", "U0PM"
HYPOTHESIS = (
    "We believe showing citations will raise answer acceptance from 31% to 33% for logged-in "
    "users within 4 weeks because people trust sourced answers"
)


def _seed(app: QuietApp) -> None:
    """Give the channel what every command can act on: a project, metrics, values, a token."""
    with Session(app.live.engine, expire_on_commit=False) as session:
        project = make_project(session, team_id=TEAM, channel_id=CHANNEL)
        define(session, project, "relevance_rating")
        define(session, project, "latency_p95", direction="lower_is_better", warn=300, breach=400)
        ingest.record(session=session, project=project, name="relevance_rating", value=0.8)
        tokens.create(session=session, project_id=project.id or 0, created_by=USER)
        draft = hypotheses.check_and_draft(
            session=session,
            checker=FalsifiabilityChecker.from_settings(app.live.settings),
            team_id=TEAM,
            channel_id=CHANNEL,
            author_id=USER,
            text=HYPOTHESIS,
        )
        workspace = workspaces.ensure(session=session, team_id=TEAM)
        hypotheses.save(
            session=session,
            workspace_id=workspace.id or 0,
            hypothesis_id=draft.id or 0,
            user_id=USER,
        )
        session.commit()


@pytest.fixture
def app(quiet_app: Callable[..., QuietApp]) -> QuietApp:
    started = quiet_app()
    _seed(started)
    return started


def _answered_readably(app: QuietApp, command: str, text: str) -> Answered:
    answered = app.command(command, text)
    assert answered.reply.status == 200, (text, answered.reply.body)
    assert answered.reply.seconds < 3, text  # Slack's contract: the ack within 3 seconds
    assert answered.messages or answered.opened_views, f"{command} {text!r}: no reply at all"
    for message in answered.messages:
        assert_readable(message, typed=text)
    for view in answered.opened_views:
        assert_readable(view, typed=text)
    return answered


def _unchanged_by(app: QuietApp, command: str, text: str) -> None:
    before = app.snapshot()
    _answered_readably(app, command, text)
    after = app.snapshot()
    changed = [table for table in before if before[table] != after[table]]
    assert not changed, f"{command} {text!r} was refused but changed {changed}"


# --- whatever is typed --------------------------------------------------------------------

HYPOTHESIS_WORDS = ["list", "ls", "help", "?", "We believe", "raise", "by 2%", "within 2 weeks"]
GATE_WORDS = ["setup", "status", "pause", "resume", "now", "phase", "history", "question", "help"]
GATE_WORDS += [p.value for p in Phase] + [k.value for k in GateKind] + ["reset", "assumption"]
METRIC_WORDS = ["define", "update", "list", "record", "link", "token", "tokens", "revoke", "help"]
METRIC_WORDS += ["relevance_rating", "latency_p95", "model_health", "product", "higher", "lower"]
METRIC_WORDS += ["higher_is_better", "breach=0.7", "warn=0.8", "owner=me", "#1", "0.5", "by"]
DIGEST_WORDS = ["preview", "now", "compact", "on", "off", "help", "yes", "no"]


@PROPERTY
@given(text=command_text(HYPOTHESIS_WORDS))
@example(text="<!channel> will raise " + "x" * 4000)
@example(text="We believe <!here> <@U123> <#C1|x> <https://e.com|x> will raise ctr by 2%")
@example(text="\x00\x00 \x00")
@example(text="list <!channel>")
def test_hypothesis_command_always_answers_readably(app: QuietApp, text: str):
    _answered_readably(app, "/hypothesis", text)


@PROPERTY
@given(text=command_text(GATE_WORDS))
@example(text="phase")
@example(text="phase <!channel>")
@example(text="now <!here>")
@example(text="question evaluation <!everyone> reset")
@example(text="question evaluation baseline <!channel> " + "y" * 4000)
@example(text="<!channel>" * 500)
def test_gate_command_always_answers_readably(app: QuietApp, text: str):
    _answered_readably(app, "/gate", text)


@PROPERTY
@given(text=command_text(METRIC_WORDS))
@example(text="record relevance_rating ²")
@example(text="link ² relevance_rating 1 2")
@example(text="link #99999999999999999999 relevance_rating 1 2")
@example(text="define x product higher breach=1 periods=²")
@example(text="define <!channel> product higher breach=1")
@example(text='define x product higher breach=1 label="<!channel>" unit=<!here>')
@example(text="token revoke <!here>")
@example(text="record relevance_rating 0.5 9999-12-31")
def test_metric_command_always_answers_readably(app: QuietApp, text: str):
    _answered_readably(app, "/metric", text)


@PROPERTY
@given(text=command_text(DIGEST_WORDS))
@example(text="compact <!channel>")
@example(text="<!channel> " * 800)
def test_digest_command_always_answers_readably(app: QuietApp, text: str):
    _answered_readably(app, "/digest", text)


# --- refused input changes nothing --------------------------------------------------------

_plain_word = st.one_of(st.sampled_from([w for w in NASTY if w.strip()]), st.text(min_size=1))
# One word as /metric reads it: no white space, no quote, no `=` (that would be a setting).
_word = _plain_word.map(lambda w: "".join(c for c in w if not c.isspace() and c not in '"“”='))
_word = _word.filter(bool)


_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def _not_a_number(word: str) -> bool:
    try:
        value = float(word.strip().rstrip("%").strip())
    except ValueError:
        return True
    return value != value or value in (float("inf"), float("-inf")) or "," in word


def _not_a_date(word: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(word.strip())
    except ValueError:
        return True
    return False


def _not_parsed(parse: Callable[[str], object]) -> Callable[[str], bool]:
    def refused(word: str) -> bool:
        try:
            parse(word)
        except GateError:
            return True
        return False

    return refused


_bad_metric = st.one_of(
    _word.filter(_not_a_number).map(lambda w: f"record relevance_rating {w}"),
    _word.filter(_not_a_date).map(lambda w: f"record relevance_rating 0.5 {w}"),
    st.sampled_from(["2999-01-01", "1999-12-31", "2026-02-30"]).map(
        lambda d: f"record relevance_rating 0.5 {d}"
    ),
    _word.filter(lambda w: w.lower() not in {"relevance_rating", "latency_p95"}).map(
        lambda w: f"record {w} 0.5"
    ),
    _word.filter(_not_a_number).map(lambda w: f"update relevance_rating breach={w}"),
    _word.filter(lambda w: w.lower() not in {"me", "@me", "none", "-", "off"})
    .filter(lambda w: not _MENTION.fullmatch(w))
    .map(lambda w: f"update relevance_rating owner={w}"),
    _word.map(lambda w: f"define {w} nonsense higher breach=0.5"),
    _word.filter(lambda w: not w.lstrip("#").isdecimal()).map(
        lambda w: f"link {w} relevance_rating 1 2"
    ),
    st.integers(2, 10**30).map(lambda n: f"link #{n} relevance_rating 1 2"),
    _word.map(lambda w: f"token revoke gbt_zz{w}"),
)


@PROPERTY
@given(text=_bad_metric)
@example(text="record relevance_rating ²x")
@example(text="link #99999999999999999999 relevance_rating 1 2")
@example(text="token revoke <!here>")
def test_refused_metric_input_changes_nothing(app: QuietApp, text: str):
    _unchanged_by(app, "/metric", text)


_bad_gate = st.one_of(
    _word.filter(_not_parsed(Phase.parse)).map(lambda w: f"phase {w}"),
    _word.filter(_not_parsed(GateKind.parse)).map(lambda w: f"now {w}"),
    _word.filter(_not_parsed(GateKind.parse)).map(lambda w: f"question {w} baseline x"),
    st.tuples(
        st.sampled_from(list(GateKind)),
        _word.filter(lambda w: all(w not in question_keys(k) for k in GateKind)),
    ).map(lambda t: f"question {t[0].value} {t[1]} new wording"),
)


@PROPERTY
@given(text=_bad_gate)
@example(text="phase <!channel>")
@example(text="now <!here>")
def test_refused_gate_input_changes_nothing(app: QuietApp, text: str):
    _unchanged_by(app, "/gate", text)


@PROPERTY
@given(
    text=st.one_of(
        _word.filter(
            lambda w: w.lower() not in {"on", "off", "yes", "no", "true", "false", "1", "0"}
        ).map(lambda w: f"compact {w}"),
        _word.filter(lambda w: w.lower() not in {"preview", "now", "compact", "help"}),
    )
)
@example(text="compact <!channel>")
def test_refused_digest_input_changes_nothing(app: QuietApp, text: str):
    _unchanged_by(app, "/digest", text)
