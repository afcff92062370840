"""The digest's data: one bulk read, judged in the team's zone; hypotheses, gates, timing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session

from bot.core.errors import InvalidInput
from bot.digests.blocks import block_texts
from bot.digests.data import gather, iso_week
from bot.digests.service import Action, build, due_digest, manual_key, next_digest, parse_command
from bot.metrics.flags import Status
from bot.metrics.links import link
from db.models import Hypothesis
from db.models.gates import GateAnswer, GateReview, Project
from db.models.metrics import Metric, MetricSample
from tests.metric_helpers import define, make_project

# Monday 23 November 2026, 09:00 in Berlin (CET, UTC+1).
DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def record(session: Session, metric: Metric, values: dict[int, float], *, now: datetime = DUE):
    """Store `values` by days before `now`, at 06:00 UTC of each day."""
    day = now.replace(hour=6, minute=0, second=0, microsecond=0)
    session.add_all(
        MetricSample(metric_id=metric.id, at=day - timedelta(days=ago), value=value)  # type: ignore[arg-type]
        for ago, value in values.items()
    )
    session.flush()


def steady(level: float, *, days: int = 84, **changed: float) -> dict[int, float]:
    values = {ago: level for ago in range(days)}
    values.update({int(key.removeprefix("d")): value for key, value in changed.items()})
    return values


def add_hypothesis(session: Session, project: Project, text: str, *, saved: datetime) -> Hypothesis:
    hypothesis = Hypothesis(
        workspace_id=project.workspace_id,
        channel_id=project.channel_id,
        author_id="U0PM",
        text=text,
        vague=False,
        checker="rules",
        status="open",
        created_at=saved,
        saved_at=saved,
    )
    session.add(hypothesis)
    session.flush()
    return hypothesis


def test_a_projects_week_is_read_in_one_query_and_judged_in_its_zone(session, engine):
    project = make_project(session, timezone="Europe/Berlin")
    relevance = define(session, project, "relevance_rating", owner="U0DS")
    latency = define(
        session, project, "p95_latency", direction="lower_is_better", warn=300, breach=400
    )
    revenue = define(session, project, "revenue", kind="business", warn=None, breach=1.0)
    define(session, project, "coverage", kind="product", warn=None, breach=0.1)  # never reported
    record(session, relevance, steady(0.80, d0=0.70, d1=0.71, d2=0.74))
    record(session, latency, steady(250, d0=320, d1=330))
    record(session, revenue, {ago: 2.0 for ago in range(3, 84)})  # silent for three days
    session.commit()
    reads: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "metric_samples" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        digest = gather(session=session, project=project, now=DUE)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(reads) == 1  # all metrics' twelve weeks at once, not one query per metric
    assert (digest.today, digest.week) == (date(2026, 11, 23), "2026-W48")
    by_name = {view.spec.name: view for view in digest.metrics}
    assert by_name["relevance_rating"].status.status is Status.BREACH
    assert by_name["relevance_rating"].status.change_abs == pytest.approx(-0.10)
    assert by_name["p95_latency"].status.status is Status.WARN
    assert by_name["revenue"].status.status is Status.STALE
    assert by_name["coverage"].status.status is Status.NO_DATA
    assert digest.counts == {"breach": 1, "voids": 0, "warn": 1, "ok": 0, "quiet": 2}
    assert [view.spec.name for view in digest.metrics] == [
        "relevance_rating",
        "p95_latency",
        "coverage",
        "revenue",
    ]
    assert len(by_name["relevance_rating"].weekly) == 12
    assert [view.spec.name for view in digest.flagged] == [
        "relevance_rating",
        "p95_latency",
        "revenue",
    ]


def test_hypotheses_are_judged_against_the_change_they_promised(session):
    project = make_project(session)
    ctr = define(session, project, "ctr", kind="product", warn=None, breach=0.01)
    session.commit()
    saved = DUE - timedelta(days=10)
    promises = [
        ("On track: halfway there, half the time gone", date(2026, 12, 3)),  # 20 days, 10 gone
        ("At risk: a tenth of the way, nine tenths gone", date(2026, 11, 24)),
        ("Falsified: out of time short of the target", date(2026, 11, 23)),
    ]
    for text, deadline in promises:
        hypothesis = add_hypothesis(session, project, text, saved=saved)
        link(
            session=session,
            project=project,
            hypothesis_id=hypothesis.id,  # type: ignore[arg-type]
            metric_name="ctr",
            baseline=0.040,
            target=0.050,
            decide_by=deadline,
            now=saved,
        )
    record(session, ctr, steady(0.045))
    session.commit()

    digest = gather(session=session, project=project, now=DUE)
    shown = "\n".join(block_texts(build(session=session, project=project, now=DUE).message.blocks))

    verdicts = [h.progress.verdict.value for h in digest.hypotheses if h.progress]
    assert verdicts == ["on_track", "at_risk", "falsified"]
    # A breach at 0.01 sets three decimals, the precision the thresholds are written in.
    assert "50% of the way from 0.040 to 0.050, 50% of the time gone" in shown
    assert "*on track*" in shown and "*at risk*" in shown and "*falsified*" in shown


def test_a_guardrail_voiding_the_lift_is_flagged_charted_and_puts_its_hypothesis_at_risk(session):
    project = make_project(session)
    conversion = define(
        session,
        project,
        "conversion",
        kind="product",
        warn=3.0,
        breach=2.8,
        unit="%",
        label="Conversion",
    )
    discovery = define(
        session,
        project,
        "discovery_rate",
        kind="product",
        warn=25,
        breach=20,
        unit="%",
        label="Discovery rate",
        guardrail_of="conversion",
        max_drop=0.02,
        relative=True,
    )
    record(session, conversion, steady(3.10, **{f"d{ago}": 3.30 for ago in range(7)}))
    record(session, discovery, steady(30.0, **{f"d{ago}": 27.0 for ago in range(7)}))
    hypothesis = add_hypothesis(
        session, project, "Filters lift conversion", saved=DUE - timedelta(days=10)
    )
    link(
        session=session,
        project=project,
        hypothesis_id=hypothesis.id,  # type: ignore[arg-type]
        metric_name="conversion",
        baseline=3.1,
        target=3.3,
        decide_by=date(2026, 12, 3),
        now=DUE - timedelta(days=10),
    )
    session.commit()

    built = build(session=session, project=project, now=DUE)

    shown = "\n".join(block_texts(built.message.blocks))
    assert ":no_entry: *1* voiding its primary's lift" in shown
    assert "*1* ok" in shown and "*2* ok" not in shown
    assert ":no_entry: *Discovery rate* 27.0% · −3.0 pts (−10%) on last week" in shown
    assert ":large_green_circle: *Conversion* 3.30% · +0.20 pts (+6.5%) on last week" in shown
    assert "Nothing flagged" not in shown
    assert "The chart of the 1 flagged metric against its thresholds is in the thread" in shown
    assert "*at risk*: its lift does not count while `discovery_rate` falls past" in shown
    [panel] = built.panels()
    assert (panel.name, panel.status) == ("Discovery rate", "voids the lift")
    assert panel.guard == pytest.approx(29.4)  # what it fell past: 2% under last week's 30.0%
    assert len(panel.days) == 84  # the sparklines' twelve weeks
    assert built.chart() is not None


def test_the_weeks_gates_show_answers_and_decisions_made_in_it(session):
    project = make_project(session)
    define(session, project, "ctr", kind="product", warn=None, breach=0.01)

    def review(key: str, *, decided: datetime | None, answered: datetime | None) -> None:
        row = GateReview(
            project_id=project.id,  # type: ignore[arg-type]
            gate_kind="sprint_review",
            occurrence_key=key,
            sprint_number=int(key[-1]),
            due_at=DUE - timedelta(days=20),
            status="decided" if decided else "posted",
            decision="go" if decided else None,
            decision_reason="Ship it <!channel>" if decided else None,
            decided_by="U0PM" if decided else None,
            decided_at=decided,
        )
        session.add(row)
        session.flush()
        if answered:
            for user in ("U1", "U2", "U1"):
                session.add(
                    GateAnswer(
                        review_id=row.id,  # type: ignore[arg-type]
                        question_key=f"q-{user}-{len(session.new)}",
                        user_id=user,
                        text="answer",
                        updated_at=answered,
                    )
                )
        session.flush()

    review("sprint-1", decided=DUE - timedelta(days=30), answered=DUE - timedelta(days=31))
    review("sprint-2", decided=DUE - timedelta(days=2), answered=DUE - timedelta(days=3))
    review("sprint-3", decided=None, answered=DUE - timedelta(hours=5))
    review("sprint-4", decided=DUE - timedelta(days=20), answered=DUE - timedelta(days=1))
    session.commit()

    shown = "\n".join(block_texts(build(session=session, project=project, now=DUE).message.blocks))

    assert "(sprint 1)" not in shown
    assert (
        "*Sprint boundary review (sprint 2)*: 3 answers from 2 people · decided *Go* by <@U0PM>"
        in shown
    )
    assert "Ship it &lt;!channel&gt;" in shown
    assert "(sprint 3)*: 3 answers from 2 people\n" in shown  # not decided yet
    assert "(sprint 4)*: 3 answers from 2 people\n" in shown  # decided long before


@pytest.mark.parametrize(
    ("zone", "now", "key", "at"),
    [
        # Monday 09:00 in Berlin is 08:00 UTC in winter.
        ("Europe/Berlin", datetime(2026, 11, 23, 8, 0), "2026-W48", datetime(2026, 11, 23, 8, 0)),
        # A minute before: last week's is the latest due.
        ("Europe/Berlin", datetime(2026, 11, 23, 7, 59), "2026-W47", datetime(2026, 11, 16, 8, 0)),
        # Summer time: 07:00 UTC; the week after the clocks go back, 08:00 again.
        ("Europe/Berlin", datetime(2026, 3, 30, 7, 0), "2026-W14", datetime(2026, 3, 30, 7, 0)),
        ("Europe/Berlin", datetime(2026, 11, 2, 8, 0), "2026-W45", datetime(2026, 11, 2, 8, 0)),
        # Sunday evening in New York is already Monday in UTC: still last week's digest there.
        (
            "America/New_York",
            datetime(2026, 11, 23, 2, 0),
            "2026-W47",
            datetime(2026, 11, 16, 14, 0),
        ),
        # The ISO year differs from the calendar year around New Year.
        ("UTC", datetime(2026, 12, 29, 9, 30), "2026-W53", datetime(2026, 12, 28, 9, 0)),
    ],
)
def test_the_digest_is_due_monday_at_nine_in_the_teams_zone(zone, now, key, at):
    project = Project(
        workspace_id=1,
        name="p",
        channel_id="C1",
        sprint_start=date(2026, 1, 5),
        timezone=zone,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )

    due = due_digest(schedule=project, now=now.replace(tzinfo=UTC))

    assert due is not None
    assert (due.key, due.at) == (key, at.replace(tzinfo=UTC))


def test_a_project_set_up_after_this_weeks_time_waits_for_next_week_and_days_can_change():
    project = Project(
        workspace_id=1,
        name="p",
        channel_id="C1",
        sprint_start=date(2026, 1, 5),
        timezone="UTC",
        digest_weekday=3,
        digest_time=time(16, 30),
        created_at=datetime(2026, 11, 26, 17, 0, tzinfo=UTC),  # Thursday, after 16:30
    )

    assert due_digest(schedule=project, now=datetime(2026, 11, 27, tzinfo=UTC)) is None
    due = due_digest(schedule=project, now=datetime(2026, 12, 3, 16, 30, tzinfo=UTC))
    assert due is not None and due.key == "2026-W49"
    assert next_digest(project=project, now=datetime(2026, 12, 3, 16, 30, tzinfo=UTC)) == (
        datetime(2026, 12, 10, 16, 30, tzinfo=UTC)
    )


def test_the_iso_week_and_manual_keys():
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert manual_key(datetime(2026, 11, 23, 9, 15, 2, 999, tzinfo=UTC)) == "now-20261123T091502"


@pytest.mark.parametrize(
    ("text", "action", "compact", "unknown"),
    [
        ("", Action.HELP, None, ""),
        ("help", Action.HELP, None, ""),
        ("preview", Action.PREVIEW, None, ""),
        ("  NOW ", Action.NOW, None, ""),
        ("compact on", Action.COMPACT, True, ""),
        ("compact off", Action.COMPACT, False, ""),
        ("tomorrow please", Action.HELP, None, "tomorrow please"),
    ],
)
def test_digest_commands_parse(text, action, compact, unknown):
    parsed = parse_command(text)

    assert (parsed.action, parsed.compact, parsed.unknown) == (action, compact, unknown)


def test_compact_without_on_or_off_says_how():
    with pytest.raises(InvalidInput, match="/digest compact on"):
        parse_command("compact maybe")
