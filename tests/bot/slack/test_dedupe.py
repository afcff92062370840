"""Slack deliveries acted on once: events by their id, modal submissions by their view, asks
by the minute, with the receipts in the database (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.slack.dedupe import (
    KEEP_RECEIPTS,
    delivery_key,
    first_ask,
    first_submission,
    prune,
    submitted_before,
)
from db.models.outbox import SlackReceipt

NOON = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


def _submission(view_id: str | None, team_id: str = "T1") -> dict:
    view = {"id": view_id} if view_id else {}
    return {"type": "view_submission", "team": {"id": team_id}, "view": view}


def test_an_event_is_known_by_its_team_and_its_id():
    body = {"type": "event_callback", "team_id": "T1", "event_id": "Ev1"}
    assert delivery_key(body) == "event:T1:Ev1"
    assert delivery_key({**body, "team_id": "T2"}) == "event:T2:Ev1"  # no shadowing across teams


@pytest.mark.parametrize(
    "body",
    [
        {"type": "event_callback", "team_id": "T1"},  # no id to know a repeat by
        {"type": "block_actions", "team": {"id": "T1"}},  # a click: two clicks are two asks
        {"command": "/gate", "team_id": "T1"},
    ],
)
def test_what_slack_never_resends_is_not_deduplicated(body: dict):
    assert delivery_key(body) is None


def test_a_submission_is_handled_once_per_modal(session: Session):
    assert submitted_before(session=session, body=_submission("V1")) is False
    assert first_submission(session=session, body=_submission("V1"), team_id="T1") is True
    session.commit()

    assert submitted_before(session=session, body=_submission("V1")) is True
    assert first_submission(session=session, body=_submission("V1"), team_id="T1") is False
    assert first_submission(session=session, body=_submission("V2"), team_id="T1") is True
    # The same view id from another workspace is another modal.
    assert first_submission(session=session, body=_submission("V1", "T2"), team_id="T2") is True


def test_a_submission_without_a_view_is_never_turned_away(session: Session):
    for _ in range(2):
        assert first_submission(session=session, body=_submission(None), team_id="T1") is True
    assert submitted_before(session=session, body=_submission(None)) is False
    assert session.exec(select(SlackReceipt)).all() == []


def test_an_uncommitted_submission_leaves_no_receipt(session: Session):
    assert first_submission(session=session, body=_submission("V9"), team_id="T1") is True
    session.rollback()  # the work it stood for was not accepted after all
    assert first_submission(session=session, body=_submission("V9"), team_id="T1") is True


@pytest.mark.parametrize(
    ("seconds_later", "goes_ahead"),
    [(0, False), (1, False), (29, False), (59, False), (90, True), (600, True)],
)
def test_the_same_ask_within_a_minute_goes_ahead_once(
    session: Session, seconds_later: int, goes_ahead: bool
):
    assert first_ask(session=session, what="gate-now:C1", team_id="T1", now=NOON) is True
    later = NOON + timedelta(seconds=seconds_later)
    assert first_ask(session=session, what="gate-now:C1", team_id="T1", now=later) is goes_ahead


def test_another_ask_at_the_same_moment_goes_ahead(session: Session):
    assert first_ask(session=session, what="gate-now:C1", team_id="T1", now=NOON) is True
    assert first_ask(session=session, what="digest-now:C1", team_id="T1", now=NOON) is True
    assert first_ask(session=session, what="gate-now:C2", team_id="T1", now=NOON) is True


def test_a_refused_ask_keeps_no_receipt_of_its_own(session: Session):
    first_ask(session=session, what="gate-now:C1", team_id="T1", now=NOON)
    held = {r.delivery_key for r in session.exec(select(SlackReceipt))}
    assert (
        first_ask(
            session=session, what="gate-now:C1", team_id="T1", now=NOON + timedelta(seconds=45)
        )
        is False
    )
    assert {r.delivery_key for r in session.exec(select(SlackReceipt))} == held


def test_prune_forgets_only_receipts_older_than_a_day(session: Session):
    first_ask(
        session=session, what="old", team_id="T1", now=NOON - KEEP_RECEIPTS - timedelta(hours=1)
    )
    first_ask(session=session, what="recent", team_id="T1", now=NOON - timedelta(hours=1))
    recent = {
        r.delivery_key for r in session.exec(select(SlackReceipt)) if "recent" in r.delivery_key
    }

    removed = prune(session=session, now=NOON)

    assert removed == 3  # the old ask's three slices
    assert {r.delivery_key for r in session.exec(select(SlackReceipt))} == recent
