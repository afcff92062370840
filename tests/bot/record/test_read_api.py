"""The read API over real HTTP: read tokens, cursor paging, other projects' ids refused."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from openapi_spec_validator import validate
from sqlmodel import Session

from bot.metrics import tokens
from bot.record.openapi import ROW_MODELS
from bot.record.service import FIELDS, Kind, record
from tests.live_app import LiveApp
from tests.record_world import Built, build_record


@dataclass
class World:
    live: LiveApp
    built: Built
    read: str  # a read token of the project
    ingest: str  # an ingestion token of the same project
    other_read: str  # a read token of a project in another workspace
    other_project_id: int


def _get(url: str, token: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def world(live_app: LiveApp) -> World:
    with Session(live_app.engine, expire_on_commit=False) as session:
        built = build_record(session)
        other = build_record(session, team_id="T2", name="Elsewhere")
        made = [
            tokens.create(session=session, project_id=p.id, created_by="U0PM", scope=s)  # type: ignore[arg-type]
            for p, s in (
                (built.project, tokens.Scope.READ),
                (built.project, tokens.Scope.INGEST),
                (other.project, tokens.Scope.READ),
            )
        ]
        session.commit()
    return World(live_app, built, *(m.plaintext for m in made), other.project.id)  # type: ignore[arg-type]


def _url(world: World, kind: str, project_id: int | None = None, **query: str) -> str:
    pid = world.built.project.id if project_id is None else project_id
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"{world.live.url}/api/v1/projects/{pid}/{kind}" + (f"?{params}" if params else "")


def test_every_list_serves_the_rows_the_export_holds(world: World):
    with Session(world.live.engine) as session:
        exported = record(session=session, project=world.built.project)

    for kind in Kind:
        status, body = _get(_url(world, kind.value), world.read)
        assert status == 200, body
        assert body == {"data": json.loads(json.dumps(exported[kind])), "next_cursor": None}
    _, decisions = _get(_url(world, "decisions"), world.read)
    assert [(d["who"], d["decision"], d["reason"]) for d in decisions["data"]] == (
        world.built.decisions
    )


def test_pages_of_one_walk_every_answer_once_and_then_stop(world: World):
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        status, body = _get(_url(world, "answers", **query), world.read)
        assert status == 200, body
        seen += body["data"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted((a["who"], a["answer"]) for a in seen) == sorted(world.built.answers)
    assert len({a["id"] for a in seen}) == len(seen) == pages == 4


def test_another_project_s_id_is_not_found_whoever_owns_it(world: World):
    theirs = _get(_url(world, "answers", project_id=world.other_project_id), world.read)
    mine_with_their_token = _get(_url(world, "answers"), world.other_read)
    nobody_s = _get(_url(world, "answers", project_id=999_999), world.read)

    assert theirs[0] == mine_with_their_token[0] == nobody_s[0] == 404
    assert theirs[1] == nobody_s[1]  # the same answer: no hint that the id exists
    assert "data" not in theirs[1]


def test_scopes_keep_reading_and_posting_apart(world: World):
    status, body = _get(_url(world, "hypotheses"), world.ingest)
    assert status == 403 and "read token" in body["message"]
    assert _get(_url(world, "hypotheses"), None)[0] == 401
    request = urllib.request.Request(
        f"{world.live.url}/api/v1/metrics",
        data=b'{"samples": []}',
        headers={"Authorization": f"Bearer {world.read}", "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    refused.value.close()
    assert refused.value.code == 403


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"limit": "0"}, "`limit` must be"),
        ({"limit": "5000"}, "`limit` must be"),
        ({"cursor": "not-a-cursor"}, "The cursor is not one this list gave"),
    ],
)
def test_bad_paging_is_a_clear_400(world: World, query: dict[str, str], says: str):
    status, body = _get(_url(world, "answers", **query), world.read)

    assert status == 400 and says in body["message"]


def test_a_cursor_of_one_list_is_refused_by_another(world: World):
    _, first = _get(_url(world, "answers", limit="1"), world.read)

    status, body = _get(_url(world, "hypotheses", cursor=first["next_cursor"]), world.read)

    assert status == 400 and "next_cursor` of a hypotheses page" in body["message"]


def test_the_openapi_document_describes_the_read_api_and_validates(world: World):
    status, document = _get(f"{world.live.url}/api/v1/openapi.json", None)

    assert status == 200
    validate(document)
    for kind in Kind:
        operation = document["paths"][f"/api/v1/projects/{{project_id}}/{kind.value}"]["get"]
        assert set(operation["responses"]) >= {"200", "401", "403", "404"}
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        row = document["components"]["schemas"][ROW_MODELS[kind].__name__]
        assert page.startswith("#/components/schemas/")
        assert set(row["properties"]) == set(FIELDS[kind])
        assert tuple(ROW_MODELS[kind].model_fields) == FIELDS[kind]  # the files' order too
    assert "/api/v1/metrics" in document["paths"]
