"""The Home's data: whose projects, what awaits them, the page asked, one workspace only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from bot.home import service as home
from bot.home.card import card_blocks
from bot.home.membership import Membership
from bot.metrics.flags import Status
from bot.metrics.links import link
from db import workspaces
from db.models import Hypothesis
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus
from db.models.metrics import Metric, MetricSample
from tests.metric_helpers import define

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday: day 3 of sprint 2 (from 23 Nov)
ME, OTHER = "U0ME", "U0OTHER"


def project(
    session: Session, name: str, *, team_id: str = "T0A", channel_id: str | None = None, **fields
) -> Project:
    """Store a project (in iteration, two-week sprints from Mon 9 Nov 2026) and return it."""
    workspace = workspaces.ensure(session=session, team_id=team_id)
    stored = Project(
        workspace_id=workspace.id,  # type: ignore[arg-type]
        name=name,
        channel_id=channel_id or f"C{name.upper().replace(' ', '')[:10]}",
        sprint_start=date(2026, 11, 9),
        timezone="Europe/London",
        prompt_time=time(9, 30),
        phase="iteration",
        created_at=NOW - timedelta(days=30),
        updated_at=NOW - timedelta(days=30),
        **fields,
    )
    session.add(stored)
    session.flush()
    return stored


def review(
    session: Session, of: Project, *, kind: str = "sprint_review", key: str = "sprint-2", **fields
) -> GateReview:
    """Store a review of `of`, posted a day ago unless told otherwise."""
    posted = NOW - timedelta(days=1)
    stored = GateReview(
        project_id=of.id,  # type: ignore[arg-type]
        gate_kind=kind,
        occurrence_key=key,
        sprint_number=2 if kind == "sprint_review" else None,
        due_at=posted,
        status=fields.pop("status", ReviewStatus.POSTED),
        posted_at=posted,
        channel_id=of.channel_id,
        message_ts="1.000100",
        **fields,
    )
    session.add(stored)
    session.flush()
    return stored


def answer(session: Session, of: GateReview, *keys: str, user_id: str = ME) -> None:
    """Store `user_id`'s answers to `keys` of a review."""
    session.add_all(
        GateAnswer(review_id=of.id, question_key=key, user_id=user_id, text=f"About {key}")  # type: ignore[arg-type]
        for key in keys
    )
    session.flush()


def hypothesis(
    session: Session, of: Project, text: str, *, author: str = ME, **fields
) -> Hypothesis:
    """Store a hypothesis on record in the project's channel."""
    stored = Hypothesis(
        workspace_id=of.workspace_id,
        channel_id=of.channel_id,
        author_id=author,
        text=text,
        vague=fields.pop("vague", False),
        checker="rules",
        status=fields.pop("status", "open"),
        created_at=fields.pop("created_at", NOW - timedelta(days=5)),
        saved_at=NOW - timedelta(days=5),
        **fields,
    )
    session.add(stored)
    session.flush()
    return stored


def names(found: home.Home) -> list[str]:
    return [card.project.name for card in found.cards]


def every_channel(session: Session) -> Membership:
    """The membership of someone in every project channel stored."""
    return Membership(frozenset(session.exec(select(Project.channel_id)).all()))


def gather(
    session: Session,
    *,
    team_id: str = "T0A",
    user_id: str = ME,
    page: int = 1,
    membership: Membership | None = None,
):
    session.commit()
    return home.gather(
        session=session,
        team_id=team_id,
        user_id=user_id,
        membership=membership or every_channel(session),
        page=page,
        now=NOW,
    )


def test_a_persons_projects_are_those_they_lead_set_up_answer_write_in_or_own_a_metric_of(
    session,
):
    project(session, "PM led", pm_lead=ME)
    project(session, "DS led", ds_lead=ME)
    project(session, "Set up", created_by=ME, pm_lead=OTHER)
    answered = project(session, "Answered", pm_lead=OTHER)
    answer(session, review(session, answered), "assumption")
    hypothesis(session, project(session, "Wrote in"), "We believe X will raise Y by 2%.")
    hypothesis(session, project(session, "Only a draft"), "A draft.", status="draft")
    define(session, project(session, "Owns a metric"), "ctr", owner=ME)
    project(session, "Someone else's", pm_lead=OTHER, ds_lead=OTHER, created_by=OTHER)

    found = gather(session)

    assert sorted(names(found)) == [
        "Answered",
        "DS led",
        "Owns a metric",
        "PM led",
        "Set up",
        "Wrote in",
    ]
    roles = {card.project.name: card.roles for card in found.cards}
    assert roles["PM led"] == ("PM lead",)
    assert roles["DS led"] == ("DS lead",)
    assert roles["Set up"] == ("set it up",)
    assert roles["Wrote in"] == ()


def test_another_workspaces_projects_never_show_even_for_the_same_user_id(session):
    project(session, "Ours", team_id="T0A", pm_lead=ME)
    theirs = project(session, "Theirs", team_id="T0B", pm_lead=ME, channel_id="CSHARED")
    answer(session, review(session, theirs), "assumption")
    hypothesis(session, theirs, "We believe their change will raise their metric by 2%.")

    ours = gather(session, team_id="T0A")
    other = gather(session, team_id="T0B")
    unknown = gather(session, team_id="T0NEVERSEEN")

    assert names(ours) == ["Ours"] and ours.awaiting == 0
    assert names(other) == ["Theirs"] and other.awaiting == 1
    assert other.cards[0].hypotheses[0].text.startswith("We believe their change")
    assert unknown.cards == [] and unknown.workspace_projects == 0


def test_reviews_await_the_person_until_they_answered_every_question(session):
    mine = project(session, "Mine", pm_lead=ME)
    untouched = review(session, mine, key="sprint-2")
    partly = review(session, mine, kind="framing", key="phase-framing")
    answer(session, partly, "user", "behaviour")
    done = review(session, mine, kind="data_readiness", key="phase-data")
    answer(session, done, "observable", "signals")
    answer(session, review(session, mine, kind="escape", key="decided", decision="go"), "decider")
    review(session, mine, kind="rollout", key="failed", status=ReviewStatus.FAILED)
    others = review(session, mine, kind="evaluation", key="phase-eval")
    answer(
        session,
        others,
        "mde",
        "sample_size",
        "guardrails",
        "rollback_criteria",
        "good_enough",
        user_id=OTHER,
    )

    [card] = gather(session).cards

    waiting = {a.review.id: (a.answered, a.questions) for a in card.awaiting}
    assert waiting == {untouched.id: (0, 4), partly.id: (2, 5), others.id: (0, 5)}


def test_projects_awaiting_the_person_come_first_and_pages_hold_the_rest(session):
    for number in range(1, 20):
        project(session, f"Project {number:02d}", pm_lead=ME)
    late = project(session, "Zeta", pm_lead=ME)
    review(session, late)

    first = gather(session, page=1)
    pages = [gather(session, page=n) for n in range(1, 4)]
    beyond = gather(session, page=99)

    assert (first.projects, first.pages, first.awaiting, first.awaiting_projects) == (20, 3, 1, 1)
    assert names(first)[:2] == ["Zeta", "Project 01"]
    assert [len(p.cards) for p in pages] == [home.PAGE_SIZE, home.PAGE_SIZE, 4]
    shown = [name for p in pages for name in names(p)]
    assert sorted(shown) == sorted({f"Project {n:02d}" for n in range(1, 20)} | {"Zeta"})
    assert len(shown) == len(set(shown))  # no project on two pages
    assert (beyond.page, names(beyond)) == (3, names(pages[2]))


def test_a_card_shows_the_sprint_the_next_gate_and_the_newest_hypotheses(session):
    mine = project(session, "Search", pm_lead=ME)
    for day in range(5):
        hypothesis(session, mine, f"Hypothesis {day}", created_at=NOW - timedelta(days=10 - day))

    [card] = gather(session).cards

    assert card.status is not None and card.problem is None
    assert (card.status.sprint, card.status.sprint_day) == (2, 3)
    assert card.status.next_prompt is not None and card.status.next_prompt.number == 3
    assert card.status.next_prompt.at.date() == date(2026, 12, 7)
    assert [h.text for h in card.hypotheses] == ["Hypothesis 4", "Hypothesis 3", "Hypothesis 2"]
    assert card.open_hypotheses == 5


def test_a_calendar_stored_broken_is_named_not_raised(session):
    project(session, "Broken", pm_lead=ME).timezone = "Mars/Olympus"

    [card] = gather(session).cards

    assert card.status is None
    assert "Unknown time zone 'Mars/Olympus'" in (card.problem or "")


def _record(session: Session, metric: Metric, values: list[float]) -> None:
    """Store one value a day ending today (the last is today's)."""
    today = NOW.replace(hour=8, minute=0)
    session.add_all(
        MetricSample(metric_id=metric.id, at=today - timedelta(days=ago), value=value)  # type: ignore[arg-type]
        for ago, value in enumerate(reversed(values))
    )
    session.flush()


def test_metrics_in_warn_or_breach_and_hypotheses_verdicts_come_from_the_digests_judgement(
    session,
):
    mine = project(session, "Ranking", pm_lead=ME)
    relevance = define(session, mine, "relevance_rating", warn=0.75, breach=0.72)
    latency = define(
        session, mine, "p95_latency", direction="lower_is_better", warn=300, breach=400
    )
    steady = define(session, mine, "ctr", kind="product", warn=0.02, breach=0.01)
    _record(session, relevance, [0.8] * 20 + [0.70])
    _record(session, latency, [250] * 20 + [320])
    _record(session, steady, [0.041] * 21)  # a tenth of the way, half the time gone
    decided = hypothesis(session, mine, "We believe ranking will raise ctr from 4% to 5%.")
    session.commit()
    link(
        session=session,
        project=mine,
        hypothesis_id=decided.id,  # type: ignore[arg-type]
        metric_name="ctr",
        baseline=0.040,
        target=0.050,
        decide_by=NOW.date() + timedelta(days=5),
        now=NOW - timedelta(days=5),
    )

    [card] = gather(session).cards

    assert card.metrics == 3
    assert [(v.spec.name, v.status.status) for v in card.watched] == [
        ("relevance_rating", Status.BREACH),
        ("p95_latency", Status.WARN),
    ]
    progress = card.progress[decided.id]  # type: ignore[index]
    assert progress.progress is not None and progress.progress.verdict.value == "at_risk"


def test_a_guardrail_voiding_the_lift_is_flagged_on_the_home_and_its_hypothesis_at_risk(session):
    mine = project(session, "Shop", pm_lead=ME)
    conversion = define(session, mine, "conversion", kind="product", warn=3.0, breach=2.8, unit="%")
    discovery = define(
        session,
        mine,
        "discovery_rate",
        kind="product",
        warn=25,
        breach=20,
        unit="%",
        guardrail_of="conversion",
        max_drop=0.02,
    )
    _record(session, conversion, [3.10] * 14 + [3.30] * 7)
    _record(session, discovery, [30.0] * 14 + [27.0] * 7)
    decided = hypothesis(session, mine, "We believe filters will raise conversion to 3.3%.")
    session.commit()
    link(
        session=session,
        project=mine,
        hypothesis_id=decided.id,  # type: ignore[arg-type]
        metric_name="conversion",
        baseline=3.1,
        target=3.3,
        decide_by=NOW.date() + timedelta(days=5),
        now=NOW - timedelta(days=5),
    )

    [card] = gather(session).cards
    blocks = card_blocks(card, user_id=ME)
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")

    assert "*Flagged metrics* · 1 of 2" in text
    assert ":no_entry: *discovery_rate* 27.0% · −3.0 pts (−10%) on last week" in text
    assert "*voids the lift* of `conversion`" in text
    assert (
        f"*#{decided.id}* :white_check_mark: falsifiable · :large_orange_circle: at risk: " in text
    )
    assert "`discovery_rate` voids its lift" in text
    assert "on track" not in text


def test_an_empty_workspace_counts_its_projects_for_the_welcome(session):
    project(session, "Not mine", pm_lead=OTHER)

    found = gather(session)

    assert found.cards == [] and found.projects == 0 and found.workspace_projects == 1


def test_a_project_whose_channel_the_person_is_not_in_gives_its_status_but_not_its_work(
    session,
):
    inside = project(session, "Inside", pm_lead=ME, channel_id="C0IN")
    outside = project(session, "Outside", pm_lead=ME, channel_id="C0OUT")
    for each in (inside, outside):
        review(session, each)
        hypothesis(session, each, f"We believe {each.name} will lift ctr by 2% in 2 weeks.")
        define(session, each, "ctr", owner=OTHER)

    found = gather(session, membership=Membership(frozenset({"C0IN", "C0LUNCH"})))
    unknown = gather(session, membership=Membership(None, "Slack is down."))

    cards = {card.project.name: card for card in found.cards}
    assert names(found) == ["Inside", "Outside"]  # the one awaiting them first
    assert (found.awaiting, found.awaiting_projects) == (1, 1)
    assert cards["Inside"].member and cards["Inside"].hypotheses and cards["Inside"].metrics == 1
    shut = cards["Outside"]
    assert not shut.member and shut.roles == ("PM lead",)
    assert shut.status is not None and shut.status.sprint == 2
    assert (shut.awaiting, shut.hypotheses, shut.open_hypotheses, shut.metrics) == ([], [], 0, 0)
    assert not any(card.member for card in unknown.cards) and unknown.awaiting == 0
    assert unknown.membership_problem == "Slack is down." and found.membership_problem is None
