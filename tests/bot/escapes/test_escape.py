"""Escape alerts: once per episode, recovery, deciders, concurrent evaluators, Slack failures."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import Session, select

from bot.demo.standin.calls import Call
from bot.demo.standin.slack import SlackStandIn
from bot.escapes import service as escape
from bot.escapes.service import evaluate_ingested, evaluate_project
from bot.metrics import ingest
from bot.metrics.flags import AlertKind
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus
from db.models.metrics import AlertState, Metric
from db.session import make_engine
from tests.handlers.test_hypothesis_command import _texts
from tests.metric_helpers import define, make_project

TODAY = date(2026, 3, 10)  # a Tuesday
NOW = datetime(2026, 3, 10, 18, tzinfo=UTC)
CHANNEL = "C0TEAM"


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


@pytest.fixture
def project(session: Session) -> Project:
    project = make_project(session, channel_id=CHANNEL)
    project.pm_lead, project.ds_lead = "U0PMLEAD", "U0DSLEAD"
    define(session, project, "relevance_rating", owner="U0OWNER")
    define(session, project, "latency_p95", direction="lower_is_better", warn=300, breach=400)
    session.commit()
    return project


def record(session: Session, project: Project, values: dict[date, float], **kw: object) -> None:
    """Store one value per day of `relevance_rating` (or `name`), as a pipeline would."""
    name = kw.get("name", "relevance_rating")
    rows = [{"name": name, "value": v, "at": d.isoformat()} for d, v in values.items()]
    ingest.store(session=session, project=project, rows=rows, now=NOW)
    session.commit()


def days_before(count: int, *values: float) -> dict[date, float]:
    """Return `values` on consecutive days ending `count` days before TODAY."""
    end = TODAY - timedelta(days=count)
    return {end - timedelta(days=len(values) - 1 - i): v for i, v in enumerate(values)}


def answer_decider(session: Session, project: Project, text: str, *, at: datetime = NOW) -> None:
    review = GateReview(
        project_id=project.id,  # type: ignore[arg-type]
        gate_kind="escape",
        occurrence_key=f"now-{at.timestamp()}",
        due_at=at,
        status=ReviewStatus.POSTED,
    )
    session.add(review)
    session.flush()
    session.add(
        GateAnswer(
            review_id=review.id,  # type: ignore[arg-type]
            question_key="decider",
            user_id="U0PMLEAD",
            text=text,
            created_at=at,
            updated_at=at,
        )
    )
    session.commit()


def run(session: Session, client: WebClient, project: Project, **kw: object):  # type: ignore[no-untyped-def]
    return evaluate_project(session=session, client=client, project=project, **kw)  # type: ignore[arg-type]


def channel_posts(slack: SlackStandIn) -> list[Call]:
    return [c for c in slack.calls("chat.postMessage") if c.args["channel"] == CHANNEL]


def dms(slack: SlackStandIn) -> list[str]:
    return [
        c.args["channel"] for c in slack.calls("chat.postMessage") if c.args["channel"] != CHANNEL
    ]


def shown(call: Call) -> str:
    return call.args["text"] + "\n" + _texts(call.args["blocks"])


def metric(session: Session, name: str = "relevance_rating") -> Metric:
    session.expire_all()
    found = session.exec(select(Metric).where(Metric.name == name)).one()
    return found


def test_a_breach_posts_one_alert_naming_value_trigger_trend_owner_and_decider(
    session, client, slack, project
):
    answer_decider(session, project, "<@U0DECIDE> decides; <@U0BACKUP|ali> when Dana is away")
    record(session, project, days_before(1, 0.80, 0.79, 0.78, 0.77, 0.76, 0.75, 0.74, 0.74))
    record(session, project, {TODAY: 0.70})

    sent = run(session, client, project, now=NOW)

    [post] = channel_posts(slack)
    text = shown(post)
    assert ":rotating_light:" in text and "`relevance_rating`" in text
    assert "`relevance_rating` at 0.70 is below its rollback trigger of 0.72" in text
    assert "Reported on Tue 10 Mar · below the trigger on 1 reported day." in text
    assert "down 0.09 (−11.4%) on last week's 0.79, worse" in text
    assert "falling over the last 7 days" in text and "the last 12 days" in text
    assert "<@U0OWNER>" in text and "<@U0DECIDE>" in text and "<@U0BACKUP>" in text
    assert "when Dana is away" in text
    assert sorted(dms(slack)) == ["U0BACKUP", "U0DECIDE"]
    assert [(s.kind, s.metric, s.day, s.error) for s in sent] == [
        (AlertKind.BREACH, "relevance_rating", TODAY, None)
    ]
    stored = metric(session)
    assert (stored.alert_state, stored.alert_since, stored.alert_threshold) == (
        "breach",
        TODAY,
        0.72,
    )


def test_more_breached_samples_the_same_day_and_resends_post_nothing_new(
    session, client, slack, project
):
    record(session, project, {TODAY - timedelta(days=1): 0.80, TODAY: 0.70})
    assert len(run(session, client, project, now=NOW)) == 1

    record(session, project, {TODAY: 0.70})  # the same sample again
    ingest.store(
        session=session,
        project=project,
        rows=[{"name": "relevance_rating", "value": 0.65, "at": "2026-03-10T17:00:00Z"}],
        now=NOW,
    )
    session.commit()
    assert run(session, client, project, now=NOW) == []
    assert run(session, client, project, now=NOW + timedelta(hours=1)) == []

    assert len(channel_posts(slack)) == 1


def test_recovery_is_posted_once_with_when_it_came_back_and_how_long_it_lasted(
    session, client, slack, project
):
    record(session, project, {TODAY - timedelta(days=3): 0.70, TODAY - timedelta(days=2): 0.69})
    run(session, client, project, today=TODAY - timedelta(days=3), now=NOW)
    record(session, project, {TODAY - timedelta(days=1): 0.74})

    [recovered] = run(session, client, project, today=TODAY - timedelta(days=1), now=NOW)
    again = run(session, client, project, now=NOW)

    assert again == []
    assert recovered.kind is AlertKind.RECOVERED
    breach, recovery = channel_posts(slack)
    text = shown(recovery)
    assert ":white_check_mark:" in text and "back inside the trigger since Mon 9 Mar" in text
    assert "lasted 2 days, from Sat 7 Mar" in text
    assert "`relevance_rating` at 0.74 is above its rollback trigger of 0.72" in text
    assert metric(session).alert_state == AlertState.OK


def test_flapping_around_the_trigger_with_two_periods_in_a_row_does_not_spam(
    session, client, slack, project
):
    flappy = define(session, project, "ctr", kind="product", warn=0.05, breach=0.04, periods=2)
    session.commit()
    days = [TODAY - timedelta(days=13 - i) for i in range(14)]
    values = [0.03, 0.05, 0.03, 0.05, 0.03, 0.03, 0.05, 0.03, 0.05, 0.03, 0.05, 0.05, 0.03, 0.05]
    kinds = []
    for day, value in zip(days, values, strict=True):
        record(session, project, {day: value}, name="ctr")
        sent = run(session, client, project, today=day, now=NOW, metric_ids=[flappy.id])
        kinds += [(s.kind.value, s.day.day) for s in sent]

    # Two in a row on 1-2 March open it; two clear days (7-8 March) close it; lone days do nothing.
    assert kinds == [("breach", 2), ("recovered", 8)]
    assert len(channel_posts(slack)) == 2


def test_a_free_text_decider_is_quoted_escaped_and_the_leads_are_paged(
    session, client, slack, project
):
    answer_decider(session, project, "<@U0OLD>", at=NOW - timedelta(days=9))
    answer_decider(session, project, "Dana <!channel> & the <b>search</b> lead")
    record(session, project, {TODAY: 0.70})

    run(session, client, project, now=NOW)

    text = shown(channel_posts(slack)[0])
    assert "> Dana &lt;!channel&gt; &amp; the &lt;b&gt;search&lt;/b&gt; lead" in text
    assert "<!channel>" not in text and "U0OLD" not in text  # the latest answer counts
    assert "<@U0PMLEAD> (PM), <@U0DSLEAD> (DS)" in text
    assert sorted(dms(slack)) == ["U0DSLEAD", "U0PMLEAD"]


def test_without_an_escape_gate_answer_the_leads_decide_and_the_gate_is_pointed_to(
    session, client, slack, project
):
    record(session, project, {TODAY: 0.70})

    run(session, client, project, now=NOW)

    text = shown(channel_posts(slack)[0])
    assert "escape gate names nobody yet" in text and "/gate now escape" in text
    assert sorted(dms(slack)) == ["U0DSLEAD", "U0PMLEAD"]


def test_only_the_metrics_asked_for_are_judged_and_stale_data_alerts_nobody(
    session, client, slack, project
):
    record(session, project, {TODAY: 0.70})
    record(session, project, {TODAY - timedelta(days=5): 900.0}, name="latency_p95")
    latency = metric(session, "latency_p95")

    assert run(session, client, project, now=NOW, metric_ids=[latency.id]) == []
    assert slack.calls("chat.postMessage") == []
    assert metric(session).alert_state == AlertState.OK


def test_two_evaluators_at_once_post_one_alert(engine, session, slack, project, database_url):
    record(session, project, {TODAY: 0.70})
    ids = [m.id for m in session.exec(select(Metric))]
    barrier = threading.Barrier(4)
    results: list[int] = []

    def evaluate() -> None:
        own = make_engine(database_url)
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        try:
            with Session(own, expire_on_commit=False) as mine:
                barrier.wait(timeout=5)
                sent = evaluate_ingested(
                    session=mine,
                    client=client,
                    project_id=project.id,  # type: ignore[arg-type]
                    metric_ids=ids,  # type: ignore[arg-type]
                    now=NOW,
                )
                results.append(len(sent))
        finally:
            own.dispose()

    threads = [threading.Thread(target=evaluate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [0, 0, 0, 1]
    assert len(channel_posts(slack)) == 1


def test_a_channel_that_refuses_for_good_keeps_the_episode_and_tells_the_deciders(
    session, client, slack, project
):
    slack.fail("chat.postMessage", "not_in_channel", times=1)
    record(session, project, {TODAY: 0.70})

    [sent] = run(session, client, project, now=NOW)

    assert sent.channel_ts is None and "not in the channel" in (sent.error or "")
    assert sent.direct == ("U0PMLEAD", "U0DSLEAD")
    dm = slack.calls("chat.postMessage")[-1]
    assert "I could not post it in <#C0TEAM>" in shown(dm)
    session.expire_all()
    stored = session.get(Project, project.id)
    assert stored is not None and "relevance_rating" in (stored.last_error or "")
    assert "not_in_channel" in (stored.last_error or "")
    assert metric(session).alert_state == AlertState.BREACH
    assert run(session, client, project, now=NOW) == []  # not retried on every sample


def test_a_transient_failure_moves_the_episode_back_and_the_next_evaluation_posts_it(
    session, client, slack, project
):
    slack.server_error("chat.postMessage", status=503, times=1)
    record(session, project, {TODAY: 0.70})

    assert run(session, client, project, now=NOW) == []
    assert metric(session).alert_state == AlertState.OK
    assert dms(slack) == []  # nobody hears half an alert

    [sent] = run(session, client, project, now=NOW)
    assert sent.channel_ts is not None and len(channel_posts(slack)) == 2  # the 503, then this


def test_a_working_channel_clears_the_old_error(session, client, slack, project):
    project.last_error = "gatebot is not in the channel (not_in_channel)"
    session.commit()
    record(session, project, {TODAY: 0.70})

    run(session, client, project, now=NOW)

    session.expire_all()
    assert session.get(Project, project.id).last_error is None  # type: ignore[union-attr]


def test_evaluating_after_ingestion_never_raises(session, client, slack, project, caplog):
    record(session, project, {TODAY: 0.70})

    assert evaluate_ingested(session=session, client=client, project_id=999, metric_ids=[1]) == []

    jobs: list[tuple[object, dict]] = []

    class Queue:
        def submit(self, job, /, **kwargs):  # type: ignore[no-untyped-def]
            jobs.append((job, kwargs))

    escape.evaluate_later(jobs=Queue(), client=client, project_id=project.id, metric_ids=[])  # type: ignore[arg-type]
    assert jobs == []
    escape.evaluate_later(jobs=Queue(), client=client, project_id=project.id, metric_ids={2, 1})  # type: ignore[arg-type]
    [(job, kwargs)] = jobs
    assert kwargs["metric_ids"] == (1, 2)
    job(session=session, checker=None, now=NOW, **kwargs)  # type: ignore[operator]
    assert len(channel_posts(slack)) == 1


def test_an_error_before_anything_was_posted_moves_the_episode_back(
    session, client, slack, project, monkeypatch, caplog
):
    record(session, project, {TODAY: 0.70})

    def broken(**_: object) -> None:
        raise RuntimeError("a bug in the message")

    with monkeypatch.context() as patch:
        patch.setattr(escape.post, "message", broken)
        assert run(session, client, project, now=NOW) == []

    assert "escape evaluation of metric" in caplog.text
    assert metric(session).alert_state == AlertState.OK
    assert len(run(session, client, project, now=NOW)) == 1
