"""/hypothesis with no text: the structured modal, inline errors, and saving on submit."""

from sqlmodel import Session, select

from bot.demo.standin.slack_requests import selected, text_input
from db.models import Hypothesis, HypothesisStatus
from tests.live_app import LiveApp


def _values(**fields: str) -> dict:
    values = {}
    for name, value in fields.items():
        state = selected(value) if name == "direction" else text_input(value)
        values[name] = {name: state}
    return values


def _open_modal(live: LiveApp) -> dict:
    reply = live.sender.command("/hypothesis", "")
    assert reply.status == 200 and reply.body == ""
    return live.slack.wait_for("views.open")[0].args["view"]


def test_no_text_opens_the_modal_with_one_field_per_element(live_app: LiveApp):
    view = _open_modal(live_app)

    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == [
        "change",
        "population",
        "outcome_metric",
        "direction",
        "magnitude",
        "time_window",
        "reason",
        "falsification",
    ]


def test_invalid_input_is_shown_inline_and_nothing_is_saved(live_app: LiveApp):
    view = _open_modal(live_app)

    reply = live_app.sender.submit_view(
        view, _values(change="ranking", outcome_metric="", direction="increase", magnitude="a lot")
    )

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"outcome_metric", "magnitude"}
    with Session(live_app.engine) as session:
        assert list(session.exec(select(Hypothesis))) == []


def test_submit_assembles_checks_saves_and_posts(live_app: LiveApp):
    view = _open_modal(live_app)

    reply = live_app.sender.submit_view(
        view,
        _values(
            change="ranking by predicted dwell time",
            outcome_metric="articles read per visit",
            direction="increase",
            magnitude="from 2.1 to 2.3",
            time_window="a four-week A/B test",
            population="logged-in readers",
        ),
    )

    assert reply.status == 200 and reply.body == ""
    post = live_app.slack.wait_for("chat.postMessage")[0].args
    confirmation = live_app.slack.wait_for("chat.postEphemeral")[0].args
    assert post["channel"] == live_app.sender.channel_id
    assert (
        "We believe ranking by predicted dwell time will raise articles read per visit"
        in post["text"]
    )
    assert "Saved hypothesis" in confirmation["text"]
    with Session(live_app.engine) as session:
        [saved] = session.exec(select(Hypothesis)).all()
    assert saved.status == HypothesisStatus.OPEN
    assert (saved.population, saved.magnitude) == ("logged-in readers", "from 2.1 to 2.3")


def test_when_the_bot_is_not_in_the_channel_the_hypothesis_is_kept_and_the_author_told(
    live_app: LiveApp,
):
    view = _open_modal(live_app)
    live_app.slack.fail("chat.postMessage", "not_in_channel", times=1)

    live_app.sender.submit_view(
        view,
        _values(
            change="quantization",
            outcome_metric="p95 latency",
            direction="stay_below",
            magnitude="120 ms",
        ),
    )

    dm = live_app.slack.wait_for("chat.postMessage", count=2)[1].args
    assert dm["channel"] == live_app.sender.user_id
    assert "/invite @gatebot" in dm["text"]
    with Session(live_app.engine) as session:
        assert session.exec(select(Hypothesis)).one().status == HypothesisStatus.OPEN


def test_fields_that_assemble_past_the_limit_keep_the_modal_open_with_the_error(
    live_app: LiveApp,
):
    view = _open_modal(live_app)
    full = {
        name: f"{name} " + "w" * 470
        for name in ("change", "population", "outcome_metric", "time_window", "reason")
    }
    values = _values(
        **full, direction="increase", magnitude="by 2% " + "w" * 480, falsification="f" * 300
    )

    reply = live_app.sender.submit_view(view, values)

    answer = reply.json()
    assert answer["response_action"] == "errors"  # the modal stays open, every word in it
    [(field, message)] = answer["errors"].items()
    assert field == "magnitude"  # the longest field
    assert "characters over its 3000" in message and "shorten this one" in message
    assert live_app.slack.calls("chat.postMessage") == []  # no DM saying it was too long
    with Session(live_app.engine) as session:
        assert list(session.exec(select(Hypothesis))) == []
