"""POST /api/v1/metrics over real HTTP: auth, row errors, idempotency, all-or-nothing, limits."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from sqlalchemy import event
from sqlmodel import Session, select

from bot.metrics import api, tokens
from db.models.metrics import MetricSample
from tests.live_app import LiveApp
from tests.metric_helpers import define, make_project


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


def _request(url: str, *, data: bytes | None, token: str | None, method: str = "POST") -> Answer:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, json.loads(response.read()), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, json.loads(error.read()), dict(error.headers))


def _post(live: LiveApp, body: object, *, token: str | None) -> Answer:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return _request(f"{live.url}/api/v1/metrics", data=data, token=token)


@dataclass
class World:
    """Two projects in one workspace and one in another, each with a token."""

    live: LiveApp
    token: str  # project "search" in T0GATEBOT: relevance_rating, latency_p95
    other_project_token: str  # project "ranking" in T0GATEBOT: ctr
    other_workspace_token: str  # project in T0OTHER: relevance_rating too


@pytest.fixture
def world(live_app: LiveApp) -> World:
    with Session(live_app.engine) as session:
        search = make_project(session)
        define(session, search, "relevance_rating")
        define(session, search, "latency_p95", direction="lower_is_better", warn=300, breach=400)
        ranking = make_project(session, channel_id="C0RANK", name="ranking")
        define(session, ranking, "ctr", kind="product", warn=0.04, breach=0.03)
        elsewhere = make_project(session, team_id="T0OTHER", name="elsewhere")
        define(session, elsewhere, "relevance_rating")
        created = [
            tokens.create(session=session, project_id=p.id, created_by="U0PM")  # type: ignore[arg-type]
            for p in (search, ranking, elsewhere)
        ]
        session.commit()
    return World(live_app, *(new.plaintext for new in created))


def _stored(live: LiveApp) -> list[tuple[int, datetime, float]]:
    with Session(live.engine) as session:
        samples = session.exec(select(MetricSample).order_by(MetricSample.id)).all()
        return [(s.metric_id, s.at, s.value) for s in samples]


ROWS = [
    {"name": "relevance_rating", "value": 0.74, "at": "2026-03-02"},
    {"name": "latency_p95", "value": 180, "at": "2026-03-02T09:00:00+01:00"},
]


def test_no_token_is_refused_with_a_bearer_challenge(world: World):
    answer = _post(world.live, {"samples": ROWS}, token=None)

    assert answer.status == 401
    assert answer.body["error"] == "unauthorized" and "/metric token" in answer.body["message"]
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="gatebot"'
    assert _stored(world.live) == []


def test_a_wrong_token_is_refused(world: World):
    answer = _post(world.live, {"samples": ROWS}, token=world.token[:-2] + "xx")

    assert answer.status == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert _stored(world.live) == []


def test_a_revoked_token_is_refused(world: World):
    with Session(world.live.engine) as session:
        tokens.revoke(session=session, project_id=1)
        session.commit()

    answer = _post(world.live, {"samples": ROWS}, token=world.token)

    assert answer.status == 401 and "revoked" in answer.body["message"]
    assert _stored(world.live) == []


def test_another_projects_token_cannot_reach_this_projects_metrics(world: World):
    answer = _post(world.live, {"samples": ROWS[:1]}, token=world.other_project_token)

    assert answer.status == 422
    assert answer.body["errors"] == [
        {
            "loc": "samples[0].name",
            "message": "no metric named 'relevance_rating' in this project: "
            "define it in Slack with /metric define",
        }
    ]
    assert _stored(world.live) == []


def test_the_token_decides_the_project_even_across_workspaces(world: World):
    answer = _post(world.live, {"samples": ROWS[:1]}, token=world.other_workspace_token)

    assert answer.status == 200
    [(metric_id, _, value)] = _stored(world.live)
    assert (metric_id, value) == (4, 0.74)  # the other workspace's relevance_rating


def test_a_batch_is_stored_and_resending_it_changes_nothing(world: World):
    first = _post(world.live, {"samples": ROWS}, token=world.token)
    stored = _stored(world.live)
    second = _post(world.live, {"samples": ROWS}, token=world.token)

    assert (first.status, first.body) == (200, {"stored": 2, "updated": 0, "duplicates": 0})
    assert (second.status, second.body) == (200, {"stored": 0, "updated": 0, "duplicates": 2})
    assert _stored(world.live) == stored
    assert stored[1][1] == datetime(2026, 3, 2, 8, tzinfo=UTC)  # +01:00 kept as UTC


def test_a_corrected_value_for_the_same_time_replaces_the_stored_one(world: World):
    _post(world.live, {"samples": ROWS}, token=world.token)

    corrected = [ROWS[0] | {"value": 0.71}, ROWS[1]]
    answer = _post(world.live, {"samples": corrected}, token=world.token)

    assert answer.body == {"stored": 0, "updated": 1, "duplicates": 1}
    assert [value for _, _, value in _stored(world.live)] == [0.71, 180]


def test_every_bad_row_is_named_and_nothing_of_the_batch_is_stored(world: World):
    future = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    body = (
        b'{"samples": ['
        b'{"name": "relevance_rating", "value": 0.7, "at": "2026-03-01"},'
        b'{"name": "relevance_rating", "value": NaN, "at": "2026-03-02"},'
        b'{"name": "relevance_rating", "value": 0.7, "at": "' + future.encode() + b'"},'
        b'{"name": "relevence_rating", "value": 0.7, "at": "2026-03-03"},'
        b'{"name": "latency_p95", "value": "fast", "at": "2026-03-03T10:00:00"},'
        b'{"name": "latency_p95", "value": 1e999, "at": "yesterday"}'
        b"]}"
    )

    answer = _post(world.live, body, token=world.token)

    assert answer.status == 422
    errors = {e["loc"]: e["message"] for e in answer.body["errors"]}
    assert errors["samples[1].value"].startswith("must be a finite number")
    assert "hours in the future" in errors["samples[2].at"]
    assert errors["samples[3].name"].endswith("did you mean 'relevance_rating'?")
    assert errors["samples[4].value"] == "must be a finite number"
    assert "has no UTC offset" in errors["samples[4].at"]
    assert errors["samples[5].value"].startswith("must be a finite number")
    assert "is not an ISO 8601 timestamp" in errors["samples[5].at"]
    assert "samples[0]" not in " ".join(errors)
    assert _stored(world.live) == []


def test_a_database_failure_half_way_leaves_nothing(world: World):
    # 1,000 rows go in two INSERT statements; the second one fails.
    rows = [
        {
            "name": "relevance_rating",
            "value": 0.7,
            "at": (datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=i)).isoformat(),
        }
        for i in range(1_000)
    ]
    inserts = []

    def fail_second_insert(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO metric_samples"):
            inserts.append(statement)
            if len(inserts) == 2:
                raise RuntimeError("disk full")

    event.listen(world.live.engine, "before_cursor_execute", fail_second_insert)
    try:
        answer = _post(world.live, {"samples": rows}, token=world.token)
    finally:
        event.remove(world.live.engine, "before_cursor_execute", fail_second_insert)

    assert answer.status == 500
    assert answer.body["error"] == "internal" and "nothing of this batch" in answer.body["message"]
    assert len(inserts) == 2
    assert _stored(world.live) == []
    assert _post(world.live, {"samples": rows}, token=world.token).body["stored"] == 1_000


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"{not json", 400, "invalid_json"),
        (json.dumps(ROWS).encode(), 422, "invalid_body"),
        (json.dumps({"rows": ROWS}).encode(), 422, "invalid_body"),
        (json.dumps({"samples": ROWS * 2_501}).encode(), 413, "too_many_samples"),
        (b" " * (api.MAX_BODY_BYTES + 1), 413, "body_too_large"),
    ],
    ids=["not-json", "bare-list", "wrong-key", "too-many-rows", "too-many-bytes"],
)
def test_malformed_or_oversized_bodies_are_refused(
    world: World, body: bytes, status: int, error: str
):
    answer = _post(world.live, body, token=world.token)

    assert (answer.status, answer.body["error"]) == (status, error)
    assert _stored(world.live) == []


def test_more_than_the_rate_limit_is_told_when_to_retry(world: World):
    statuses = [
        _post(world.live, {"samples": []}, token=world.token).status for _ in range(api.RATE_LIMIT)
    ]
    over = _post(world.live, {"samples": []}, token=world.token)

    assert set(statuses) == {200}
    assert over.status == 429 and int(over.headers["Retry-After"]) >= 1
    assert _post(world.live, {"samples": []}, token=world.other_project_token).status == 200


def test_the_openapi_description_is_served_and_valid(world: World):
    answer = _request(f"{world.live.url}/api/v1/openapi.json", data=None, token=None, method="GET")

    assert answer.status == 200
    validate(answer.body)
    operation = answer.body["paths"]["/api/v1/metrics"]["post"]
    assert set(operation["responses"]) >= {"200", "401", "422"}
    schemas = answer.body["components"]["schemas"]
    assert set(schemas["SampleIn"]["properties"]) == {"name", "value", "at"}
    assert answer.body["servers"] == [{"url": world.live.url}]


_json = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_row = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["relevance_rating", "latency_p95", "nope"]) | _json,
        "value": st.floats() | st.integers(min_value=-(10**400), max_value=10**400) | _json,
        "at": st.sampled_from(["2026-03-02", "2026-03-02T00:00:00Z", "9999-12-31"])
        | st.datetimes(timezones=st.timezones()).map(datetime.isoformat)
        | _json,
    },
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=st.one_of(st.fixed_dictionaries({"samples": st.lists(_row, max_size=5)}), _json))
def test_no_input_makes_a_500(engine_for_property, body: object):
    client, token = engine_for_property
    answer = client.post(
        "/api/v1/metrics",
        data=json.dumps(body, allow_nan=True),
        headers={"Authorization": f"Bearer {token}"},
    )

    assert answer.status_code in {200, 400, 413, 422}, answer.get_json()
    assert "error" in answer.get_json() or "stored" in answer.get_json()


@pytest.fixture
def engine_for_property(engine):  # type: ignore[no-untyped-def]
    """Yield a Flask test client of the API alone, and a token of a project with metrics."""
    with Session(engine) as session:
        project = make_project(session)
        define(session, project, "relevance_rating")
        define(session, project, "latency_p95", direction="lower_is_better", warn=3, breach=4)
        token = tokens.create(session=session, project_id=project.id, created_by="U0PM")  # type: ignore[arg-type]
        session.commit()
    web = Flask("api-test")
    web.register_blueprint(api.create_api(engine=engine, rate_limit=10**6), url_prefix="/api/v1")
    return web.test_client(), token.plaintext
