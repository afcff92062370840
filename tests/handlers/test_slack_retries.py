"""Slack's event retries (X-Slack-Retry-Num) are acked and acted on once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlmodel import Session, select

from bot.demo.standin.slack_requests import Reply
from bot.slack import dedupe
from db.columns import utcnow
from db.models.outbox import SlackReceipt
from tests.live_app import LiveApp

HOME_OPENED = {"type": "app_home_opened", "user": "U0PM", "channel": "D0HOME", "tab": "home"}


def _twice_at_once(send: object) -> list[Reply]:
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda _: send(), range(2)))  # type: ignore[operator]


def _receipts(live: LiveApp) -> list[SlackReceipt]:
    with Session(live.engine) as session:
        return list(session.exec(select(SlackReceipt)))


def test_a_retried_event_is_acked_and_handled_once(live_app: LiveApp):
    first = live_app.sender.event(HOME_OPENED, event_id="Ev0HOME00001")
    retry = live_app.sender.event(HOME_OPENED, event_id="Ev0HOME00001", retry_num=1)
    live_app.drain()

    assert first.status == retry.status == 200
    assert len(live_app.slack.calls("views.publish")) == 1
    assert [r.delivery_key for r in _receipts(live_app)] == [
        f"event:{live_app.slack.team_id}:Ev0HOME00001"
    ]


def test_the_same_event_delivered_twice_at_once_is_handled_once(live_app: LiveApp):
    replies = _twice_at_once(
        lambda: live_app.sender.event(HOME_OPENED, event_id="Ev0HOME00002", retry_num=1)
    )
    live_app.drain()

    assert [r.status for r in replies] == [200, 200]
    assert len(live_app.slack.calls("views.publish")) == 1


def test_different_events_are_each_handled(live_app: LiveApp):
    live_app.sender.event(HOME_OPENED, event_id="Ev0HOME00003")
    live_app.sender.event(HOME_OPENED, event_id="Ev0HOME00004")
    live_app.drain()

    assert len(live_app.slack.calls("views.publish")) == 2


def test_the_clock_forgets_receipts_after_a_day(live_app: LiveApp):
    live_app.sender.event(HOME_OPENED, event_id="Ev0HOME00005")
    live_app.drain()
    assert len(_receipts(live_app)) == 1

    with Session(live_app.engine) as session:
        assert dedupe.prune(session=session, now=utcnow() + timedelta(hours=23)) == 0
        assert dedupe.prune(session=session, now=utcnow() + timedelta(hours=25)) == 1
    assert _receipts(live_app) == []
