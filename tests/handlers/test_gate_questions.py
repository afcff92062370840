"""/gate question: a team puts a gate's questions in its own words, and the prompt uses them."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.changes.blocks import SHOWN_LIMIT
from bot.slack.mrkdwn import escape
from bot.slack.posting import key_of
from db.models.changes import RecordChange
from tests.handlers.gate_steps import ask, project, set_up, texts
from tests.live_app import LiveApp


def _reply(live: LiveApp, text: str) -> str:
    before = len(live.slack.calls("response_url"))
    assert live.sender.command("/gate", text).status == 200
    answered = live.slack.wait_for("response_url", count=before + 1)[-1].args["text"]
    live.worker.wait_until_drained()  # a reword's announcement is posted before what follows
    return answered


def test_a_reworded_question_is_kept_and_asked_in_the_next_prompt(live_app: LiveApp):
    set_up(live_app)

    shown = _reply(live_app, "question sprint_review assumption Which bet do we test, <!here>?")
    _, prompt = ask(live_app, "sprint_review")

    assert "`assumption`: Which bet do we test, &lt;!here&gt;? _(your wording)_" in shown
    assert "Which bet do we test" in texts(prompt.args["blocks"])
    assert "<!here>" not in texts(prompt.args["blocks"])
    stored = project(live_app)
    assert stored is not None
    assert stored.question_overrides == {
        "sprint_review": {"assumption": "Which bet do we test, <!here>?"}
    }


def test_reset_goes_back_to_the_default_wording(live_app: LiveApp):
    set_up(live_app)
    _reply(live_app, "question sprint_review assumption Which bet do we test?")

    shown = _reply(live_app, "question sprint_review assumption reset")

    assert "What assumption are we testing this sprint?" in shown
    assert "_(your wording)_" not in shown
    stored = project(live_app)
    assert stored is not None and stored.question_overrides == {"sprint_review": {}}


def test_listing_names_the_keys_and_an_unknown_key_is_explained(live_app: LiveApp):
    set_up(live_app)

    listing = _reply(live_app, "question escape")
    unknown = _reply(live_app, "question sprint_review asumption Anything?")

    assert "`rollback_triggers`" in listing
    assert "asumption" in unknown and "assumption" in unknown
    stored = project(live_app)
    assert stored is not None and stored.question_overrides == {}


def test_a_rewording_past_the_cap_is_refused_with_what_was_typed_and_nothing_changes(
    live_app: LiveApp,
):
    set_up(live_app)
    _reply(live_app, "question sprint_review assumption Which bet do we test?")
    long = "Which bet & which <risk> do we test, " + "and why " * 50

    shown = _reply(live_app, f"question sprint_review prove_wrong {long}")

    assert "Keep a question to 300 characters" in shown and "Nothing was changed" in shown
    assert "Which bet &amp; which &lt;risk&gt;" in shown  # what they typed, to shorten
    stored = project(live_app)
    assert stored is not None
    assert stored.question_overrides == {"sprint_review": {"assumption": "Which bet do we test?"}}
    _, prompt = ask(live_app, "sprint_review")
    assert "What result would prove it wrong?" in texts(prompt.args["blocks"])


def _announced(live: LiveApp) -> list[str]:
    """Return what the channel reads of each announced question edit, oldest first."""
    return [
        texts(message.get("blocks") or [])
        for message in live.slack.messages(live.sender.channel_id)
        if (key_of(message) or "").startswith("edit:gate_question:")
    ]


def _changes(live: LiveApp) -> list[tuple[str, str, str | None, str | None, str]]:
    with Session(live.engine) as session:
        rows = session.exec(select(RecordChange).order_by(RecordChange.id)).all()
        return [(r.subject, r.field, r.before, r.after, r.changed_by) for r in rows]


def test_a_reword_is_announced_before_and_after_with_who_escaped_once(live_app: LiveApp):
    set_up(live_app)
    default = "What assumption are we testing this sprint?"

    shown = _reply(live_app, "question sprint_review assumption Which R&D bet, <!channel>?")
    _reply(live_app, "question sprint_review assumption Which R&D bet, <!channel>?")  # again
    reset = _reply(live_app, "question sprint_review assumption reset")

    reworded, back = _announced(live_app)
    line = f"*wording*: {default} → Which R&amp;D bet, &lt;!channel&gt;?"
    assert "<@U0PM> changed the gate question `sprint_review: assumption`" in reworded
    assert line in reworded and "<!channel>" not in reworded
    assert line in shown and "You reworded `assumption`" in shown  # the editor's own view
    assert f"*wording*: Which R&amp;D bet, &lt;!channel&gt;? → {default}" in back
    assert f"→ {default}" in reset
    assert _changes(live_app) == [
        ("sprint_review: assumption", "wording", default, "Which R&D bet, <!channel>?", "U0PM"),
        ("sprint_review: assumption", "wording", "Which R&D bet, <!channel>?", default, "U0PM"),
    ]


def test_a_long_wording_is_cut_in_the_announcement_saying_so_and_kept_whole(live_app: LiveApp):
    set_up(live_app)
    long = "Which single assumption about <ranking> & recall do we test " + "and why " * 28

    _reply(live_app, f"question sprint_review assumption {long}")

    [announced] = _announced(live_app)
    wording = " ".join(long.split())
    assert len(wording) > SHOWN_LIMIT
    assert escape(wording[: SHOWN_LIMIT - 1]) + "…" in announced
    assert escape(wording) not in announced
    assert f"Values past {SHOWN_LIMIT} characters are cut here" in announced
    [(_, _, _, after, _)] = _changes(live_app)
    assert after == wording  # the record keeps it whole


def test_a_slack_escaped_rewording_is_kept_as_typed_and_shown_escaped_once(live_app: LiveApp):
    set_up(live_app)

    # Slack sends what was typed escaped ("Search &amp; ranking &lt;v2&gt;"): undone once.
    shown = _reply(live_app, "question sprint_review assumption Search & ranking <v2>: which bet?")
    _, prompt = ask(live_app, "sprint_review")

    stored = project(live_app)
    assert stored is not None
    assert stored.question_overrides == {
        "sprint_review": {"assumption": "Search & ranking <v2>: which bet?"}
    }
    assert "Search &amp; ranking &lt;v2&gt;: which bet? _(your wording)_" in shown
    assert "Search &amp; ranking &lt;v2&gt;: which bet?" in texts(prompt.args["blocks"])
    assert "&amp;amp;" not in shown + texts(prompt.args["blocks"])
