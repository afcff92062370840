"""The worker: jobs run once, retried with backoff, retaken after a dead worker's lease."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.core.errors import InvalidInput
from bot.demo.standin.slack import SlackStandIn
from bot.outbox import service as outbox
from bot.queue.embedded import EmbeddedWorker
from bot.queue.service import enqueue, enqueue_next
from bot.queue.tasks import JobRef, task
from bot.queue.worker import Worker, WorkerOptions
from bot.slack.posting import metadata
from db import queue
from db.columns import utcnow
from db.models.outbox import OutboxMessage
from db.models.queue import JobStatus, QueuedJob

FAILURES: dict[str, int] = {}  # text -> how many more times `flaky_post` raises


@task("tests.post")
def post(*, client: WebClient, channel_id: str, text: str) -> None:
    """Post `text`: what the person sees when the job ran."""
    client.chat_postMessage(channel=channel_id, text=text)


@task("tests.flaky_post")
def flaky_post(*, client: WebClient, channel_id: str, text: str, user_id: str = "") -> None:
    """Raise while FAILURES says so, then post."""
    if FAILURES.get(text, 0) > 0:
        FAILURES[text] -= 1
        raise ConnectionError("the database went away")
    client.chat_postMessage(channel=channel_id, text=text)


@task("tests.refuse")
def refuse(*, user_id: str) -> None:
    """Refuse as a domain function does when the person asked for something impossible."""
    raise InvalidInput("That project was deleted.")


@task("tests.needs_nothing")
def needs_nothing(**fields: object) -> None:
    """Record what it was handed: a task that names no resource is handed none."""
    HANDED.append(dict(fields))


HANDED: list[dict[str, object]] = []


@task("tests.keyed_post")
def keyed_post(*, session: Session, client: WebClient, channel_id: str, text: str) -> None:
    """Post through the outbox under a fixed key, as a decision or a summary is posted."""
    message = OutboxMessage(team_id="T1", channel_id=channel_id, text=text, post_key="decision:1")
    outbox.send(session=session, client=client, message=message)


@task("tests.check_then_post")
def check_then_post(*, session: Session, job: JobRef, channel_id: str, text: str) -> None:
    """A first step that queues its follow-up, as a check queues the verdict's reply."""
    enqueue_next(session=session, after=job, task=post, channel_id=channel_id, text=text)
    session.commit()


def _worker(engine: Engine, slack: SlackStandIn, **options: object) -> Worker:
    client = WebClient(token="xoxb-test", base_url=slack.api_url)  # noqa: S106 (a test value)
    defaults: dict[str, object] = {"threads": 2, "retry_base": timedelta(milliseconds=10)}
    return Worker(
        engine=engine,
        client_for=lambda _team: client,
        checker=object(),
        options=WorkerOptions(**{**defaults, **options}),  # type: ignore[arg-type]
    )


def _queue(engine: Engine, job_task, **payload: object) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        job_id = enqueue(session=session, task=job_task, team_id="T1", **payload)
        session.commit()
    assert job_id is not None
    return job_id


def _job(engine: Engine, job_id: int) -> QueuedJob:
    with Session(engine) as session:
        job = session.get(QueuedJob, job_id)
        assert job is not None
        return job


def _texts(slack: SlackStandIn) -> list[str]:
    return [call.args["text"] for call in slack.calls("chat.postMessage")]


def test_a_queued_job_is_run_once_and_marked_done(engine: Engine, slack: SlackStandIn):
    job_id = _queue(engine, post, channel_id="C1", text="Gate prompt")
    worker = EmbeddedWorker(_worker(engine, slack)).start()
    try:
        worker.wait_until_drained(timeout=10)
    finally:
        worker.stop()
    assert _texts(slack) == ["Gate prompt"]
    job = _job(engine, job_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)


def test_nothing_runs_until_the_transaction_that_queued_it_commits(
    engine: Engine, slack: SlackStandIn
):
    worker = _worker(engine, slack)
    with Session(engine) as session:
        enqueue(session=session, task=post, channel_id="C1", text="never")
        session.rollback()
    assert worker.run_one() is False
    assert _texts(slack) == []


def test_a_repeated_key_queues_one_job(engine: Engine, slack: SlackStandIn):
    with Session(engine) as session:
        first = enqueue(session=session, task=post, key="view:T1:V1", channel_id="C1", text="a")
        second = enqueue(session=session, task=post, key="view:T1:V1", channel_id="C1", text="b")
        session.commit()
    assert first is not None and second is None
    worker = _worker(engine, slack)
    while worker.run_one():
        pass
    assert _texts(slack) == ["a"]


def test_a_failing_job_is_retried_with_backoff_then_done(engine: Engine, slack: SlackStandIn):
    FAILURES["retried"] = 2
    job_id = _queue(engine, flaky_post, channel_id="C1", text="retried")
    worker = _worker(engine, slack, retry_base=timedelta(seconds=30))
    assert worker.run_one() is True
    job = _job(engine, job_id)
    assert job.status == JobStatus.QUEUED and "database went away" in (job.last_error or "")
    waited = (queue.as_utc(job.run_after) - utcnow()).total_seconds()
    assert 25 < waited <= 30  # the first retry waits retry_base
    assert worker.run_one() is False  # not due yet

    quick = _worker(engine, slack)
    with Session(engine) as session:  # bring the retry forward rather than sleep through it
        stored = session.get(QueuedJob, job_id)
        assert stored is not None
        stored.run_after = utcnow()
        session.add(stored)
        session.commit()
    for _ in range(10):
        quick.run_one()
        if _job(engine, job_id).status == JobStatus.DONE:
            break
        threading.Event().wait(0.05)
    assert _texts(slack) == ["retried"]
    assert _job(engine, job_id).attempts == 3


def test_a_job_failing_every_attempt_gives_up_and_tells_the_person(
    engine: Engine, slack: SlackStandIn
):
    FAILURES["doomed"] = 100
    job_id = _queue(engine, flaky_post, channel_id="C1", text="doomed", user_id="U0PM")
    worker = EmbeddedWorker(_worker(engine, slack, max_attempts=3)).start()
    try:
        worker.wait_until_drained(timeout=10)
    finally:
        worker.stop()
    job = _job(engine, job_id)
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    [told] = slack.calls("chat.postMessage")
    assert told.args["channel"] == "U0PM"
    assert "went wrong" in told.args["text"].lower() or "error" in told.args["text"].lower()


NEVER_POLLS = 120.0  # seconds: far longer than a test waits, so a thread waiting it out fails


def test_an_idle_worker_stops_at_once_not_at_its_next_poll(engine: Engine, slack: SlackStandIn):
    _queue(engine, post, channel_id="C1", text="done before the stop")
    worker = EmbeddedWorker(_worker(engine, slack, poll_seconds=NEVER_POLLS)).start()
    worker.wait_until_drained(timeout=30)  # every thread now idle, waiting for work
    stopping = threading.Thread(target=worker.stop, daemon=True)
    stopping.start()
    stopping.join(timeout=30)
    assert not stopping.is_alive(), "stop() waited for the idle threads' poll"
    assert _texts(slack) == ["done before the stop"]


def test_work_queued_while_idle_wakes_the_worker(engine: Engine, slack: SlackStandIn):
    worker = EmbeddedWorker(_worker(engine, slack, poll_seconds=NEVER_POLLS)).start()
    try:
        worker.wait_until_drained(timeout=30)
        _queue(engine, post, channel_id="C1", text="queued later")
        slack.wait_for("chat.postMessage", timeout=30)
    finally:
        worker.stop()
    assert _texts(slack) == ["queued later"]


def test_a_retry_runs_when_it_falls_due_not_at_the_next_poll(engine: Engine, slack: SlackStandIn):
    FAILURES["soon again"] = 2
    job_id = _queue(engine, flaky_post, channel_id="C1", text="soon again")
    worker = EmbeddedWorker(_worker(engine, slack, poll_seconds=NEVER_POLLS)).start()
    try:
        worker.wait_until_drained(timeout=30)
    finally:
        worker.stop()
    assert _texts(slack) == ["soon again"]
    assert (_job(engine, job_id).status, _job(engine, job_id).attempts) == (JobStatus.DONE, 3)


def test_a_refusal_is_not_retried_and_the_person_reads_why(engine: Engine, slack: SlackStandIn):
    job_id = _queue(engine, refuse, user_id="U0PM")
    worker = _worker(engine, slack)
    assert worker.run_one() is True
    assert _job(engine, job_id).status == JobStatus.FAILED
    [told] = slack.calls("chat.postMessage")
    assert (told.args["channel"], told.args["text"]) == ("U0PM", "That project was deleted.")


def test_a_task_naming_no_resource_is_handed_only_its_payload(engine: Engine, slack: SlackStandIn):
    HANDED.clear()
    _queue(engine, needs_nothing, project_id=7, metric_ids=[1, 2])
    assert _worker(engine, slack).run_one() is True
    assert HANDED == [{"project_id": 7, "metric_ids": [1, 2]}]


def test_a_dead_workers_job_is_retaken_after_its_lease_and_done_once(
    engine: Engine, slack: SlackStandIn
):
    job_id = _queue(engine, post, channel_id="C1", text="once")
    with Session(engine) as session:  # a worker claims it, then dies before running it
        dead = queue.claim(
            session=session, worker_id="dead", now=utcnow(), lease=timedelta(seconds=30)
        )
    assert dead is not None and dead.id == job_id
    worker = _worker(engine, slack)
    assert worker.run_one() is False  # still leased

    with Session(engine) as session:  # the lease runs out
        later = utcnow() + timedelta(seconds=31)
        retaken = queue.claim(
            session=session, worker_id=worker.name, now=later, lease=timedelta(seconds=30)
        )
    assert retaken is not None and retaken.attempts == 2
    worker._run_and_settle(retaken)  # noqa: SLF001 (the job that claim() leased to it)
    with Session(engine) as session:  # the dead worker's late finish changes nothing
        assert queue.finish(session=session, job=dead, worker_id="dead", now=utcnow()) is False
        session.commit()
    assert _texts(slack) == ["once"]
    assert _job(engine, job_id).status == JobStatus.DONE


@pytest.mark.parametrize("threads", [4])
def test_concurrent_workers_run_each_job_once(engine: Engine, slack: SlackStandIn, threads: int):
    for n in range(40):
        _queue(engine, post, channel_id="C1", text=f"job {n}")
    workers = [EmbeddedWorker(_worker(engine, slack, threads=threads)).start() for _ in range(2)]
    try:
        workers[0].wait_until_drained(timeout=30)
    finally:
        for worker in workers:
            worker.stop()
    assert sorted(_texts(slack)) == sorted(f"job {n}" for n in range(40))
    with Session(engine) as session:
        statuses = set(session.exec(select(QueuedJob.status)))
    assert statuses == {JobStatus.DONE}


def test_the_queue_depth_counts_unfinished_jobs_and_the_oldest_age(
    engine: Engine, slack: SlackStandIn
):
    _queue(engine, post, channel_id="C1", text="a")
    _queue(engine, post, channel_id="C1", text="b")
    with Session(engine) as session:
        depth = queue.depth(session=session)
    assert (depth.waiting, depth.running) == (2, 0)
    age = depth.oldest_age(utcnow() + timedelta(seconds=10))
    assert age is not None and 9 < age < 12
    _worker(engine, slack).run_one()
    with Session(engine) as session:
        assert queue.depth(session=session).waiting == 1


def test_a_follow_up_step_runs_before_work_queued_after_its_input(
    engine: Engine, slack: SlackStandIn
):
    # The first person's check is done: their verdict must not wait behind later checks.
    first = _queue(engine, check_then_post, channel_id="C1", text="First verdict")
    for n in range(3):
        _queue(engine, post, channel_id="C1", text=f"Later request {n}")
    worker = _worker(engine, slack)

    assert worker.run_one() and worker.run_one()

    assert _texts(slack) == ["First verdict"]
    with Session(engine) as session:
        follow_up = session.exec(
            select(QueuedJob).where(QueuedJob.key == f"after:{first}:tests.post")
        ).one()
    assert follow_up.status == JobStatus.DONE


def test_a_retaken_job_finds_the_post_its_dead_run_left_and_posts_nothing(
    engine: Engine, slack: SlackStandIn
):
    job_id = _queue(engine, keyed_post, channel_id="C1", text="Decision: go")
    with Session(engine) as session:  # a worker takes it, posts, and dies before the answer
        queue.claim(
            session=session, worker_id="dead", now=utcnow(), lease=timedelta(milliseconds=1)
        )
    client = WebClient(token="xoxb-test", base_url=slack.api_url)  # noqa: S106 (a test value)
    client.chat_postMessage(channel="C1", text="Decision: go", metadata=metadata("decision:1"))

    assert _worker(engine, slack).run_one()  # the lease ran out: retaken, attempt 2

    assert [m["text"] for m in slack.messages("C1")] == ["Decision: go"]
    assert slack.calls("conversations.history")  # it looked before it would have posted
    assert _job(engine, job_id).status == JobStatus.DONE
