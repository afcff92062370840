"""The HTTP API under /api/v1: pipelines post metric samples with a project's bearer token."""

from __future__ import annotations

import json
import logging
import math
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema
from sqlalchemy import Engine
from sqlmodel import Session
from werkzeug.exceptions import HTTPException

from bot.core.text import without_surrogates
from bot.core.time import utcnow
from bot.metrics import ingest, tokens
from bot.metrics.ingest import BatchRejected
from bot.metrics.ingest_schema import MAX_BATCH, IngestResponse, MetricsBatch
from db import rate_limits
from db.models.gates import Project

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 2 * 1024 * 1024  # 5,000 rows of ~150 bytes, with room for indentation
RATE_LIMIT = 60  # requests per token per RATE_WINDOW, counted in the database for all processes
RATE_WINDOW = 60.0
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


class OnIngested(Protocol):
    """Told which metrics a batch touched, before it commits: queues the work in `session`.

    The batch and its escape check then commit together: a crash cannot keep the samples
    and lose the check, and a check that cannot be queued stores nothing (the client retries).
    """

    def __call__(
        self, *, session: Session, project_id: int, metric_ids: frozenset[int]
    ) -> None: ...


class RowError(BaseModel):
    """One problem with one row."""

    loc: str = Field(examples=["samples[3].value"])
    message: str = Field(examples=["must be a finite number"])


class ErrorResponse(BaseModel):
    """Why a request was refused; nothing of the batch was stored."""

    error: str = Field(examples=["invalid_samples"])
    message: str
    errors: list[RowError] = Field(default_factory=list, description="At most 20 rows.")
    more_errors: int = Field(default=0, description="Problems beyond those listed.")


def retry_after(*, engine: Engine, token_id: int, limit: int) -> int:
    """Count the request against the token's limit (shared by every process); 0 if allowed."""
    with engine.begin() as connection:
        wait = rate_limits.take(
            connection=connection,
            token_id=token_id,
            limit=limit,
            window=timedelta(seconds=RATE_WINDOW),
            now=utcnow(),
        )
    return math.ceil(wait) if wait else 0


def error_response(status: int, error: str, message: str, **extra: Any) -> tuple[Response, int]:
    """Return an ErrorResponse body with its status."""
    body = ErrorResponse(error=error, message=message, **extra)
    return jsonify(body.model_dump()), status


def auth_refusal(problem: tokens.Unauthorized | tokens.Forbidden) -> ResponseReturnValue:
    """Return the 401 (no usable token) or 403 (a token of another scope) for `problem`."""
    if isinstance(problem, tokens.Forbidden):
        return error_response(403, "forbidden", str(problem))
    response, status = error_response(401, "unauthorized", str(problem))
    challenge = 'Bearer realm="gatebot"'
    if not problem.missing:
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    return response, status


def _rejected(problem: BatchRejected) -> ResponseReturnValue:
    shown = problem.errors[: ingest.MAX_REPORTED]
    return error_response(
        422,
        "invalid_samples",
        f"Nothing was stored: {len(problem.errors):,} row problem(s); fix them and resend.",
        errors=[RowError(loc=loc, message=message) for loc, message in shown],
        more_errors=len(problem.errors) - len(shown),
    )


def _samples(body: bytes) -> list[object] | ResponseReturnValue:
    """Return the body's rows, or the error response saying what is wrong with it."""
    try:
        # NaN and Infinity literals parse (Python's json accepts them); the row check refuses.
        data = json.loads(body)
        if _ESCAPED_SURROGATE.search(body):  # only a \uD8xx-\uDFxx escape can make one
            data = without_surrogates(data)
    except (ValueError, RecursionError) as error:
        detail = getattr(error, "msg", "not JSON")
        return error_response(400, "invalid_json", f"The body is not valid JSON ({detail}).")
    if not isinstance(data, dict) or not isinstance(data.get("samples"), list):
        return error_response(
            422,
            "invalid_body",
            'The body must be a JSON object {"samples": [{"name": …, "value": …, "at": …}]}.',
        )
    rows: list[object] = data["samples"]
    if len(rows) > MAX_BATCH:
        return error_response(
            413, "too_many_samples", f"{len(rows):,} samples: send at most {MAX_BATCH:,} a request."
        )
    return rows


def _body() -> bytes | None:
    """Return the request body, or None when it is over the limit (read no further)."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return None
    body = request.stream.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def create_api(
    *,
    engine: Engine,
    rate_limit: int = RATE_LIMIT,
    on_ingested: OnIngested | None = None,
    describe: Callable[[str], dict[str, Any]] | None = None,
) -> Blueprint:
    """Return the /api/v1 blueprint storing samples through `engine`.

    After each stored batch `on_ingested` hears which metrics changed (escape alerts).
    `describe(server)` returns the OpenAPI document served (default: this API's alone; the
    web app's also describes the read API beside it).
    """
    api = Blueprint("api_v1", __name__)

    @api.post("/metrics")
    def post_metrics() -> ResponseReturnValue:
        with Session(engine, expire_on_commit=False) as session:
            try:
                token = tokens.authenticate(
                    session=session, authorization=request.headers.get("Authorization")
                )
            except (tokens.Unauthorized, tokens.Forbidden) as problem:
                return auth_refusal(problem)
            session.commit()  # last_used_at, and no transaction held while the body arrives
            assert token.id is not None
            if wait := retry_after(engine=engine, token_id=token.id, limit=rate_limit):
                response, status = error_response(
                    429, "rate_limited", f"More than {rate_limit} requests a minute: slow down."
                )
                response.headers["Retry-After"] = str(wait)
                return response, status
            body = _body()
            if body is None:
                return error_response(
                    413, "body_too_large", f"Send at most {MAX_BODY_BYTES:,} bytes."
                )
            rows = _samples(body)
            if not isinstance(rows, list):
                return rows
            project = session.get(Project, token.project_id)
            assert project is not None
            try:
                result = ingest.store(session=session, project=project, rows=rows)
            except BatchRejected as problem:
                return _rejected(problem)
            assert project.id is not None
            if on_ingested is not None and result.metric_ids:
                on_ingested(session=session, project_id=project.id, metric_ids=result.metric_ids)
            session.commit()
        counts = IngestResponse(
            stored=result.stored, updated=result.updated, duplicates=result.duplicates
        )
        return jsonify(counts.model_dump())

    @api.get("/openapi.json")
    def openapi() -> ResponseReturnValue:
        server = request.url_root.rstrip("/")
        return jsonify(describe(server) if describe else openapi_document(server=server))

    @api.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        if isinstance(error, HTTPException):  # e.g. a client that hung up: JSON, not HTML
            return error_response(error.code or 500, "http_error", error.description or error.name)
        error_id = uuid.uuid4().hex[:8]
        logger.exception("API error %s", error_id, exc_info=error)
        return error_response(
            500,
            "internal",
            f"Something went wrong on our side (error id {error_id}); nothing of this batch "
            "was stored. Retry later; the same batch is safe to resend.",
        )

    return api


def openapi_document(*, server: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 description of the API, its schemas generated from the models."""
    _, schemas = models_json_schema(
        [
            (MetricsBatch, "validation"),
            (IngestResponse, "serialization"),
            (ErrorResponse, "serialization"),
        ],
        ref_template="#/components/schemas/{model}",
    )

    def answer(description: str, model: str) -> dict[str, Any]:
        schema = {"$ref": f"#/components/schemas/{model}"}
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    refused = "ErrorResponse"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "gatebot metrics API",
            "version": "1",
            "description": "Post shared-metric samples for the project an ingestion token "
            "belongs to (create one in Slack with /metric token). A batch is stored whole or "
            "not at all; resending it is safe.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/v1/metrics": {
                "post": {
                    "operationId": "postMetrics",
                    "summary": "Store a batch of metric samples",
                    "security": [{"bearer": []}],
                    "requestBody": answer("At most 5,000 samples, 2 MiB.", "MetricsBatch")
                    | {"required": True},
                    "responses": {
                        "200": answer("Stored.", "IngestResponse"),
                        "400": answer("The body is not JSON.", refused),
                        "401": answer("No token, or an unknown or revoked one.", refused),
                        "403": answer("A read token: posting needs an ingest token.", refused),
                        "413": answer("Too many samples or bytes: split the batch.", refused),
                        "422": answer("Rows that cannot be stored, each named.", refused),
                        "429": answer("Over 60 requests a minute for this token.", refused),
                        "500": answer("Our fault; nothing was stored.", refused),
                    },
                }
            },
        },
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
