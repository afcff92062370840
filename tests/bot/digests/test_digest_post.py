"""The clock's weekly digests: once per ISO week, grace, stale claims, errors, compact, charts."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock.passes import run_pass
from bot.core.time import as_utc
from bot.demo.standin.slack import SlackStandIn
from bot.digests.charts import Charts
from bot.digests.flows import post_now
from bot.digests.service import build
from bot.escapes.sweep import sweep
from bot.gates.reviews import DEFAULT_LEASE, MAX_ATTEMPTS
from bot.metrics.chart import ChartSeries
from bot.slack.packing import MESSAGE, fits, text_size, texts
from db.models.digests import DigestRun, DigestStatus
from db.models.gates import Project
from db.models.metrics import MetricSample
from db.session import make_engine
from tests.large_state import LABEL, large_project
from tests.metric_helpers import define, make_project

# Monday 23 November 2026, 09:00 in Berlin (CET, UTC+1): the default digest time.
DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def add(session: Session, *, channel: str = "C1", breach: bool = True, **fields: object) -> Project:
    """Store a project in Berlin with one metric, in breach for its last three days if asked."""
    project = make_project(
        session, channel_id=channel, name=f"Project {channel}", timezone="Europe/Berlin"
    )
    for name, value in fields.items():
        setattr(project, name, value)
    project.created_at = DUE - timedelta(days=3)  # after last week's digest time
    metric = define(session, project, "relevance_rating", owner="U0DS")
    start = DUE.replace(hour=6) - timedelta(days=30)
    session.add_all(
        MetricSample(
            metric_id=metric.id,  # type: ignore[arg-type]
            at=start + timedelta(days=day),
            value=0.70 if breach and day >= 27 else 0.80,
        )
        for day in range(31)
    )
    session.commit()
    return project


def clock(engine: Engine, client: WebClient, now: datetime, clock_id: str = "clock-a", **kw):
    return run_pass(engine=engine, client_for=lambda team: client, now=now, clock_id=clock_id, **kw)


def STILL() -> float:  # noqa: N802
    """A pass's seconds counter that stands still: every time it writes is its `now`."""
    return 0.0


def runs(engine: Engine) -> list[DigestRun]:
    with Session(engine) as session:
        return list(session.exec(select(DigestRun).order_by(DigestRun.id)))


def digests(slack: SlackStandIn) -> list:
    return [c for c in slack.calls("chat.postMessage") if "Weekly digest" in c.args.get("text", "")]


def test_the_digest_goes_out_at_its_time_once_with_its_chart_in_the_thread(
    engine, session, client, slack
):
    project = add(session)

    early = clock(engine, client, DUE - timedelta(minutes=1))
    report = clock(engine, client, DUE + timedelta(seconds=30))
    again = clock(engine, client, DUE + timedelta(minutes=1), clock_id="clock-b")

    assert (early.digests.posted, report.digests.posted, again.digests.posted) == (0, 1, 0)
    [message] = digests(slack)
    assert message.args["channel"] == "C1"
    assert message.args["text"] == (
        "Weekly digest for Project C1, 2026-W48: 1 breach, 0 warn, 0 ok"
    )
    [run] = runs(engine)
    assert (run.project_id, run.week_key, run.status) == (project.id, "2026-W48", "posted")
    assert as_utc(run.due_at) == DUE and run.counts["breach"] == 1
    [asked] = slack.calls("files.getUploadURLExternal")
    [done] = slack.calls("files.completeUploadExternal")
    assert asked.args["filename"] == f"digest-{project.id}-2026-W48.png"
    assert (done.args["channel_id"], done.args["thread_ts"]) == ("C1", run.message_ts)
    [png] = slack.uploaded_files().values()
    assert png.startswith(PNG) and len(png) > 5000
    assert run.chart_file_id == done.args["files"][0]["id"]
    assert "digests posted 1" in str(report) and "digests" not in str(early)


def test_two_clocks_at_once_post_each_digest_once(engine, session, slack, database_url):
    for number in range(12):
        add(session, channel=f"C{number}")
    # A digest whose clock died after claiming: both clocks see it stale, one takes it over.
    first = session.exec(select(Project).order_by(Project.id)).first()
    session.add(
        DigestRun(
            project_id=first.id,  # type: ignore[union-attr]
            week_key="now-20261123T075000",
            due_at=DUE - timedelta(minutes=10),
            claimed_at=DUE - timedelta(minutes=10),
            claimed_by="dead-clock",
            attempts=1,
        )
    )
    session.commit()
    barrier = threading.Barrier(2)
    reports = []

    def run(name: str) -> None:
        engine = make_engine(database_url)
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        try:
            barrier.wait(timeout=5)
            reports.append(clock(engine, client, DUE + timedelta(seconds=5), name, workers=3))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("clock-a", "clock-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    channels = sorted(call.args["channel"] for call in digests(slack))
    assert channels == sorted(["C0", *(f"C{n}" for n in range(12))])
    assert sum(r.digests.posted for r in reports) == 13
    assert sum(r.digests.retaken for r in reports) == 1
    assert {r.status for r in runs(engine)} == {DigestStatus.POSTED}
    assert len(slack.calls("files.completeUploadExternal")) == 13


def test_a_digest_missed_within_the_grace_window_goes_out_late_once(engine, session, client, slack):
    add(session)

    late = clock(engine, client, DUE + timedelta(hours=5))
    later = clock(engine, client, DUE + timedelta(hours=5, minutes=1))

    assert (late.digests.posted, later.digests.posted) == (1, 0)
    assert len(digests(slack)) == 1


def test_a_digest_missed_beyond_the_grace_window_is_recorded_as_skipped(
    engine, session, client, slack
):
    add(session)

    report = clock(engine, client, DUE + timedelta(hours=7))

    assert (report.digests.posted, report.digests.skipped) == (0, 1)
    assert digests(slack) == []
    [run] = runs(engine)
    assert (run.week_key, run.status) == ("2026-W48", DigestStatus.SKIPPED)
    assert "past the grace window" in (run.error or "")


@pytest.mark.parametrize(
    ("age", "status", "posted"),
    [(DEFAULT_LEASE + timedelta(seconds=1), "posted", 1), (DEFAULT_LEASE / 2, "claimed", 0)],
)
def test_a_stale_claim_is_taken_over_and_a_fresh_one_left_alone(
    age, status, posted, engine, session, client, slack
):
    add(session)
    now = DUE + timedelta(minutes=5)
    session.add(
        DigestRun(
            project_id=1,
            week_key="2026-W48",
            due_at=DUE,
            claimed_at=now - age,
            claimed_by="dead-clock",
            attempts=1,
        )
    )
    session.commit()

    report = clock(engine, client, now)

    assert (report.digests.retaken, report.digests.posted) == (posted, posted)
    [run] = runs(engine)
    assert run.status == status
    assert len(digests(slack)) == posted


def test_a_stale_claim_past_the_grace_window_is_skipped(engine, session, client, slack):
    add(session)
    session.add(
        DigestRun(project_id=1, week_key="2026-W48", due_at=DUE, claimed_at=DUE, attempts=1)
    )
    session.commit()

    report = clock(engine, client, DUE + timedelta(hours=7))

    assert (report.digests.retaken, report.digests.skipped) == (1, 1)
    [run] = runs(engine)
    assert (run.status, run.error) == (
        "skipped",
        "its clock stopped before posting, and past the grace window",
    )


def test_a_slack_error_is_recorded_and_other_projects_still_get_their_digest(
    engine, session, client, slack
):
    broken = add(session, channel="C1")
    add(session, channel="C2")
    slack.fail("chat.postMessage", "not_in_channel", times=1)

    report = clock(engine, client, DUE, workers=1)

    assert (report.digests.posted, report.digests.failed) == (1, 1)
    session.refresh(broken)
    assert "gatebot is not in the channel" in (broken.last_error or "")
    failed, posted = runs(engine)
    assert (failed.status, posted.status) == ("failed", "posted")
    assert clock(engine, client, DUE + DEFAULT_LEASE * 2).digests.posted == 0  # not retried


def test_a_digest_rides_out_a_few_minutes_of_slack_trouble(engine, session, client, slack):
    project = add(session)
    # Slack answers 503 for the first six and a half minutes: the tries at 0, 1 and 3 hit it.
    slack.server_error("chat.postMessage", status=503, times=3)

    passes = [clock(engine, client, DUE + timedelta(minutes=m), ticks=STILL) for m in range(12)]

    # Put off 1, 2, then 4 minutes (not a lease apart, and not given up after 3 attempts).
    assert [m for m, p in enumerate(passes) if p.digests.deferred] == [0, 1, 3]
    assert [m for m, p in enumerate(passes) if p.digests.posted] == [7]
    assert sum(p.digests.failed + p.digests.skipped for p in passes) == 0
    [run] = runs(engine)
    assert (run.status, run.attempts, run.error) == ("posted", 4, None)
    assert as_utc(run.posted_at) == DUE + timedelta(minutes=7) and run.message_ts
    assert len(digests(slack)) == 4  # three refused by the 503, then the one in the channel
    session.refresh(project)
    assert project.last_error is None


def test_a_digest_slack_keeps_failing_is_put_off_with_backoff_then_given_up(
    engine, session, client, slack
):
    project = add(session)
    slack.server_error("chat.postMessage", status=503, times=MAX_ATTEMPTS)

    now, outcomes, waits = DUE, [], []
    for _ in range(MAX_ATTEMPTS):
        report = clock(engine, client, now, ticks=STILL).digests
        outcomes.append((report.posted, report.deferred, report.failed))
        [run] = runs(engine)
        if run.next_attempt_at is None:
            break
        waits.append(as_utc(run.next_attempt_at) - now)
        early = clock(engine, client, as_utc(run.next_attempt_at) - timedelta(seconds=1)).digests
        assert (early.posted, early.deferred, early.failed, early.retaken) == (0, 0, 0, 0)
        now = as_utc(run.next_attempt_at)
    later = clock(engine, client, now + timedelta(hours=3)).digests

    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60)]  # about 2 hours
    assert outcomes == [(0, 1, 0)] * (MAX_ATTEMPTS - 1) + [(0, 0, 1)]
    assert (later.posted, later.deferred, later.failed) == (0, 0, 0)
    [run] = runs(engine)
    assert (run.status, run.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(digests(slack)) == MAX_ATTEMPTS
    session.refresh(project)  # /gate status shows it
    assert project.last_error == run.error
    assert project.last_error.endswith(f"(gave up after {MAX_ATTEMPTS} attempts)")


def test_a_failed_chart_upload_keeps_the_digest_and_says_what_is_missing(
    engine, session, client, slack
):
    project = add(session)
    slack.fail("files.completeUploadExternal", "missing_scope")

    report = clock(engine, client, DUE)
    again = clock(engine, client, DUE + DEFAULT_LEASE * 2)

    assert (report.digests.posted, again.digests.posted) == (1, 0)
    [run] = runs(engine)
    assert run.status == "posted" and run.chart_file_id is None
    assert "not all of its thread" in (run.error or "") and "permission" in (run.error or "")
    session.refresh(project)
    assert project.last_error == run.error
    assert len(digests(slack)) == 1


def test_the_compact_digest_puts_its_headline_in_the_channel_and_details_in_the_thread(
    engine, session, client, slack
):
    add(session, digest_compact=True)

    clock(engine, client, DUE)

    headline, details = slack.calls("chat.postMessage")
    [run] = runs(engine)
    assert "thread_ts" not in headline.args and details.args["thread_ts"] == run.message_ts
    assert "Needs attention" in str(headline.args["blocks"])
    assert "Model health" not in str(headline.args["blocks"])
    assert "Model health" in str(details.args["blocks"])
    [done] = slack.calls("files.completeUploadExternal")
    assert done.args["thread_ts"] == run.message_ts and run.compact


@pytest.mark.parametrize("fields", [{"paused": True}, {"created_at": DUE + timedelta(minutes=1)}])
def test_no_scheduled_digest_for(fields, engine, session, client, slack):
    project = add(session)
    for name, value in fields.items():
        setattr(project, name, value)
    session.add(project)
    session.commit()

    report = clock(engine, client, DUE + timedelta(minutes=5))

    assert report.digests.posted == 0 and runs(engine) == [] and digests(slack) == []


def test_a_project_without_metrics_gets_no_digest(engine, session, client, slack):
    make_project(session)
    session.commit()

    assert clock(engine, client, DUE + timedelta(minutes=5)).digests.posted == 0
    assert runs(engine) == []


def test_a_digest_asked_for_does_not_take_the_weeks_scheduled_slot(engine, session, client, slack):
    project = add(session)
    asked = DUE - timedelta(hours=1)

    first = post_now(session=session, client=client, project=project, user_id="U0PM", now=asked)
    twice = post_now(session=session, client=client, project=project, user_id="U0PM", now=asked)
    report = clock(engine, client, DUE)

    assert first is not None and first.week_key == "now-20261123T070000"
    assert (first.status, first.requested_by) == ("posted", "U0PM")
    assert twice is None  # the same command sent twice in one second posts once
    assert report.digests.posted == 1
    assert [run.week_key for run in runs(engine)] == ["now-20261123T070000", "2026-W48"]
    assert len(digests(slack)) == 2


def test_a_digest_asked_for_again_within_a_minute_posts_once(engine, session, client, slack):
    project = add(session)
    asked = DUE - timedelta(hours=1)

    def ask(after: timedelta) -> DigestRun | None:
        return post_now(
            session=session, client=client, project=project, user_id="U0PM", now=asked + after
        )

    first, repeat, later = ask(timedelta()), ask(timedelta(seconds=1)), ask(timedelta(seconds=95))

    assert first is not None and later is not None
    assert repeat is None  # the same command a second later: "a digest was just posted"
    assert len(digests(slack)) == 2


def test_charts_drawn_in_a_pool_of_processes_are_pngs():
    days = np.datetime64("2026-10-01") + np.arange(30)
    panel = ChartSeries(name="relevance", days=days, values=np.linspace(0.8, 0.7, 30), breach=0.72)

    with Charts(processes=1) as charts:
        pending = charts.submit([panel], "Flagged")
        assert charts.submit([], "Nothing")() is None
        png = pending()

    assert png is not None and png.startswith(PNG)


def test_a_chart_pool_that_cannot_start_falls_back_to_drawing_in_the_thread(monkeypatch):
    days = np.datetime64("2026-10-01") + np.arange(30)
    panel = ChartSeries(name="relevance", days=days, values=np.linspace(0.8, 0.7, 30), breach=0.72)

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no process can be spawned here")

    monkeypatch.setattr(ProcessPoolExecutor, "submit", refuse)
    with Charts(processes=1) as charts:
        png = charts.submit([panel], "Flagged")()

    assert png is not None and png.startswith(PNG)


def test_the_escape_sweep_pages_a_breach_once_and_one_broken_project_stops_nothing(
    engine, session, client, slack, monkeypatch
):
    import bot.escapes.service

    add(session, channel="C1")
    add(session, channel="C2")
    real = bot.escapes.service.evaluate_project

    def flaky(*, project: Project, **kwargs: object):  # type: ignore[no-untyped-def]
        if project.channel_id == "C1":
            raise RuntimeError("a bug in one project")
        return real(project=project, **kwargs)

    monkeypatch.setattr(bot.escapes.service, "evaluate_project", flaky)
    today = DUE.replace(hour=12)

    first = sweep(engine=engine, client_for=lambda team: client, now=today)
    second = sweep(engine=engine, client_for=lambda team: client, now=today)

    assert (first, second) == (1, 0)
    [alert] = [c for c in slack.calls("chat.postMessage") if c.args["channel"] == "C2"]
    assert "relevance_rating" in str(alert.args)


@pytest.mark.parametrize("compact", [False, True])
def test_a_large_projects_digest_continues_in_its_thread_and_slack_takes_every_part(
    session, client, slack, compact
):
    project = large_project(session, now=DUE)
    project.digest_compact = compact
    session.commit()
    built = build(session=session, project=project, now=DUE).message
    assert text_size(built.blocks + built.thread) > MESSAGE.text  # one message could not hold it

    run = post_now(session=session, client=client, project=project, user_id="U0PM", now=DUE)

    assert run is not None and run.status == "posted" and run.error is None
    first, *replies = digests(slack)
    assert "thread_ts" not in first.args and replies
    assert all(reply.args["thread_ts"] == run.message_ts for reply in replies)
    for call in (first, *replies):
        assert fits(call.args["blocks"])  # and the stand-in, like Slack, took each one
    shown = "\n".join(text for call in (first, *replies) for text in texts(call.args["blocks"]))
    assert all(f"{LABEL} {n:02d}" in shown for n in range(25))
    assert shown.count("(primary)") == 10
    hypotheses, gates = set(re.findall(r"\*#\d+\*", shown)), set(re.findall(r"Iterate \d", shown))
    assert len(hypotheses) == len(gates) == 8  # and the rest counted, with where to see them
    assert "_…and 2 more hypotheses: `/hypothesis list` has them all_" in shown
    assert "_…and 2 more gates: `/gate history` has them all_" in shown
    assert shown.startswith("Weekly digest: Search & ranking <beta>\n")  # a plain-text header
    if not compact:
        note = f":thread: Continued in the thread ({len(replies)} more repl"
        assert note in "\n".join(texts(first.args["blocks"]))
