"""Requests that Slack did not sign, or signed too long ago, are refused and store nothing."""

import time
import urllib.request

from sqlmodel import Session, select

from db.models import Hypothesis
from tests.live_app import LiveApp

STATEMENT = "Reduce 30-day churn from 12% to 10% by the end of March."


def _stored(live: LiveApp) -> list[Hypothesis]:
    with Session(live.engine) as session:
        return list(session.exec(select(Hypothesis)))


def test_a_bad_signature_gets_401_and_stores_nothing(live_app: LiveApp):
    body = live_app.sender.command_body("/hypothesis", STATEMENT)

    reply = live_app.sender.post(body, signature="v0=" + "0" * 64)

    live_app.drain()
    assert reply.status == 401
    assert _stored(live_app) == []
    assert live_app.slack.calls("response_url") == []


def test_a_timestamp_over_five_minutes_old_gets_401_and_stores_nothing(live_app: LiveApp):
    body = live_app.sender.command_body("/hypothesis", STATEMENT)

    reply = live_app.sender.post(body, timestamp=int(time.time()) - 6 * 60)

    live_app.drain()
    assert reply.status == 401
    assert _stored(live_app) == []


def test_the_health_check_reports_the_database(live_app: LiveApp):
    with urllib.request.urlopen(f"{live_app.url}/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200
        assert b'"database":"ok"' in response.read().replace(b" ", b"")
