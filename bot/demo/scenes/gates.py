"""`gatebot demo`, the gate scene: a sprint boundary's prompt, a reminder, answers, a decision.

The clock's passes run at the simulated moments they are due: the prompt at the sprint's
first morning, the reminder when nobody has answered after a day of working hours.
"""

from __future__ import annotations

from datetime import date, timedelta

from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.clock.passes import run_pass
from bot.core.time import as_utc, utcnow
from bot.demo.standin.slack_requests import SlackSender, selected, text_input
from bot.demo.timeline import ZONE, at, next_working_day
from bot.demo.world import DemoWorld
from bot.gates import time_zone
from bot.gates.blocks.answers import ANSWER_CALLBACK
from bot.gates.blocks.prompt import ANSWER, DECIDE
from bot.gates.schedule import next_prompt
from bot.slack.transcript import plain, render_blocks
from db.models.gates import GateReview, Project

CHANNEL_ID = "C0TEAM"


def gate_scene(world: DemoWorld) -> None:
    """Let the clock ask the sprint review and remind; answer, nudge, size the test, decide."""
    world.out("━━ 4. Gate reviews: a sprint boundary, a reminder, answers, a nudge, a decision ━━")
    review = _sprint_boundary(world)
    _reminder(world, review)

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

    _evaluation(world, day=next_working_day(as_utc(review.remind_at or utcnow()).date()))

    world.out("\n@priya clicks [Record decision] on the sprint review")
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
    _show_update(world, "the sprint review's summary shows the decision", number=2)

    world.say(world.pm, "/gate", "status")
    world.expect("response_url")


def _project(world: DemoWorld) -> Project:
    with Session(world.engine) as session:
        return session.exec(select(Project).where(Project.channel_id == CHANNEL_ID)).one()


def _latest_review(world: DemoWorld) -> GateReview:
    with Session(world.engine) as session:
        review = session.exec(select(GateReview).order_by(col(GateReview.id).desc())).first()
    assert review is not None
    return review


def _clock_pass(world: DemoWorld) -> None:
    client = WebClient(token="xoxb-demo", base_url=world.slack.api_url)  # noqa: S106
    run_pass(engine=world.engine, client_for=lambda team_id: client, now=utcnow(), clock_id="demo")


def _sprint_boundary(world: DemoWorld) -> GateReview:
    boundary = next_prompt(project=_project(world), now=utcnow())
    assert boundary is not None, "the project is in Model iteration, so a sprint review is due"
    world.at(
        boundary.at + timedelta(minutes=1),
        f"sprint {boundary.number} starts; the clock's pass asks its review",
    )
    _clock_pass(world)
    world.expect("chat.postMessage")
    return _latest_review(world)


def _reminder(world: DemoWorld, review: GateReview) -> None:
    assert review.remind_at is not None, "the project reminds after 24 working hours"
    due = as_utc(review.remind_at)
    # Priya's status says she is away until shortly after the reminder: it names Daniel in
    # her place, and by the time the team answers the status has run out.
    back = due + timedelta(minutes=15)
    world.slack.set_status(
        world.pm.user_id, text="Vacationing", emoji=":palm_tree:", expiration=int(back.timestamp())
    )
    until = back.astimezone(time_zone(ZONE))
    world.out(f"\n@priya's Slack status: 🌴 Vacationing (until {until:%H:%M} London time)")
    world.at(
        due + timedelta(minutes=1),
        "no answer after 24 working hours: the clock reminds the leads",
    )
    _clock_pass(world)
    world.expect("chat.postMessage")  # in the prompt's thread
    world.at(as_utc(review.remind_at) + timedelta(minutes=20), "the team answers")


def _evaluation(world: DemoWorld, *, day: date) -> None:
    """Ask the evaluation design gate now; its numbers give the live test's size."""
    world.at(at(day, 10), "the live test is designed")
    world.say(world.pm, "/gate", "now evaluation")
    world.expect("chat.postMessage")
    review = _latest_review(world)
    world.out("\n@priya clicks [Answer] on the evaluation prompt and gives the test's numbers")
    _answer(
        world,
        world.pm,
        review,
        mde="+6.5% relative on purchases per session: 3.1% to 3.3%, what pays for the re-ranking.",
        sample_size="The calculation's four weeks: the pilot calendar allows it.",
        guardrails="discovery_rate must not drop by more than 5% of its level.",
        rollback_criteria="Roll back if relevance rating stays below 0.72 for 2 days.",
        good_enough="Relevance rating at least 0.75 and p95 latency below 300 ms.",
        numbers={"baseline": "0.031", "mde_relative": "0.065", "weekly_traffic": "60000"},
    )
    world.expect("chat.postMessage")  # the summary with the sample size, in the thread


def _answer(
    world: DemoWorld,
    who: SlackSender,
    review: GateReview,
    numbers: dict[str, str] | None = None,
    **answers: str,
) -> None:
    who.click(ANSWER, str(review.id), message_ts=review.message_ts)
    [opened] = world.expect("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == ANSWER_CALLBACK
    typed = {**answers, **(numbers or {})}
    inputs = [block for block in view["blocks"] if block["type"] == "input"]
    state = {
        block["block_id"]: {
            block["block_id"]: {
                "type": block["element"]["type"],
                "value": typed.get(block["block_id"]),
            }
        }
        for block in inputs
    }
    world.out(f"{plain(f'<@{who.user_id}>')} answers and clicks [Save answers]")
    who.submit_view(view, state)


def _show_update(world: DemoWorld, note: str, *, number: int) -> None:
    """Show the scene's `number`th chat.update as what the thread now reads."""
    update = world.slack.wait_for("chat.update", count=number, timeout=15)[number - 1]
    world.out(f"gatebot ({note}):\n{render_blocks(update.args['blocks'])}")
