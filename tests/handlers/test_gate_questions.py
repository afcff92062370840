"""/gate question: a team puts a gate's questions in its own words, and the prompt uses them."""

from __future__ import annotations

from tests.handlers.gate_steps import ask, project, set_up, texts
from tests.live_app import LiveApp


def _reply(live: LiveApp, text: str) -> str:
    before = len(live.slack.calls("response_url"))
    assert live.sender.command("/gate", text).status == 200
    return live.slack.wait_for("response_url", count=before + 1)[-1].args["text"]


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
