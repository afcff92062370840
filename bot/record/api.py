"""The read API: GET /api/v1/projects/{id}/hypotheses | reviews | answers | decisions | metrics.

A read-scoped token of the project serves its record a page at a time, the same rows the
export files hold. Another project's id answers 404, exactly as one that does not exist:
a token cannot even learn which ids are taken.
"""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine
from sqlmodel import Session

from bot.metrics import tokens
from bot.metrics.api import RATE_LIMIT, auth_refusal, error_response, retry_after
from bot.record.service import Kind, rows
from db.models.gates import Project

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class BadPaging(ValueError):
    """A `limit` or `cursor` the API cannot use; the message says why."""


def encode_cursor(kind: Kind, after: int) -> str:
    """Return the opaque cursor that resumes `kind` after the row with id `after`."""
    return base64.urlsafe_b64encode(f"{kind.value}:{after}".encode()).decode().rstrip("=")


def decode_cursor(kind: Kind, cursor: str | None) -> int:
    """Return the id a cursor resumes after (0: from the start); raise BadPaging."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        named, _, after = raw.partition(":")
        if named != kind.value or not after.isdigit():
            raise ValueError(raw)
        return int(after)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadPaging(
            f"The cursor is not one this list gave: pass the `next_cursor` of a {kind.value} "
            "page as it is, or none for the first page."
        ) from None


def read_limit(raw: str | None) -> int:
    """Return the page size asked for; raise BadPaging if it is not 1 … MAX_LIMIT."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadPaging(f"`limit` must be a whole number from 1 to {MAX_LIMIT:,}.")
    return int(raw)


def create_read_api(*, engine: Engine, rate_limit: int = RATE_LIMIT) -> Blueprint:
    """Return the blueprint serving projects' records to their read tokens."""
    api = Blueprint("api_v1_record", __name__)

    @api.get("/projects/<int:project_id>/<kind_name>")
    def read(project_id: int, kind_name: str) -> ResponseReturnValue:
        try:
            kind = Kind(kind_name)
        except ValueError:
            known = ", ".join(k.value for k in Kind)
            return error_response(404, "not_found", f"No list named {kind_name!r}: use {known}.")
        with Session(engine) as session:
            try:
                token = tokens.authenticate(
                    session=session,
                    authorization=request.headers.get("Authorization"),
                    scope=tokens.Scope.READ,
                )
            except (tokens.Unauthorized, tokens.Forbidden) as problem:
                return auth_refusal(problem)
            session.commit()
            assert token.id is not None
            if wait := retry_after(engine=engine, token_id=token.id, limit=rate_limit):
                response, status = error_response(
                    429, "rate_limited", f"More than {rate_limit} requests a minute: slow down."
                )
                response.headers["Retry-After"] = str(wait)
                return response, status
            if project_id != token.project_id:
                return error_response(404, "not_found", "No project with this id for this token.")
            try:
                limit = read_limit(request.args.get("limit"))
                after = decode_cursor(kind, request.args.get("cursor"))
            except BadPaging as problem:
                return error_response(400, "invalid_paging", str(problem))
            project = session.get(Project, project_id)
            if project is None:  # deleted since the token was checked
                return error_response(404, "not_found", "No project with this id for this token.")
            # One row past the page says whether there is a next one.
            page = rows(session=session, project=project, kind=kind, after=after, limit=limit + 1)
        more = len(page) > limit
        page = page[:limit]
        next_cursor = encode_cursor(kind, page[-1]["id"]) if more else None
        return jsonify({"data": page, "next_cursor": next_cursor})

    return api
