"""Gates' slow work, run by the queue's workers: answers checked and kept, decisions posted.

The web process validated the submission and queued it with its receipt; these bodies do
what waits on the LLM or on Slack.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from sqlmodel import Session

from bot.gates import Decision, answers
from bot.gates.answers import load
from bot.gates.decisions import Decided
from bot.gates.flows import announce_setup, post_decision, publish_summary, send_nudge
from bot.gates.setup import SetupResult
from bot.hypotheses.service import Checker
from bot.queue.service import enqueue
from bot.queue.tasks import task
from db.columns import utcnow
from db.models.gates import Project

# The Home sits above gates: its task is queued by name, not imported (bot.home).
HOME_PUBLISH = "home.publish"


@task("gates.record_answers")
def record_answers(
    *,
    session: Session,
    checker: Checker,
    client: WebClient,
    team_id: str,
    review_id: int,
    user_id: str,
    texts: dict[str, str],
    claims: list[str],
    numbers: dict[str, float] | None,
) -> None:
    """Check and keep the answers, nudge the author on vague ones, refresh the summary.

    Run again after a crash, it stores the same answers again (one row per person and
    question), so nothing is doubled; the summary is an update of one message.
    """
    now = utcnow()
    recorded = answers.submit_answers(
        session=session,
        checker=checker,
        team_id=team_id,
        review_id=review_id,
        user_id=user_id,
        texts=texts,
        claims=claims,
        numbers=numbers,
        now=now,
    )
    enqueue(session=session, task=HOME_PUBLISH, team_id=team_id, user_id=user_id)
    session.commit()
    send_nudge(client=client, recorded=recorded, user_id=user_id)
    publish_summary(
        session=session,
        client=client,
        workspace_id=recorded.review.project.workspace_id,
        review_id=recorded.review.id,
        now=now,
    )


@task("gates.post_decision")
def post_recorded_decision(
    *,
    session: Session,
    client: WebClient,
    workspace_id: int,
    review_id: int,
    user_id: str,
    decision: str,
    previous: str | None,
    decided_at: str,
) -> None:
    """Post a decision the web process recorded in the prompt's thread, then the summary."""
    review = load(session=session, workspace_id=workspace_id, review_id=review_id)
    decided = Decided(
        review=review,
        decision=Decision(decision),
        previous=Decision(previous) if previous else None,
    )
    now = datetime.fromisoformat(decided_at)
    post_decision(session=session, client=client, decided=decided, user_id=user_id, now=now)


@task("gates.announce_setup")
def announce_saved_setup(
    *,
    session: Session,
    client: WebClient,
    project_id: int,
    created: bool,
    changed: list[str],
    user_id: str,
) -> None:
    """Tell the channel about a set-up or edit the web process saved."""
    project = session.get(Project, project_id)
    if project is None:  # deleted since: nothing to announce
        return
    result = SetupResult(project=project, created=created, changed=tuple(changed))
    announce_setup(session=session, client=client, result=result, user_id=user_id)
