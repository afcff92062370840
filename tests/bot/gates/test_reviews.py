"""The clock's passes: due sprint reviews, exactly once, grace, stale claims, reminders, errors."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock.passes import run_pass
from bot.core.time import as_utc
from bot.demo.standin.slack import SlackStandIn
from bot.gates import GateKind, add_working_hours
from bot.gates.reviews import (
    DEFAULT_LEASE,
    MAX_ATTEMPTS,
    REMINDER_ATTEMPTS,
    latest_boundary,
    next_prompt,
    open_review,
)
from db.models import Workspace
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus
from db.reviews import claim_reminder
from db.session import make_engine
from tests.bot.meanwhile import PostsMeanwhile

# Monday 2 March 2026, 09:30 in Berlin (CET, UTC+1) is 08:30 UTC: sprint 1's prompt.
BOUNDARY = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
LONG_AGO = datetime(2026, 2, 1, tzinfo=UTC)


def STILL() -> float:  # noqa: N802
    """A pass's seconds counter that stands still: every time it writes is its `now`."""
    return 0.0


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def add_project(session: Session, *, channel: str = "C1", **fields: object) -> Project:
    workspace = session.exec(select(Workspace)).first()
    if workspace is None:
        workspace = Workspace(team_id="T0GATEBOT")
        session.add(workspace)
        session.flush()
    values: dict[str, object] = {
        "workspace_id": workspace.id,
        "name": "Search ranking",
        "channel_id": channel,
        "sprint_start": date(2026, 3, 2),
        "timezone": "Europe/Berlin",
        "prompt_time": time(9, 30),
        "pm_lead": "UPM",
        "ds_lead": "UDS",
        "phase": "iteration",
        "created_at": LONG_AGO,
        "updated_at": LONG_AGO,
    }
    project = Project(**(values | fields))
    session.add(project)
    session.commit()
    return project


def clock(engine: Engine, client: WebClient, now: datetime, clock_id: str = "clock-a", **kw):
    return run_pass(engine=engine, client_for=lambda team: client, now=now, clock_id=clock_id, **kw)


def reviews(engine: Engine) -> list[GateReview]:
    with Session(engine) as session:
        return list(session.exec(select(GateReview).order_by(GateReview.id)))


def test_the_sprint_review_goes_out_at_the_boundary_once(engine, session, client, slack):
    project = add_project(session)

    early = clock(engine, client, BOUNDARY - timedelta(minutes=1))
    report = clock(engine, client, BOUNDARY + timedelta(seconds=30))
    again = clock(engine, client, BOUNDARY + timedelta(minutes=1), clock_id="clock-b")

    assert (early.posted, report.posted, again.posted) == (0, 1, 0)
    [call] = slack.calls("chat.postMessage")
    assert call.args["channel"] == "C1"
    assert "Sprint 1 boundary review: Search ranking" in str(call.args["blocks"])
    assert "<@UPM> (PM), <@UDS> (DS)" in str(call.args["blocks"])
    [review] = reviews(engine)
    assert (review.project_id, review.gate_kind, review.occurrence_key) == (
        project.id,
        "sprint_review",
        "sprint-2026-03-02",
    )
    assert review.status == ReviewStatus.POSTED
    assert as_utc(review.due_at) == BOUNDARY
    assert review.message_ts and review.channel_id == "C1"
    posted = as_utc(review.posted_at)
    assert BOUNDARY < posted < BOUNDARY + timedelta(minutes=1)
    # 24 working hours in Berlin from Monday 09:30: Wednesday 15:30 local time.
    assert as_utc(review.remind_at) == add_working_hours(posted, 24, tz="Europe/Berlin")
    assert as_utc(review.remind_at).astimezone(project_zone()).strftime("%a %H:%M") == "Wed 15:30"


def project_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "fields",
    [
        {"paused": True},
        {"phase": "framing"},
        {"phase": "pilot"},
        {"created_at": BOUNDARY + timedelta(minutes=5)},  # set up after the prompt time
        {"updated_at": BOUNDARY + timedelta(minutes=5)},  # edited or resumed after it
        {"sprint_start": date(2026, 3, 3)},  # sprint 1 starts tomorrow
    ],
)
def test_nothing_is_sent_for(fields, engine, session, client, slack):
    add_project(session, **fields)

    report = clock(engine, client, BOUNDARY + timedelta(minutes=10))

    assert report.posted == 0
    assert slack.calls("chat.postMessage") == []
    assert reviews(engine) == []


@pytest.mark.parametrize(
    ("zone", "first_day", "boundary"),
    [
        # The first sprint starts on the day the clocks go forward: 09:30 is already summer time.
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 8, 13, 30, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 3, 29), datetime(2026, 3, 29, 7, 30, tzinfo=UTC)),
        # And on the day they go back: winter time again.
        ("America/New_York", date(2026, 11, 1), datetime(2026, 11, 1, 14, 30, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 10, 25), datetime(2026, 10, 25, 8, 30, tzinfo=UTC)),
    ],
)
def test_the_boundary_follows_the_teams_zone_across_daylight_saving(
    zone, first_day, boundary, engine, session, client, slack
):
    # The clocks change on a Sunday: this team works every day, so nothing moves the prompt.
    add_project(session, timezone=zone, sprint_start=first_day, working_days=list(range(7)))

    before = clock(engine, client, boundary - timedelta(seconds=1))
    at = clock(engine, client, boundary)

    assert (before.posted, at.posted) == (0, 1)
    assert as_utc(reviews(engine)[0].due_at) == boundary


def test_an_edited_calendar_is_used_by_the_next_pass(engine, session, client, slack):
    project = add_project(session)
    clock(engine, client, BOUNDARY + timedelta(minutes=1))
    # On Tuesday the team moves to one-week sprints from Wednesday at 10:00: sprint 1 again.
    project.sprint_length_days = 7
    project.sprint_start = date(2026, 3, 4)
    project.prompt_time = time(10)
    project.updated_at = BOUNDARY + timedelta(days=1)
    session.add(project)
    session.commit()

    wednesday = datetime(2026, 3, 4, 9, 1, tzinfo=UTC)  # 10:01 in Berlin
    passes = [
        clock(engine, client, wednesday),
        clock(engine, client, wednesday + timedelta(days=7)),
        clock(engine, client, BOUNDARY + timedelta(days=14, minutes=1)),  # the old sprint 2
    ]

    assert [p.posted for p in passes] == [1, 1, 0]
    assert [(r.occurrence_key, r.sprint_number, as_utc(r.due_at)) for r in reviews(engine)] == [
        ("sprint-2026-03-02", 1, BOUNDARY),
        ("sprint-2026-03-04", 1, wednesday - timedelta(minutes=1)),
        ("sprint-2026-03-11", 2, wednesday + timedelta(days=7, minutes=-1)),
    ]


def test_a_prompt_missed_within_the_grace_window_is_sent_late_once(engine, session, client, slack):
    add_project(session)

    report = clock(engine, client, BOUNDARY + timedelta(hours=3), grace=timedelta(hours=6))
    clock(engine, client, BOUNDARY + timedelta(hours=4), grace=timedelta(hours=6))

    assert report.posted == 1
    [call] = slack.calls("chat.postMessage")
    assert "(posted late: the clock was down at 09:30)" in str(call.args["blocks"])


def test_a_prompt_missed_beyond_the_grace_window_is_recorded_as_skipped(
    engine, session, client, slack
):
    add_project(session)

    report = clock(engine, client, BOUNDARY + timedelta(hours=7), grace=timedelta(hours=6))
    again = clock(engine, client, BOUNDARY + timedelta(hours=8), grace=timedelta(hours=6))

    assert (report.skipped, report.posted, again.skipped) == (1, 0, 0)
    assert slack.calls("chat.postMessage") == []
    [review] = reviews(engine)
    assert (review.occurrence_key, review.status) == ("sprint-2026-03-02", ReviewStatus.SKIPPED)


def test_two_clocks_at_once_post_each_prompt_once(engine, session, slack, database_url):
    for number in range(6):
        add_project(session, channel=f"C{number}")
    # A claim whose clock died: both clocks see it stale, one takes it over.
    first = session.exec(select(Project).order_by(Project.id)).first()
    dead = GateReview(
        project_id=first.id,
        gate_kind="escape",
        occurrence_key="phase-pilot",
        due_at=BOUNDARY,
        claimed_at=BOUNDARY - timedelta(minutes=10),
        claimed_by="dead-clock",
        attempts=1,
    )
    session.add(dead)
    session.commit()
    barrier = threading.Barrier(2)
    reports = []

    def run(name: str) -> None:
        engine = make_engine(database_url)
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        try:
            barrier.wait(timeout=5)
            reports.append(clock(engine, client, BOUNDARY + timedelta(seconds=5), clock_id=name))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("clock-a", "clock-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    calls = slack.calls("chat.postMessage")
    assert sorted(call.args["channel"] for call in calls) == [
        "C0",
        "C0",
        *(f"C{n}" for n in range(1, 6)),
    ]
    assert sum(r.posted for r in reports) == 7 and sum(r.retaken for r in reports) == 1
    assert {r.status for r in reviews(engine)} == {ReviewStatus.POSTED}


def test_a_busy_boundary_is_shared_by_workers_and_clocks_and_posted_once(
    engine, session, slack, database_url
):
    for number in range(45):  # three claim batches per clock
        add_project(session, channel=f"C{number}")
    barrier = threading.Barrier(2)
    reports = []

    def run(name: str) -> None:
        engine = make_engine(database_url)
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        try:
            barrier.wait(timeout=5)
            reports.append(clock(engine, client, BOUNDARY, clock_id=name, workers=3))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("clock-a", "clock-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    channels = [call.args["channel"] for call in slack.calls("chat.postMessage")]
    assert sorted(channels) == sorted(f"C{number}" for number in range(45))
    assert sum(r.posted for r in reports) == 45
    assert [r.status for r in reviews(engine)] == [ReviewStatus.POSTED] * 45


def test_a_stale_claim_is_taken_over_and_posted(engine, session, client, slack):
    project = add_project(session)
    now = BOUNDARY + timedelta(minutes=5)
    # The sprint review's clock died past the lease; /gate now's post is still in flight.
    for key, age in (
        ("sprint-2026-03-02", DEFAULT_LEASE + timedelta(seconds=1)),
        ("now-1", DEFAULT_LEASE / 2),
    ):
        session.add(
            GateReview(
                project_id=project.id,
                gate_kind="sprint_review",
                occurrence_key=key,
                sprint_number=1,
                due_at=BOUNDARY,
                claimed_at=now - age,
                claimed_by="dead-clock",
                attempts=1,
            )
        )
    session.commit()

    report = clock(engine, client, now)

    assert (report.retaken, report.posted) == (1, 1)
    stale, fresh = reviews(engine)
    assert (stale.status, stale.claimed_by, stale.attempts) == (ReviewStatus.POSTED, "clock-a", 2)
    assert (fresh.status, fresh.claimed_by) == (ReviewStatus.CLAIMED, "dead-clock")
    assert len(slack.calls("chat.postMessage")) == 1


@pytest.mark.parametrize(
    ("attempts", "paused", "status", "error"),
    [
        (
            MAX_ATTEMPTS,
            False,
            ReviewStatus.FAILED,
            f"posting it kept failing (gave up after {MAX_ATTEMPTS + 1} attempts)",
        ),
        (
            1,
            True,
            ReviewStatus.SKIPPED,
            "its clock stopped before posting, and the project is paused",
        ),
    ],
)
def test_a_stale_claim_is_not_posted_when(
    attempts, paused, status, error, engine, session, client, slack
):
    project = add_project(session, paused=paused, phase="pilot")
    session.add(
        GateReview(
            project_id=project.id,
            gate_kind="escape",
            occurrence_key="phase-pilot",
            due_at=BOUNDARY,
            claimed_at=BOUNDARY,
            claimed_by="dead-clock",
            attempts=attempts,
        )
    )
    session.commit()

    report = clock(engine, client, BOUNDARY + timedelta(minutes=5))

    assert report.retaken == 1 and report.posted == 0
    [review] = reviews(engine)
    assert (review.status, review.error) == (status, error)
    assert slack.calls("chat.postMessage") == []


def test_a_project_with_a_broken_calendar_does_not_stop_the_others(engine, session, client, slack):
    add_project(session, channel="C1", timezone="Mars/Olympus_Mons")
    add_project(session, channel="C2")

    report = clock(engine, client, BOUNDARY)

    assert report.posted == 1
    assert [call.args["channel"] for call in slack.calls("chat.postMessage")] == ["C2"]


def test_one_reminder_in_the_thread_when_nobody_answered(engine, session, client, slack):
    add_project(session, channel="C1")
    answered = add_project(session, channel="C2")
    clock(engine, client, BOUNDARY)
    with Session(engine) as other:
        review = other.exec(select(GateReview).where(GateReview.project_id == answered.id)).one()
        other.add(
            GateAnswer(review_id=review.id, question_key="assumption", user_id="U9", text="x")
        )
        other.commit()
    wednesday = datetime(2026, 3, 4, 14, 31, tzinfo=UTC)  # 15:31 Berlin: 24 working hours on

    before = clock(engine, client, wednesday - timedelta(minutes=2))
    report = clock(engine, client, wednesday)
    again = clock(engine, client, wednesday + timedelta(days=1), clock_id="clock-b")

    assert (before.reminded, report.reminded, again.reminded) == (0, 1, 0)
    _, _, reminder = slack.calls("chat.postMessage")
    assert reminder.args["channel"] == "C1"
    first = reviews(engine)[0]
    assert reminder.args["thread_ts"] == first.message_ts
    assert "<@UPM> <@UDS>" in reminder.args["text"]
    assert wednesday <= as_utc(first.reminded_at) < wednesday + timedelta(minutes=1)


def test_a_reminder_claimed_by_a_clock_that_died_is_posted_after_the_lease(
    engine, session, client, slack
):
    add_project(session, channel="C1")
    clock(engine, client, BOUNDARY)
    wednesday = datetime(2026, 3, 4, 14, 31, tzinfo=UTC)
    [review] = reviews(engine)
    with Session(engine) as dying:  # claimed, then the process died before posting
        assert claim_reminder(
            session=dying,
            review_id=review.id,
            now=wednesday,
            lease=DEFAULT_LEASE,
            attempts=REMINDER_ATTEMPTS,
        )
        dying.commit()

    within = clock(engine, client, wednesday + DEFAULT_LEASE / 2, clock_id="clock-b")
    after = clock(engine, client, wednesday + DEFAULT_LEASE * 2, clock_id="clock-b")
    later = clock(engine, client, wednesday + timedelta(days=1), clock_id="clock-c")

    assert (within.reminded, after.reminded, later.reminded) == (0, 1, 0)
    _, reminder = slack.calls("chat.postMessage")
    assert reminder.args["thread_ts"] == review.message_ts
    [review] = reviews(engine)
    assert review.reminder_ts is not None and review.reminder_attempts == 2


def test_a_reminder_slack_keeps_failing_is_put_off_with_backoff_then_given_up(
    engine, session, client, slack
):
    project = add_project(session, channel="C1")
    clock(engine, client, BOUNDARY)
    wednesday = datetime(2026, 3, 4, 14, 31, tzinfo=UTC)
    slack.server_error("chat.postMessage", status=503, times=REMINDER_ATTEMPTS)

    now, outcomes, waits = wednesday, [], []
    for _ in range(REMINDER_ATTEMPTS):
        report = clock(engine, client, now, ticks=STILL)
        outcomes.append((report.reminded, report.deferred, report.failed))
        [review] = reviews(engine)
        if review.remind_at is None:
            break
        waits.append(as_utc(review.remind_at) - now)
        early = clock(engine, client, as_utc(review.remind_at) - timedelta(seconds=1))
        assert (early.reminded, early.deferred, early.failed) == (0, 0, 0)
        now = as_utc(review.remind_at)
    later = clock(engine, client, now + timedelta(days=1))

    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60)]  # about 2 hours
    assert outcomes == [(0, 1, 0)] * (REMINDER_ATTEMPTS - 1) + [(0, 0, 1)]
    assert (later.reminded, later.deferred, later.failed) == (0, 0, 0)
    [review] = reviews(engine)
    assert review.reminder_ts is None and review.reminder_attempts == REMINDER_ATTEMPTS
    assert len(slack.calls("chat.postMessage")) == 1 + REMINDER_ATTEMPTS
    session.refresh(project)  # /gate status shows it
    assert project.last_error.startswith("the reminder was not posted: ")
    assert project.last_error.endswith(
        f"(fatal_error) (gave up after {REMINDER_ATTEMPTS} attempts)"
    )


def test_a_reminder_rides_out_a_few_minutes_of_slack_trouble(engine, session, client, slack):
    project = add_project(session, channel="C1")
    clock(engine, client, BOUNDARY)
    wednesday = datetime(2026, 3, 4, 14, 31, tzinfo=UTC)
    slack.server_error("chat.postMessage", status=503, times=3)

    passes = [
        clock(engine, client, wednesday + timedelta(minutes=m), ticks=STILL) for m in range(12)
    ]

    # Failed at 0, 1 and 3 minutes; posted at 7, once the backoff (1, 2, 4 minutes) ran out.
    assert [m for m, p in enumerate(passes) if p.deferred] == [0, 1, 3]
    assert [m for m, p in enumerate(passes) if p.reminded] == [7]
    *_, reminder = slack.calls("chat.postMessage")
    [review] = reviews(engine)
    assert reminder.args["thread_ts"] == review.message_ts and review.reminder_ts
    session.refresh(project)
    assert project.last_error is None


def test_a_pass_reaching_the_reminders_late_claims_them_at_the_time_it_does(
    engine, session, client, slack
):
    add_project(session, channel="C1")
    clock(engine, client, BOUNDARY)
    wednesday = datetime(2026, 3, 4, 14, 31, tzinfo=UTC)
    # Clock A's pass starts at `wednesday`; its earlier stages take three minutes (more than
    # the lease), so it claims the reminder three minutes on. While it posts it, clock B runs.
    spent = itertools.chain([0.0], itertools.repeat(180.0)).__next__
    seconds = []

    def clock_b() -> None:
        seconds.append(clock(engine, client, wednesday + timedelta(minutes=3, seconds=1), "b"))

    slow = PostsMeanwhile(meanwhile=clock_b, token="xoxb-test", base_url=slack.api_url)

    first = clock(engine, slow, wednesday, ticks=spent)

    reminders = [c for c in slack.calls("chat.postMessage") if c.args.get("thread_ts")]
    assert len(reminders) == 1
    assert (first.reminded, [r.reminded for r in seconds]) == (1, [0])


def test_a_reminder_another_clock_put_off_is_not_claimed_early(engine, session, client, slack):
    add_project(session, channel="C1")
    clock(engine, client, BOUNDARY)
    wednesday = datetime(2026, 3, 4, 14, 31, tzinfo=UTC)
    slack.server_error("chat.postMessage", status=503, times=1)
    seconds = []

    def client_for_a(team_id: str) -> WebClient:
        # Clock A has listed the due reminder; before it claims it, clock B tries and fails.
        seconds.append(clock(engine, client, wednesday, clock_id="clock-b", ticks=STILL))
        return client

    first = run_pass(
        engine=engine, client_for=client_for_a, now=wednesday, clock_id="clock-a", ticks=STILL
    )

    assert ([r.deferred for r in seconds], first.reminded, first.deferred) == ([1], 0, 0)
    assert len(slack.calls("chat.postMessage")) == 2  # the prompt, then B's failed reminder
    [review] = reviews(engine)
    assert as_utc(review.remind_at) == wednesday + timedelta(minutes=1)


@pytest.mark.parametrize("status", [ReviewStatus.DECIDED, ReviewStatus.FAILED])
def test_no_reminder_once_decided_or_failed(status, engine, session, client, slack):
    add_project(session)
    clock(engine, client, BOUNDARY)
    with Session(engine) as other:
        review = other.exec(select(GateReview)).one()
        review.status = status
        other.add(review)
        other.commit()

    report = clock(engine, client, BOUNDARY + timedelta(days=7))

    assert report.reminded == 0
    assert len(slack.calls("chat.postMessage")) == 1


def test_a_slack_error_is_recorded_and_other_projects_still_get_their_prompt(
    engine, session, client, slack
):
    broken = add_project(session, channel="CGONE")
    add_project(session, channel="C2")
    slack.fail("chat.postMessage", "channel_not_found", times=1)

    report = clock(engine, client, BOUNDARY)
    later = clock(engine, client, BOUNDARY + timedelta(minutes=5))

    assert (report.failed, report.posted, later.posted, later.failed) == (1, 1, 0, 0)
    failed, posted = reviews(engine)
    assert failed.status == ReviewStatus.FAILED and "channel_not_found" in (failed.error or "")
    assert posted.status == ReviewStatus.POSTED
    session.refresh(broken)
    assert "channel was not found" in (broken.last_error or "")
    assert as_utc(broken.last_error_at) > BOUNDARY
    assert len(slack.calls("chat.postMessage")) == 2  # the failed one is not retried


def test_a_prompt_rides_out_a_few_minutes_of_slack_trouble(engine, session, client, slack):
    project = add_project(session)
    # Slack answers 503 for the first six and a half minutes: the tries at 0, 1 and 3 hit it.
    slack.server_error("chat.postMessage", status=503, times=3)

    passes = [
        clock(engine, client, BOUNDARY + timedelta(minutes=m), ticks=STILL) for m in range(12)
    ]

    # Put off 1, 2, then 4 minutes (not a lease apart, and not given up after 3 attempts).
    assert [m for m, p in enumerate(passes) if p.deferred] == [0, 1, 3]
    assert [m for m, p in enumerate(passes) if p.posted] == [7]
    assert sum(p.failed + p.skipped for p in passes) == 0
    [review] = reviews(engine)
    assert (review.status, review.attempts) == (ReviewStatus.POSTED, 4)
    assert as_utc(review.posted_at) == BOUNDARY + timedelta(minutes=7)
    assert review.error is None and review.next_attempt_at is None
    *_, prompt = slack.calls("chat.postMessage")
    assert prompt.args["channel"] == "C1" and review.message_ts
    assert "posted late" not in str(prompt.args["blocks"])  # seven minutes is not late
    session.refresh(project)
    assert project.last_error is None


def test_a_prompt_slack_keeps_failing_is_put_off_with_backoff_then_given_up(
    engine, session, client, slack
):
    project = add_project(session)
    slack.server_error("chat.postMessage", status=503, times=MAX_ATTEMPTS)

    now, outcomes, waits = BOUNDARY, [], []
    for _ in range(MAX_ATTEMPTS):
        report = clock(engine, client, now, ticks=STILL)
        outcomes.append((report.posted, report.deferred, report.failed))
        [review] = reviews(engine)
        if review.next_attempt_at is None:
            break
        waits.append(as_utc(review.next_attempt_at) - now)
        early = clock(engine, client, as_utc(review.next_attempt_at) - timedelta(seconds=1))
        assert (early.posted, early.deferred, early.failed, early.retaken) == (0, 0, 0, 0)
        now = as_utc(review.next_attempt_at)
    later = clock(engine, client, now + timedelta(days=1))

    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60)]  # about 2 hours
    assert outcomes == [(0, 1, 0)] * (MAX_ATTEMPTS - 1) + [(0, 0, 1)]
    assert (later.posted, later.deferred, later.failed) == (0, 0, 0)
    [review] = reviews(engine)
    assert (review.status, review.attempts) == (ReviewStatus.FAILED, MAX_ATTEMPTS)
    assert len(slack.calls("chat.postMessage")) == MAX_ATTEMPTS
    session.refresh(project)  # /gate status shows it
    assert project.last_error == review.error
    assert project.last_error.endswith(f"(gave up after {MAX_ATTEMPTS} attempts)")


def test_a_prompt_put_off_past_the_grace_window_is_still_posted(engine, session, client, slack):
    add_project(session)
    grace = timedelta(minutes=30)
    slack.server_error("chat.postMessage", status=503, times=3)

    # Claimed 25 minutes late, inside the grace window; Slack's trouble pushes it past it.
    passes = [
        clock(engine, client, BOUNDARY + timedelta(minutes=m), grace=grace, ticks=STILL)
        for m in range(25, 36)
    ]

    assert [25 + m for m, p in enumerate(passes) if p.deferred] == [25, 26, 28]
    assert [25 + m for m, p in enumerate(passes) if p.posted] == [32]
    assert sum(p.skipped for p in passes) == 0
    [review] = reviews(engine)
    assert review.status == ReviewStatus.POSTED


def test_a_refusal_is_not_put_off(engine, session, client, slack):
    project = add_project(session)
    slack.fail("chat.postMessage", "is_archived", times=1)

    first = clock(engine, client, BOUNDARY, ticks=STILL)
    later = clock(engine, client, BOUNDARY + timedelta(minutes=5), ticks=STILL)

    assert (first.failed, first.deferred, later.posted, later.retaken) == (1, 0, 0, 0)
    [review] = reviews(engine)
    assert (review.status, review.attempts, review.next_attempt_at) == (
        ReviewStatus.FAILED,
        1,
        None,
    )
    session.refresh(project)
    assert project.last_error == review.error
    assert len(slack.calls("chat.postMessage")) == 1


def test_open_review_claims_an_occurrence_once(engine, session, client, slack):
    project = add_project(session, phase="pilot")
    asked = dict(
        session=session,
        client=client,
        project=project,
        gate_kind=GateKind.ESCAPE,
        occurrence_key="phase-pilot",
        due_at=BOUNDARY,
        now=BOUNDARY,
        clock_id="command:/gate",
    )

    first = open_review(**asked)
    second = open_review(**asked)

    assert first is not None and first.status == ReviewStatus.POSTED
    assert second is None
    [call] = slack.calls("chat.postMessage")
    assert "Escape gate: Search ranking" in str(call.args["blocks"])


def test_a_stopping_clock_releases_the_claims_it_has_not_posted(engine, session, client, slack):
    for number in range(3):
        add_project(session, channel=f"C{number}")
    stop = threading.Event()

    def client_for(team_id: str) -> WebClient:
        stop.set()  # SIGTERM arrives while the first prompt is being posted
        return client

    report = run_pass(
        engine=engine, client_for=client_for, now=BOUNDARY, clock_id="clock-a", stop=stop
    )

    assert report.posted == 1
    assert [r.occurrence_key for r in reviews(engine)] == ["sprint-2026-03-02"]
    assert clock(engine, client, BOUNDARY + timedelta(minutes=1)).posted == 2


def test_the_next_prompt_and_the_latest_boundary_follow_the_calendar(session):
    project = add_project(session)

    assert latest_boundary(project=project, now=BOUNDARY - timedelta(seconds=1)) is None
    assert latest_boundary(project=project, now=BOUNDARY).at == BOUNDARY
    upcoming = next_prompt(project=project, now=BOUNDARY)
    assert (upcoming.number, upcoming.at) == (2, BOUNDARY + timedelta(days=14))
    project.paused = True
    assert next_prompt(project=project, now=BOUNDARY) is None


def test_times_read_back_are_aware_utc_on_both_backends(engine, session, client):
    add_project(session)
    clock(engine, client, BOUNDARY)

    with Session(engine) as fresh:
        review = fresh.exec(select(GateReview)).one()
        project = fresh.exec(select(Project)).one()

    # SQLite returns these naive; as_utc makes every backend agree.
    assert as_utc(review.due_at) == BOUNDARY and as_utc(review.due_at).tzinfo is UTC
    assert as_utc(project.created_at) == LONG_AGO
    assert as_utc(datetime(2026, 3, 2, 8, 30)) == BOUNDARY
    assert as_utc(BOUNDARY.astimezone(project_zone())) == BOUNDARY
