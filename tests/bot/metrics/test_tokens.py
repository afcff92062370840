"""Ingestion tokens: the plaintext is shown once and never stored; revoked means refused."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from bot.core.errors import InvalidInput
from bot.metrics import tokens
from bot.metrics.tokens import Unauthorized
from tests.metric_helpers import make_project

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def project_id(session: Session) -> int:
    project = make_project(session)
    session.commit()
    assert project.id is not None
    return project.id


def _bearer(token: str) -> str:
    return f"Bearer {token}"


def test_only_the_hash_and_a_short_prefix_are_stored(session: Session, project_id: int):
    new = tokens.create(session=session, project_id=project_id, created_by="U0PM", now=NOW)
    session.commit()

    stored = session.execute(text("SELECT * FROM ingest_tokens")).mappings().one()
    assert new.plaintext.startswith("gbt_") and len(new.plaintext) > 40
    assert all(new.plaintext not in str(value) for value in stored.values())
    assert stored["token_hash"] == hashlib.sha256(new.plaintext.encode()).hexdigest()
    assert stored["prefix"] == new.plaintext[:12]
    assert stored["created_by"] == "U0PM"


def test_a_valid_token_authenticates_and_its_use_is_recorded_once_a_minute(
    session: Session, project_id: int
):
    new = tokens.create(session=session, project_id=project_id, created_by="U0PM")
    later = NOW + timedelta(seconds=30)

    found = tokens.authenticate(session=session, authorization=_bearer(new.plaintext), now=NOW)
    tokens.authenticate(session=session, authorization=f"bearer  {new.plaintext} ", now=later)
    session.commit()
    session.refresh(found)

    assert found.project_id == project_id
    assert found.last_used_at == NOW  # the second use, 30 s later, did not write
    tokens.authenticate(
        session=session, authorization=_bearer(new.plaintext), now=NOW + timedelta(minutes=2)
    )
    session.commit()
    session.refresh(found)
    assert found.last_used_at == NOW + timedelta(minutes=2)


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (None, True),
        ("", True),
        ("Basic dXNlcjpwYXNz", True),
        ("Bearer ", True),
        ("Bearer gbt_not-a-real-token", False),
        ("Bearer " + "gbt_" + "x" * 10_000, False),
        ("Bearer xoxb-a-slack-token", False),
    ],
)
def test_missing_or_unknown_tokens_are_refused(
    session: Session, project_id: int, header: str | None, missing: bool
):
    tokens.create(session=session, project_id=project_id, created_by="U0PM")

    with pytest.raises(Unauthorized) as refused:
        tokens.authenticate(session=session, authorization=header)

    assert refused.value.missing is missing


def test_revoking_by_prefix_leaves_the_other_tokens_working(session: Session, project_id: int):
    first = tokens.create(session=session, project_id=project_id, created_by="U0PM")
    second = tokens.create(session=session, project_id=project_id, created_by="U0DS")

    revoked = tokens.revoke(session=session, project_id=project_id, prefix=first.row.prefix + "…")
    session.commit()

    assert [row.id for row in revoked] == [first.row.id]
    with pytest.raises(Unauthorized, match="was revoked"):
        tokens.authenticate(session=session, authorization=_bearer(first.plaintext))
    tokens.authenticate(session=session, authorization=_bearer(second.plaintext))
    assert [row.id for row in tokens.active(session=session, project_id=project_id)] == [
        second.row.id
    ]


def test_revoking_all_touches_only_this_projects_tokens(session: Session, project_id: int):
    mine = [tokens.create(session=session, project_id=project_id, created_by="U0PM") for _ in "ab"]
    other = make_project(session, channel_id="C0OTHER")
    theirs = tokens.create(session=session, project_id=other.id, created_by="U0PM")  # type: ignore[arg-type]

    revoked = tokens.revoke(session=session, project_id=project_id)

    assert {row.id for row in revoked} == {new.row.id for new in mine}
    tokens.authenticate(session=session, authorization=_bearer(theirs.plaintext))
    with pytest.raises(InvalidInput, match="No active ingestion token"):
        tokens.revoke(session=session, project_id=project_id)


def test_a_prefix_too_short_to_pick_a_token_is_refused(session: Session, project_id: int):
    tokens.create(session=session, project_id=project_id, created_by="U0PM")

    with pytest.raises(InvalidInput, match="too short"):
        tokens.revoke(session=session, project_id=project_id, prefix="gbt_")
    assert len(tokens.active(session=session, project_id=project_id)) == 1


def test_a_project_has_at_most_ten_active_tokens(session: Session, project_id: int):
    for _ in range(tokens.MAX_ACTIVE):
        tokens.create(session=session, project_id=project_id, created_by="U0PM")

    with pytest.raises(InvalidInput, match="already has 10 active API tokens"):
        tokens.create(session=session, project_id=project_id, created_by="U0PM")
