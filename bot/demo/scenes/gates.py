"""`gatebot demo`, the gate scene: a sprint's set-up, its boundary prompt, answers, a decision."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.clock.passes import run_pass
from bot.demo.standin.slack_requests import (
    SlackSender,
    picked_conversation,
    picked_date,
    picked_time,
    picked_user,
    selected,
    text_input,
)
from bot.demo.world import DemoWorld
from bot.gates import time_zone
from bot.gates.blocks.answers import ANSWER_CALLBACK
from bot.gates.blocks.prompt import ANSWER, DECIDE
from bot.gates.schedule import next_prompt
from bot.slack.transcript import plain, render_blocks
from db.columns import utcnow
from db.models.gates import GateReview, Project

CHANNEL_ID = "C0TEAM"


def gate_scene(world: DemoWorld) -> None:
    """Set up a project, let the clock ask the sprint review, answer it, decide."""
    world.out("━━ 2. /gate: a sprint boundary review, answered, nudged and decided ━━")
    _set_up(world)
    review = _sprint_boundary(world)

    world.out("\n@daniel clicks [Answer] on the prompt")
    _answer(
        world,
        world.ds,
        review,
        assumption="Make the recommendations smarter.",
        prove_wrong=(
            "If purchases per recommendation session do not rise from 3.1% to at least 3.3% "
            "within the two-week A/B test, the assumption is wrong."
        ),
        data_blockers="Nothing: the add-to-basket events are logged.",
    )
    world.out("(only @daniel sees the nudge; the vague answer is kept all the same)")
    world.expect("chat.postEphemeral")
    world.expect("chat.postMessage")  # the summary, in the prompt's thread

    world.out("\n@priya clicks [Answer] on the prompt")
    _answer(
        world,
        world.pm,
        review,
        uncertainty="Reducing it: we learn whether in-stock filtering moves purchases at all.",
    )
    _show_update(world, "the summary in the thread is updated", number=1)

    world.out("\n@priya clicks [Record decision]")
    world.pm.click(DECIDE, str(review.id), message_ts=review.message_ts)
    [opened] = world.expect("views.open")
    world.out("@priya picks Iterate, gives the reason, and clicks [Record]")
    world.pm.submit_view(
        opened.args["view"],
        {
            "decision": {"decision": selected("iterate")},
            "reason": {
                "reason": text_input(
                    "The assumption is testable now; the A/B test runs this sprint."
                )
            },
        },
    )
    world.expect("chat.postMessage")  # the decision, in the thread and the channel
    _show_update(world, "the summary shows the decision", number=2)

    world.say(world.pm, "/gate", "status")
    world.expect("response_url")


def _set_up(world: DemoWorld) -> None:
    world.say(world.pm, "/gate", "setup")
    world.expect("views.open")
    [filled] = world.expect("views.update")
    world.out("(the form opened at once; the time zone came from @priya's Slack profile)")
    # Thirteen days into a 14-day sprint, so the next sprint starts tomorrow.
    today = datetime.now(time_zone("Europe/London")).date()
    values: dict[str, Any] = {
        "name": text_input("Shop recommendations"),
        "channel": picked_conversation(CHANNEL_ID),
        "sprint_length": {"type": "number_input", "value": "14"},
        "sprint_start": picked_date((today - timedelta(days=13)).isoformat()),
        "timezone": text_input("Europe/London"),
        "prompt_time": picked_time("09:30"),
        "pm_lead": picked_user(world.pm.user_id),
        "ds_lead": picked_user(world.ds.user_id),
        "phase": selected("iteration"),
    }
    world.out("\n@priya fills in the form and clicks [Save]")
    world.pm.submit_view(filled.args["view"], {key: {key: v} for key, v in values.items()})
    world.expect("chat.postMessage")


def _sprint_boundary(world: DemoWorld) -> GateReview:
    with Session(world.engine) as session:
        project = session.exec(select(Project).where(Project.channel_id == CHANNEL_ID)).one()
    boundary = next_prompt(project=project, now=utcnow())
    assert boundary is not None, "the project is in Model iteration, so a sprint review is due"
    at = boundary.at + timedelta(minutes=1)
    world.out(
        f"\n(the clock's pass at {at.astimezone(time_zone(project.timezone)):%a %H:%M} "
        f"London time, as sprint {boundary.number} starts)"
    )
    client = WebClient(token="xoxb-demo", base_url=world.slack.api_url)  # noqa: S106
    run_pass(engine=world.engine, client_for=lambda team_id: client, now=at, clock_id="demo")
    world.expect("chat.postMessage")
    with Session(world.engine) as session:
        return session.exec(select(GateReview).order_by(col(GateReview.id).desc())).first()  # type: ignore[return-value]


def _answer(world: DemoWorld, who: SlackSender, review: GateReview, **answers: str) -> None:
    who.click(ANSWER, str(review.id), message_ts=review.message_ts)
    [opened] = world.expect("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == ANSWER_CALLBACK
    state = {
        block["block_id"]: {
            block["block_id"]: {"type": "plain_text_input", "value": answers.get(block["block_id"])}
        }
        for block in view["blocks"]
        if block["type"] == "input"
    }
    world.out(f"{plain(f'<@{who.user_id}>')} answers and clicks [Save answers]")
    who.submit_view(view, state)


def _show_update(world: DemoWorld, note: str, *, number: int) -> None:
    """Show the scene's `number`th chat.update as what the thread now reads."""
    update = world.slack.wait_for("chat.update", count=number, timeout=15)[number - 1]
    world.out(f"gatebot ({note}):\n{render_blocks(update.args['blocks'])}")
