"""The Home tab through the real app: published on app_home_opened, its buttons, its pages."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from bot.demo.standin.slack_requests import selected, text_input
from bot.gates.blocks.status import review_title
from bot.home.blocks import (
    HOME_ANSWER,
    HOME_DIGEST,
    HOME_HYPOTHESIS,
    HOME_NEXT,
    HOME_PICK_CHANNEL,
    HOME_PREVIOUS,
    HOME_REFRESH,
    HOME_WRITE,
)
from bot.hypotheses.blocks import MODAL_CALLBACK as HYPOTHESIS_MODAL
from db import workspaces
from db.models import Hypothesis
from db.models.gates import GateReview, Project, ReviewStatus
from tests.handlers.gate_steps import (
    DS,
    OTHER,
    PM,
    answer_modal,
    ask,
    metadata,
    person,
    set_up,
    submit_answers,
)
from tests.handlers.home_steps import (
    buttons,
    click,
    next_home,
    open_home,
    opened,
    published,
    read,
    stored,
)
from tests.live_app import LiveApp

SHARP = "If purchases per session do not rise from 3.1% to 3.3% within the test, we are wrong."


def test_a_new_person_gets_a_welcome_saying_how_to_start(live_app: LiveApp):
    view = open_home(live_app)

    text = read(view)
    assert view["type"] == "home"
    assert "Welcome to gatebot" in text
    assert "`/gate setup` in your team's channel" in text and "`/hypothesis" in text
    assert "[Write a hypothesis]" in text


def test_opening_the_messages_tab_publishes_nothing(live_app: LiveApp):
    live_app.sender.event(
        {"type": "app_home_opened", "user": PM, "channel": "D0HOME", "tab": "messages"}
    )
    open_home(live_app)
    live_app.drain()

    assert len(live_app.slack.calls("views.publish")) == 1


def test_a_lead_sees_the_project_and_answers_the_review_waiting_for_them(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)

    view = open_home(live_app)

    text = read(view)
    assert "1 gate review awaits your answers in 1 project." in text
    assert "Search ranking · #C0TEAM" in text
    assert re.search(r"\nModel iteration · Sprint \d+, day \d+ of 14 · you: PM lead\n", text)
    assert re.search(
        r"Next gate: Sprint \d+ boundary review, \w{3} \d+ \w{3} \d{4}, 09:30 "
        r"\(Europe/London\)",
        text,
    )
    assert f"{review_title(review)} awaits your answers · 0 of 4 answered" in text
    assert buttons(view, HOME_ANSWER) == [str(review.id)]

    click(live_app, view, HOME_ANSWER, str(review.id))
    from_home = opened(live_app)
    from_channel = answer_modal(live_app, review, live_app.sender)
    assert from_home == from_channel  # the very modal the prompt's Answer button opens

    before = len(live_app.slack.calls("views.publish"))
    submit_answers(
        live_app,
        review,
        live_app.sender,
        assumption=SHARP,
        prove_wrong=SHARP,
        uncertainty="Reducing it.",
        data_blockers="None.",
    )
    stored(live_app, 4)
    after = next_home(live_app, PM, after=before)  # redrawn without opening the tab again
    assert "No gate review is waiting for your answers." in read(after)
    assert buttons(after, HOME_ANSWER) == []


def test_someone_who_only_answered_a_review_sees_the_project_too(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    submit_answers(live_app, review, person(live_app, OTHER), assumption=SHARP)
    stored(live_app, 1)

    text = read(open_home(live_app, person(live_app, OTHER)))

    assert "Search ranking" in text and "you: " not in text
    assert "1 of 4 answered" in text and "[Finish answering]" in text


def test_another_workspace_never_sees_the_project_nor_reaches_it_by_id(live_app: LiveApp):
    project = set_up(live_app)
    review, _ = ask(live_app)
    elsewhere = person(live_app, PM, team_id="T0ELSEWHERE")

    home = open_home(live_app, elsewhere)
    click(live_app, home, HOME_ANSWER, str(review.id), sender=elsewhere)
    answer_refused = opened(live_app)
    click(live_app, home, HOME_DIGEST, str(project.id), sender=elsewhere)
    digest_refused = opened(live_app)

    again = open_home(live_app, elsewhere)  # its workspace is on record now: still nothing
    assert "Welcome to gatebot" in read(home) and "Search ranking" not in read(home)
    assert "Welcome to gatebot" in read(again) and "This workspace has" not in read(again)
    assert "can't find that gate review" in read(answer_refused)
    assert "can't find that project" in read(digest_refused)
    assert "Search ranking" not in read(answer_refused) + read(digest_refused)
    assert "Search ranking" in read(open_home(live_app))  # its own workspace still sees it


def test_many_projects_are_paged_within_100_blocks_and_every_page_shows_the_rest(
    live_app: LiveApp,
):
    with Session(live_app.engine) as session:
        workspace = workspaces.ensure(session=session, team_id=live_app.slack.team_id)
        session.add_all(
            Project(
                workspace_id=workspace.id,  # type: ignore[arg-type]
                name=f"Project {n:02d} <&>",
                channel_id=f"C{n:04d}",
                sprint_start=date(2026, 11, 16),
                pm_lead=PM,
            )
            for n in range(1, 21)
        )
        session.commit()
    live_app.slack.set_channels(PM, [f"C{n:04d}" for n in range(1, 21)])

    first = open_home(live_app)
    click(live_app, first, HOME_NEXT, buttons(first, HOME_NEXT)[0], expect="views.publish")
    second = published(live_app)
    click(live_app, second, HOME_NEXT, buttons(second, HOME_NEXT)[0], expect="views.publish")
    third = published(live_app)
    click(live_app, third, HOME_PREVIOUS, buttons(third, HOME_PREVIOUS)[0], expect="views.publish")
    back = published(live_app)

    pages = [first, second, third]
    names = [
        [line.split(" · ")[0] for line in read(p).splitlines() if "<&> · #C" in line] for p in pages
    ]
    assert [len(n) for n in names] == [8, 8, 4]
    assert sorted(sum(names, [])) == [f"Project {n:02d} <&>" for n in range(1, 21)]
    assert all(len(page["blocks"]) <= 100 for page in pages)
    assert "Page 2 of 3 · 20 projects." in read(second)
    assert buttons(third, HOME_NEXT) == [] and buttons(first, HOME_PREVIOUS) == []
    assert read(back) == read(second)


def _hypothesis_values() -> dict[str, Any]:
    fields = {
        "change": "in-stock filtering",
        "outcome_metric": "purchases per search session",
        "direction": "increase",
        "magnitude": "from 3.1% to 3.3%",
        "time_window": "a two-week A/B test",
    }
    return {
        name: {name: selected(value) if name == "direction" else text_input(value)}
        for name, value in fields.items()
    }


def test_write_a_hypothesis_opens_the_form_for_the_projects_channel_and_it_shows_on_home(
    live_app: LiveApp,
):
    project = set_up(live_app)
    home = open_home(live_app)

    click(live_app, home, HOME_HYPOTHESIS, str(project.id))
    form = opened(live_app)
    posts = len(live_app.slack.calls("chat.postMessage"))
    publishes = len(live_app.slack.calls("views.publish"))
    reply = live_app.sender.submit_view(form, _hypothesis_values())

    assert form["callback_id"] == HYPOTHESIS_MODAL
    assert metadata(form)["channel_id"] == "C0TEAM"
    assert reply.status == 200 and reply.body == ""
    post = live_app.slack.wait_for("chat.postMessage", count=posts + 1)[-1].args
    assert post["channel"] == "C0TEAM" and "in-stock filtering" in post["text"]
    live_app.slack.wait_for("chat.postEphemeral")  # the author's confirmation: saved
    with Session(live_app.engine) as session:
        [saved] = session.exec(select(Hypothesis)).all()
    text = read(next_home(live_app, PM, after=publishes))  # redrawn: the tab was not reopened
    assert "Hypotheses · 1 on record" in text
    assert f"#{saved.id} ✔ falsifiable · yours" in text


def test_write_a_hypothesis_from_the_top_asks_for_the_channel_first(live_app: LiveApp):
    live_app.slack.set_channels(PM, ["C0TEAM", "C0ELSEWHERE"])
    home = open_home(live_app)

    click(live_app, home, HOME_WRITE, buttons(home, HOME_WRITE)[0])
    picker = opened(live_app)
    reply = live_app.sender.pick_in_view(
        HOME_PICK_CHANNEL, "C0ELSEWHERE", view=picker, view_id="V0PICKER"
    )
    assert reply.status == 200 and reply.seconds < 3
    update = live_app.slack.wait_for("views.update")[-1].args

    assert "Which channel is the hypothesis for?" in read(picker)
    assert update["view_id"] == "V0PICKER"
    assert update["view"]["callback_id"] == HYPOTHESIS_MODAL
    assert metadata(update["view"])["channel_id"] == "C0ELSEWHERE"


def _metric(live: LiveApp, text: str) -> None:
    answered = len(live.slack.calls("response_url"))
    assert live.sender.command("/metric", text).status == 200
    live.slack.wait_for("response_url", count=answered + 1)


def test_metrics_in_breach_show_and_the_digest_preview_opens_for_the_person_alone(
    live_app: LiveApp,
):
    set_up(live_app)
    _metric(live_app, "define relevance_rating model_health higher warn=0.75 breach=0.72")
    _metric(live_app, "define ctr product higher breach=0.01")
    _metric(live_app, "record relevance_rating 0.70")
    _metric(live_app, "record ctr 0.05")

    home = open_home(live_app)
    text = read(home)
    assert "Flagged metrics · 1 of 2" in text
    assert "🔴 relevance_rating 0.7" in text and "breach: below 0.72" in text
    assert "ctr" not in text.split("Flagged metrics")[1].split("[")[0]

    posts = len(live_app.slack.calls("chat.postMessage"))
    updates = len(live_app.slack.calls("views.update"))  # the set-up modal's are in there
    click(live_app, home, HOME_DIGEST, buttons(home, HOME_DIGEST)[0])
    loading = opened(live_app)
    update = live_app.slack.wait_for("views.update", count=updates + 1)[-1].args

    assert "Reading twelve weeks of Search ranking's metrics" in read(loading)
    assert update["view_id"].startswith("V")  # the loading modal's, as views.open returned it
    preview = read(update["view"])
    assert "Weekly digest: Search ranking" in preview
    assert "Only you can see this preview: nothing was posted to #C0TEAM." in preview
    assert "relevance_rating" in preview and "ctr" in preview
    assert len(update["view"]["blocks"]) <= 100 and len(update["view"]["title"]["text"]) <= 24
    live_app.drain()
    digests = [
        c
        for c in live_app.slack.calls("chat.postMessage")[posts:]
        if "Weekly digest" in str(c.args.get("text"))
    ]
    assert digests == []  # a preview, not a post


def test_answering_a_review_decided_since_the_home_was_drawn_says_so(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    home = open_home(live_app)
    with Session(live_app.engine) as session:
        stored = session.exec(select(GateReview).where(col(GateReview.id) == review.id)).one()
        stored.status, stored.decision, stored.decided_by = ReviewStatus.DECIDED, "go", DS
        session.commit()

    click(live_app, home, HOME_ANSWER, str(review.id))

    notice = opened(live_app)
    assert notice["type"] == "modal" and "is decided (Go)" in read(notice)
    again = read(open_home(live_app))
    assert "Search ranking" in again and "No gate review is waiting for your answers." in again


def test_refresh_publishes_the_home_again_with_what_changed(live_app: LiveApp):
    project = set_up(live_app)
    home = open_home(live_app)
    with Session(live_app.engine) as session:
        session.add(
            Project(
                workspace_id=project.workspace_id,
                name="Fraud scoring",
                channel_id="C0FRAUD",
                sprint_start=date(2026, 11, 16),
                ds_lead=PM,
            )
        )
        session.commit()
    live_app.slack.set_channels(PM, ["C0TEAM", "C0FRAUD"])

    click(live_app, home, HOME_REFRESH, buttons(home, HOME_REFRESH)[0], expect="views.publish")

    assert "Fraud scoring" not in read(home)
    refreshed = read(published(live_app))
    assert "Fraud scoring · #C0FRAUD" in refreshed and "you: DS lead" in refreshed
    assert "Search ranking" in refreshed
