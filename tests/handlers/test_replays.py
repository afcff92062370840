"""A signed request Slack sent once is acted on once: the same signature again is refused.

In one process and across two `gatebot serve` processes sharing a database.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from sqlmodel import Session, select

from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from db.models import Hypothesis
from db.models.security import SeenSignature
from tests.live_app import LiveApp
from tests.served import serving

STATEMENT = "Reduce 30-day churn from 12% to 10% by the end of March."
HOME_OPENED = {"type": "app_home_opened", "user": "U0PM", "channel": "D0HOME", "tab": "home"}


def _hypotheses(live: LiveApp) -> list[Hypothesis]:
    with Session(live.engine) as session:
        return list(session.exec(select(Hypothesis)))


def test_a_captured_command_sent_again_is_refused_and_acted_on_once(live_app: LiveApp):
    body = live_app.sender.command_body("/hypothesis", STATEMENT)
    signed_at = int(time.time())

    first = live_app.sender.post(body, timestamp=signed_at)
    time.sleep(1.5)
    replay = live_app.sender.post(body, timestamp=signed_at)
    live_app.drain()

    assert (first.status, replay.status) == (200, 401)
    assert len(_hypotheses(live_app)) == 1
    assert len(live_app.slack.calls("response_url")) == 1
    with Session(live_app.engine) as session:
        assert len(list(session.exec(select(SeenSignature)))) == 1


def test_a_repeat_carrying_slacks_retry_header_is_acked_and_not_acted_on(live_app: LiveApp):
    sender = live_app.sender
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": sender.team_id,
            "api_app_id": "A0GATEBOT",
            "event_id": "Ev0REPLAY001",
            "event_time": int(time.time()),
            "event": {**HOME_OPENED, "event_ts": f"{time.time():.6f}"},
        }
    )
    signed_at = int(time.time())
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}

    taken = sender.post(body, timestamp=signed_at, content_type="application/json")
    retried = sender.post(body, timestamp=signed_at, content_type="application/json", headers=retry)
    replayed = sender.post(body, timestamp=signed_at, content_type="application/json")
    live_app.drain()

    assert taken.status == 200
    assert (retried.status, retried.body) == (200, "")
    assert replayed.status == 401
    assert len(live_app.slack.calls("views.publish")) == 1


def test_a_replay_sent_to_another_server_process_is_refused(
    tmp_path: Path, database_url: str, migrated_sqlite_template: Path
):
    with SlackStandIn() as slack:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-replay-test",
            "SLACK_SIGNING_SECRET": "replay-secret",
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
        }
        with serving(env, cwd=tmp_path, processes=2, migrated_from=migrated_sqlite_template) as (
            one,
            other,
        ):
            senders = [
                SlackSender(
                    events_url=f"{url}/slack/events",
                    signing_secret="replay-secret",
                    response_url=slack.response_url("replay"),
                )
                for url in (one, other)
            ]
            body = senders[0].command_body("/hypothesis", STATEMENT)
            signed_at = int(time.time())

            first = senders[0].post(body, timestamp=signed_at)
            replays = [sender.post(body, timestamp=signed_at) for sender in senders[::-1]]
            slack.wait_for("response_url", timeout=15)
            time.sleep(1)  # room for a second reply, were one coming

            assert first.status == 200
            assert [reply.status for reply in replays] == [401, 401]
            assert len(slack.calls("response_url")) == 1
