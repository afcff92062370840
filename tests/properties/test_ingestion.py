"""POST /api/v1/metrics with any body: 200 only for a valid batch, stored exactly; otherwise a
4xx JSON body naming each bad row in words, never a 500, and nothing of the batch stored."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.metrics import tokens
from db.models.metrics import Metric, MetricSample
from tests.metric_helpers import define, make_project
from tests.properties.conftest import QuietApp
from tests.properties.strategies import NASTY, PROPERTY

NAMES = ("relevance_rating", "latency_p95")
NOW = datetime.now(UTC)  # valid times stay an hour clear of the app's "now" either way
TOKEN_USES = 50  # the API allows 60 requests a minute per token: a fresh one before that


@dataclass
class Answer:
    status: int
    body: Any


@dataclass(frozen=True)
class Row:
    """A generated sample and whether the API must accept it."""

    data: Any
    valid: bool
    key: tuple[str, datetime] | None = None  # (metric, instant) of a valid row


class Api:
    """The running app's metrics API with a project, two metrics and fresh tokens."""

    def __init__(self, app: QuietApp) -> None:
        self.app = app
        self.uses = TOKEN_USES
        self.token = ""
        with Session(app.live.engine) as session:
            project = make_project(session, team_id=app.live.slack.team_id)
            define(session, project, NAMES[0])
            define(session, project, NAMES[1], direction="lower_is_better", warn=300, breach=400)
            session.commit()
            self.project_id = project.id or 0

    def __repr__(self) -> str:
        return f"Api({self.app!r})"

    def post(self, body: bytes, content_type: str | None) -> Answer:
        if self.uses >= TOKEN_USES:
            with Session(self.app.live.engine) as session:
                new = tokens.create(session=session, project_id=self.project_id, created_by="U0PM")
                session.commit()
            self.token, self.uses = new.plaintext, 0
        self.uses += 1
        headers = {"Authorization": f"Bearer {self.token}"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        url = f"{self.app.live.url}/api/v1/metrics"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        self.app.settle()  # the escape check the batch queued
        try:
            return Answer(status, json.loads(raw))
        except ValueError:
            raise AssertionError(f"{status}: the answer is not JSON: {raw[:300]!r}") from None

    def stored(self) -> dict[tuple[str, datetime], float]:
        with Session(self.app.live.engine) as session:
            found = session.exec(
                select(Metric.name, MetricSample.at, MetricSample.value).join(
                    Metric, Metric.id == MetricSample.metric_id
                )
            )
            return {(name, _utc(at)): value for name, at, value in found}


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@pytest.fixture
def api(quiet_app: Callable[..., QuietApp]) -> Api:
    return Api(quiet_app())


# --- rows -----------------------------------------------------------------------------------

_name_variants = st.sampled_from(NAMES).flatmap(
    lambda n: st.sampled_from([n, n.upper(), n.title(), f" {n} ", f"\t{n}\n"])
)
_finite = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(2**53), 2**53),
    st.sampled_from([0, -0.0, 5e-324, 1.7976931348623157e308, -1e-300]),
)
_offsets = st.sampled_from(["Z", "+00:00", "+01:00", "-05:30", "+14:00", "-12:00", "+0530"])
_past = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=(NOW - timedelta(hours=2)).replace(tzinfo=None)
)


def _stamp(moment: datetime, offset: str) -> tuple[str, datetime]:
    sign = -1 if offset.startswith("-") else 1
    digits = offset.replace(":", "")[1:] if offset != "Z" else "0000"
    delta = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    local = moment + delta  # the same instant written in that offset
    return local.isoformat() + offset, moment.replace(tzinfo=UTC)


_at_stamp = st.tuples(_past, _offsets).map(lambda t: _stamp(*t))
_at_day = st.dates(min_value=date(2000, 1, 2), max_value=NOW.date() - timedelta(days=1)).map(
    lambda d: (d.isoformat(), datetime.combine(d, time(12), tzinfo=UTC))  # noon, project in UTC
)


@st.composite
def valid_rows(draw: st.DrawFn) -> Row:
    name = draw(_name_variants)
    at, instant = draw(st.one_of(_at_stamp, _at_day))
    value = draw(_finite)
    data: dict[str, Any] = {"name": name, "value": value, "at": at}
    if draw(st.booleans()):
        data["note"] = draw(st.sampled_from(NASTY))  # extra fields are ignored
    return Row(data, True, (name.strip().lower(), instant))


_good = {"name": NAMES[0], "value": 0.8, "at": "2024-03-02"}
_NOON = (NAMES[0], datetime(2024, 3, 2, 12, tzinfo=UTC))
_bad_value = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf"), True, None, "0.5", [], {}]),
    st.integers(min_value=2**1024).map(lambda n: n),
)
_bad_name = st.one_of(
    st.sampled_from(["", " ", "ctr", "x" * 65, "relevance rating", None, 7, ["relevance_rating"]]),
    st.text(max_size=20).filter(lambda t: t.strip().lower() not in NAMES),
)
_bad_at = st.one_of(
    st.sampled_from(
        [
            "2026-03-02T09:00:00",
            "2026-02-30",
            "2026-13-01",
            "1999-12-30T00:00:00Z",
            "1999-12-30",
            "2999-01-01T00:00:00Z",
            "2999-01-01",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "now",
            "",
            1709370000,
            None,
            True,
        ]
    ),
    st.sampled_from(NASTY),
    st.datetimes(min_value=(NOW + timedelta(hours=3)).replace(tzinfo=None)).map(
        lambda d: d.isoformat() + "Z"
    ),
)


@st.composite
def invalid_rows(draw: st.DrawFn) -> Row:
    kind = draw(st.sampled_from(["shape", "missing", "name", "value", "at"]))
    if kind == "shape":
        return Row(
            draw(st.one_of(st.integers(), st.text(max_size=5), st.just([]), st.none())), False
        )
    if kind == "missing":
        gone = draw(st.sampled_from(sorted(_good)))
        return Row({k: v for k, v in _good.items() if k != gone}, False)
    replacement = {"name": _bad_name, "value": _bad_value, "at": _bad_at}[kind]
    return Row(_good | {kind: draw(replacement)}, False)


def _key(row: Row) -> object:
    return row.key if row.valid else id(row)


batches = st.lists(
    st.one_of(valid_rows(), valid_rows(), invalid_rows()), max_size=8, unique_by=_key
)
_content_types = st.sampled_from(
    [
        "application/json",
        "application/json",
        "text/plain",
        None,
        "application/x-www-form-urlencoded",
    ]
)


def _encode(rows: list[Row]) -> bytes:
    return json.dumps({"samples": [r.data for r in rows]}, allow_nan=True).encode()


def _assert_refusal(answer: Answer, *, statuses: set[int]) -> None:
    assert answer.status in statuses, answer
    assert isinstance(answer.body, dict), answer
    assert isinstance(answer.body.get("error"), str) and answer.body["error"], answer
    message = answer.body.get("message")
    assert isinstance(message, str) and message.strip(), answer
    assert "Traceback" not in json.dumps(answer.body) and "went wrong on our side" not in message


@PROPERTY
@given(rows=batches, content_type=_content_types)
@example(
    rows=[Row({"name": NAMES[0], "value": 1.5, "at": "2024-03-02"}, True, _NOON)] * 2,
    content_type=None,
)
@example(rows=[Row(_good | {"value": 10**400}, False)], content_type="application/json")
@example(rows=[Row(_good | {"at": "0001-01-01T00:00:00+14:00"}, False)], content_type=None)
@example(rows=[Row(_good | {"name": "x" * 64}, False)], content_type="text/plain")
def test_a_batch_is_stored_whole_or_refused_naming_each_bad_row(
    api: Api, rows: list[Row], content_type: str | None
):
    before = api.stored()

    answer = api.post(_encode(rows), content_type)

    if answer.status == 415 and content_type != "application/json":
        assert api.stored() == before  # refusing a declared non-JSON body is fair too
        return
    if all(row.valid for row in rows):
        assert answer.status == 200, answer
        counts = answer.body
        assert counts["stored"] + counts["updated"] + counts["duplicates"] == len(rows), counts
        expected = dict(before)
        for row in rows:
            if row.key is not None:
                expected[row.key] = float(row.data["value"])
        assert api.stored() == expected
        return
    _assert_refusal(answer, statuses={422})
    assert api.stored() == before, "a refused batch stored something"
    named = {e["loc"].split("]")[0] + "]" for e in answer.body["errors"]}
    bad = {f"samples[{i}]" for i, row in enumerate(rows) if not row.valid}
    assert named == bad, (named, bad, answer.body["errors"])
    for error in answer.body["errors"]:
        assert error["message"].strip() and "Error" not in error["message"], error


_not_json = st.one_of(
    st.binary(max_size=50).filter(lambda b: not _parses(b)),
    st.sampled_from([b"", b"{", b"\xff\xfe", b"samples=1", b"[[[[", b'{"samples": [}']),
)
_wrong_shape = st.one_of(
    st.sampled_from(
        [[], {}, {"samples": None}, {"samples": "x"}, {"rows": []}, "samples", 3, None]
    ),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
).map(lambda body: json.dumps(body).encode())


class Blob:
    """A request body, printed by its size and start (some are megabytes)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"Blob({self.data[:60]!r}… {len(self.data):,} bytes)"


def _parses(body: bytes) -> bool:
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return False
    return True


@PROPERTY
@given(body=st.one_of(_not_json, _wrong_shape).map(Blob), content_type=_content_types)
@example(body=Blob(json.dumps({"samples": [{}] * 5001}).encode()), content_type="application/json")
@example(body=Blob(b"[" * 100_000), content_type="application/json")
@example(body=Blob(b'{"samples": [' + b"1," * 1_100_000 + b"1]}"), content_type="application/json")
@example(body=Blob(b'{"samples": "' + b"x" * (2 * 1024 * 1024) + b'"}'), content_type=None)
def test_a_body_that_is_not_a_batch_is_refused_in_words(
    api: Api, body: Blob, content_type: str | None
):
    before = api.stored()

    answer = api.post(body.data, content_type)

    _assert_refusal(answer, statuses={400, 413, 415, 422})
    if not _parses(body.data):
        assert answer.status in {400, 413, 415}, answer
    assert api.stored() == before
