"""Answering a gate: answers per person, the falsifiability check, numbers, decisions, scoping."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.core.errors import InvalidInput, NotFound
from bot.demo.standin.slack import SlackStandIn
from bot.falsifiability.rules import check_rules
from bot.gates import Decision, GateKind, answers, decisions, gate_for
from bot.gates.decisions import NotALead
from bot.gates.flows import publish_summary
from bot.gates.input import SetupForm, plan_for, read_numbers
from bot.gates.setup import save_setup
from db import workspaces
from db.models import Workspace
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus
from db.reviews import as_utc

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
VAGUE = "Make the ranking smarter."
SHARP = "Purchases per search session rise from 3.1% to 3.3% within the two-week A/B test."


class RulesChecker:
    """The offline checker, as the app uses it without an OpenAI key."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    def check(self, text: str):
        self.checked.append(text)
        return check_rules(text)


def _review(
    session: Session, *, team: str = "T1", kind: str = "sprint_review", leads: bool = True
) -> tuple[int, GateReview]:
    workspace_id = workspaces.ensure(session=session, team_id=team).id
    form = SetupForm(
        name="Search ranking",
        channel="C0TEAM",
        sprint_length="14",
        sprint_start="2026-03-02",
        timezone="Europe/London",
        prompt_time="09:30",
        pm_lead="U0PM" if leads else "",
        ds_lead="U0DS" if leads else "",
        phase="iteration",
    )
    project = save_setup(
        session=session, workspace_id=workspace_id, user_id="U0PM", form=form, project_id=None
    ).project
    session.flush()
    review = GateReview(
        project_id=project.id,
        gate_kind=kind,
        occurrence_key="now-1",
        sprint_number=2,
        due_at=NOW,
        status=ReviewStatus.POSTED,
        posted_at=NOW,
        channel_id="C0TEAM",
        message_ts="1700000000.000100",
    )
    session.add(review)
    session.commit()
    return workspace_id, review  # type: ignore[return-value]


def _submit(session, workspace_id, review, user="U1", checker=None, at=NOW, numbers=None, **texts):
    gate = gate_for(GateKind(review.gate_kind), context={"project": "P", "sprint": 1})
    recorded = answers.submit_answers(
        session=session,
        checker=checker or RulesChecker(),
        team_id=session.get(Workspace, workspace_id).team_id,
        review_id=review.id,
        user_id=user,
        texts=texts,
        claims=[q.key for q in gate.questions if q.check_falsifiability],
        numbers=read_numbers(numbers or {}, required=[]).values,
        now=at,
    )
    session.commit()
    return recorded


def _stored(session: Session) -> dict[tuple[str, str], GateAnswer]:
    rows = session.exec(select(GateAnswer).execution_options(populate_existing=True))
    return {(a.user_id, a.question_key): a for a in rows}


def test_answers_are_kept_per_person_with_who_and_when(session: Session):
    workspace_id, review = _review(session)

    _submit(session, workspace_id, review, user="U1", assumption=SHARP, data_blockers="None")
    _submit(session, workspace_id, review, user="U2", assumption="  A   different view. ")

    stored = _stored(session)
    assert set(stored) == {("U1", "assumption"), ("U1", "data_blockers"), ("U2", "assumption")}
    assert stored["U2", "assumption"].text == "A different view."
    assert as_utc(stored["U1", "assumption"].created_at) == NOW
    assert stored["U1", "data_blockers"].vague is None  # not a claim: not checked


def test_only_claims_are_checked_and_vague_ones_nudged(session: Session):
    workspace_id, review = _review(session)
    checker = RulesChecker()

    recorded = _submit(
        session,
        workspace_id,
        review,
        checker=checker,
        assumption=VAGUE,
        prove_wrong=SHARP,
        uncertainty="Just tweaking numbers, honestly.",
    )

    assert checker.checked == [VAGUE, SHARP]
    [nudge] = recorded.nudges
    assert nudge.question == "What assumption are we testing this sprint?"
    assert nudge.answer == VAGUE
    assert nudge.missing == ["outcome metric", "direction", "magnitude or decision rule"]
    assert nudge.rewrite.startswith("We believe")
    stored = _stored(session)
    assert stored["U1", "assumption"].vague is True and stored["U1", "prove_wrong"].vague is False
    assert stored["U1", "assumption"].verdict["checker"] == "rules"  # type: ignore[index]


def test_an_edit_updates_in_place_and_an_unchanged_answer_keeps_its_time_and_verdict(
    session: Session,
):
    workspace_id, review = _review(session)
    _submit(session, workspace_id, review, assumption=VAGUE, prove_wrong=SHARP)
    later, checker = NOW + timedelta(hours=2), RulesChecker()

    recorded = _submit(
        session,
        workspace_id,
        review,
        checker=checker,
        at=later,
        assumption=SHARP,
        prove_wrong=SHARP,
    )

    assert checker.checked == [SHARP, SHARP]  # checked before the database is read
    assert [a.question_key for a in recorded.changed] == ["assumption"]
    stored = _stored(session)
    edited, unchanged = stored["U1", "assumption"], stored["U1", "prove_wrong"]
    assert edited.text == SHARP and edited.vague is False
    assert as_utc(edited.created_at) == NOW and as_utc(edited.updated_at) == later
    assert as_utc(unchanged.updated_at) == NOW and unchanged.vague is False


def test_clearing_an_answer_withdraws_it(session: Session):
    workspace_id, review = _review(session)
    _submit(session, workspace_id, review, assumption=SHARP, data_blockers="Labels")

    recorded = _submit(session, workspace_id, review, assumption=SHARP, data_blockers=" ")

    assert recorded.withdrawn == 1
    assert set(_stored(session)) == {("U1", "assumption")}


def test_answer_form_prefills_this_persons_answers_and_the_shared_numbers(session: Session):
    workspace_id, review = _review(session, kind="evaluation")
    _submit(
        session,
        workspace_id,
        review,
        user="U1",
        mde="+2% on conversion",
        numbers={"baseline": "0.3", "mde_relative": "0.02", "weekly_traffic": "50000"},
    )
    _submit(session, workspace_id, review, user="U2", guardrails="Latency under 200 ms")

    form = answers.answer_form(
        session=session, workspace_id=workspace_id, review_id=review.id, user_id="U1"
    )

    assert form.texts == {"mde": "+2% on conversion"}
    assert form.numbers == {
        "baseline": "0.3",
        "mde_relative": "0.02",
        "weekly_traffic": "50000",
        "sd": "",
    }
    session.refresh(review)
    assert review.inputs["plan"]["per_arm"] == 92_088  # type: ignore[index]
    assert review.inputs["by"] == "U1"


def test_empty_numbers_never_erase_the_reviews_numbers(session: Session):
    workspace_id, review = _review(session, kind="evaluation")
    numbers = {"baseline": "0.3", "mde_relative": "0.02", "weekly_traffic": "50000"}
    _submit(session, workspace_id, review, user="U1", mde="+2%", numbers=numbers)

    _submit(session, workspace_id, review, user="U2", guardrails="Latency under 200 ms")

    session.refresh(review)
    assert review.inputs["weekly_traffic"] == 50_000


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ({}, set()),
        ({"baseline": "0.3"}, {"mde_relative", "weekly_traffic"}),
        ({"baseline": "30", "mde_relative": "0.02", "weekly_traffic": "50000"}, {"baseline"}),
        ({"baseline": "0.3", "mde_relative": "2", "weekly_traffic": "50000"}, {"mde_relative"}),
        ({"baseline": "0.3", "mde_relative": "0.02", "weekly_traffic": "1.5"}, {"weekly_traffic"}),
        ({"baseline": "12", "mde_relative": "0.02", "weekly_traffic": "9", "sd": "-1"}, {"sd"}),
        ({"baseline": "0.3", "mde_relative": "nan", "weekly_traffic": "50000"}, {"mde_relative"}),
        ({"baseline": "0.9", "mde_relative": "0.2", "weekly_traffic": "50000"}, {"mde_relative"}),
        ({"baseline": "12", "mde_relative": "0.2", "weekly_traffic": "9", "sd": "3"}, set()),
    ],
)
def test_numbers_are_checked_field_by_field(raw, errors):
    required = ["baseline", "mde_relative", "weekly_traffic"]

    numbers = read_numbers({"sd": ""} | raw, required=required)

    assert set(numbers.errors) == errors


def test_valid_numbers_give_the_power_plan_after_the_ack():
    numbers = read_numbers(
        {"baseline": "0.30", "mde_relative": "0.02", "weekly_traffic": "50000", "sd": ""},
        required=["baseline", "mde_relative", "weekly_traffic"],
    )

    plan, problem = plan_for(numbers.values)

    assert numbers.values == {"baseline": 0.3, "mde_relative": 0.02, "weekly_traffic": 50_000}
    assert problem is None and plan is not None and plan.per_arm == 92_088


def test_numbers_no_sample_could_test_are_kept_with_the_reason(session: Session):
    workspace_id, review = _review(session, kind="evaluation")
    tiny = {"baseline": "0.3", "mde_relative": "1e-12", "weekly_traffic": "50000"}

    _submit(session, workspace_id, review, mde="a tiny change", numbers=tiny)

    session.refresh(review)
    assert "too small to detect" in review.inputs["plan"]["error"]  # type: ignore[index]


def test_leads_decide_others_are_refused_politely(session: Session):
    workspace_id, review = _review(session)

    with pytest.raises(NotALead, match="recorded by <@U0PM> and <@U0DS>"):
        decisions.decision_form(
            session=session, workspace_id=workspace_id, review_id=review.id, user_id="U1"
        )
    decided = decisions.decide(
        session=session,
        workspace_id=workspace_id,
        review_id=review.id,
        user_id="U0DS",
        decision=Decision.ITERATE,
        reason=" One more sprint. ",
        now=NOW,
    )
    session.commit()

    assert decided.previous is None
    session.refresh(review)
    assert (review.status, review.decision, review.decided_by) == ("decided", "iterate", "U0DS")
    assert review.decision_reason == "One more sprint." and as_utc(review.decided_at) == NOW


def test_with_no_leads_anyone_decides_and_a_revision_remembers_the_previous(session: Session):
    workspace_id, review = _review(session, leads=False)
    for decision in (Decision.GO, Decision.SUNSET):
        decided = decisions.decide(
            session=session,
            workspace_id=workspace_id,
            review_id=review.id,
            user_id="U7",
            decision=decision,
            reason="Evidence.",
            now=NOW,
        )
        session.commit()

    assert decided.previous is Decision.GO and decided.decision is Decision.SUNSET


def test_a_decided_review_takes_no_answers(session: Session):
    workspace_id, review = _review(session)
    decisions.decide(
        session=session,
        workspace_id=workspace_id,
        review_id=review.id,
        user_id="U0PM",
        decision=Decision.GO,
        reason="Ship.",
        now=NOW,
    )
    session.commit()

    with pytest.raises(InvalidInput, match=r"decided \(Go\), so its answers are closed"):
        _submit(session, workspace_id, review, assumption=SHARP)


def test_a_review_that_never_posted_takes_no_answers_or_decision(session: Session):
    workspace_id, review = _review(session)
    review.status = ReviewStatus.FAILED
    session.add(review)
    session.commit()

    with pytest.raises(InvalidInput, match="never reached the channel"):
        answers.answer_form(
            session=session, workspace_id=workspace_id, review_id=review.id, user_id="U1"
        )
    with pytest.raises(InvalidInput, match="cannot be decided"):
        decisions.decision_form(
            session=session, workspace_id=workspace_id, review_id=review.id, user_id="U0PM"
        )


def test_another_workspace_can_neither_read_answer_nor_decide(session: Session):
    _, review = _review(session, team="T1")
    theirs = workspaces.ensure(session=session, team_id="T2").id

    with pytest.raises(NotFound):
        answers.answer_form(
            session=session, workspace_id=theirs, review_id=review.id, user_id="U0PM"
        )
    with pytest.raises(NotFound):
        _submit(session, theirs, review, assumption=SHARP)
    with pytest.raises(NotFound):
        decisions.decide(
            session=session,
            workspace_id=theirs,
            review_id=review.id,
            user_id="U0PM",
            decision=Decision.SUNSET,
            reason="Mine.",
            now=NOW,
        )
    session.rollback()
    assert answers.thread_answers(session=session, workspace_id=theirs, review_id=review.id) == []
    session.refresh(review)
    assert review.decision is None and _stored(session) == {}


def test_answerers_at_once_share_one_summary_message(engine: Engine, slack: SlackStandIn):
    with Session(engine, expire_on_commit=False) as session:
        workspace_id, review = _review(session)
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    slack.latency = 0.05  # widen the window between reading the review and posting
    start = threading.Barrier(4)

    def answer(user: str) -> None:
        with Session(engine, expire_on_commit=False) as session:
            _submit(session, workspace_id, review, user=user, data_blockers=f"Blocked on {user}")
            start.wait()
            publish_summary(
                session=session,
                client=client,
                workspace_id=workspace_id,
                review_id=review.id,
                now=NOW,
            )

    threads = [threading.Thread(target=answer, args=(f"U{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(slack.calls("chat.postMessage")) == 1
    assert len(slack.calls("chat.update")) == 3
    assert "4 answers from 4 people" in str(slack.calls("chat.update")[-1].args["blocks"])
    with Session(engine) as session:
        assert session.get(GateReview, review.id).summary_ts is not None  # type: ignore[union-attr]
        assert session.get(Project, 1) is not None
