"""The WSGI app gunicorn serves: Slack's events endpoint and a health check."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from functools import partial

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from slack_bolt import App, BoltContext
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.app import signing_secret_of
from bot.core.request_ids import track_requests
from bot.core.text import without_surrogates
from bot.escapes import service as escape
from bot.install import service as install
from bot.metrics.api import create_api
from bot.queue import health
from bot.record.api import create_read_api
from bot.record.openapi import openapi_document
from bot.slack import replays, verification
from bot.slack.shapes import shape_problem
from db.columns import utcnow
from db.session import ping

logger = logging.getLogger(__name__)

# Slack's largest payloads (a modal's state, an event) are tens of kilobytes.
MAX_SLACK_BODY_BYTES = 1024 * 1024


def create_web_app(*, bolt_app: App, engine: Engine, clock_interval: float = 60.0) -> Flask:
    """Return the Flask app with /slack/events, /healthz and /api/v1 (metrics in, record out).

    /healthz answers 503 only when the database is unreachable; the queue's depth and a
    worker or clock gone silent are reported, for a person or a monitor to act on (the web
    process serving is no less healthy for them). `clock_interval` is GATEBOT_CLOCK_INTERVAL.

    Metrics stored through the API are judged for escape alerts on a worker, queued as the
    response goes out: a pipeline never waits on Slack.
    """
    web = Flask("gatebot")
    track_requests(web)  # an X-Request-ID per request, in its log lines and its response
    handler = SlackRequestHandler(bolt_app)
    on_ingested = partial(_alert_later, engine=engine)
    metrics_api = create_api(engine=engine, on_ingested=on_ingested, describe=openapi_document)
    web.register_blueprint(metrics_api, url_prefix="/api/v1")
    web.register_blueprint(create_read_api(engine=engine), url_prefix="/api/v1")

    secret = signing_secret_of(bolt_app)
    guard = replays.ReplayGuard(engine)

    @web.post("/slack/events")
    def slack_events() -> ResponseReturnValue:
        return _verified_dispatch(bolt_app, secret=secret, guard=guard)

    # OAuth mode's install page and Slack's redirect back; Bolt's handler answers 404 to
    # both in single-workspace mode.
    @web.get(install.INSTALL_PATH)
    @web.get(install.REDIRECT_PATH)
    def slack_install() -> ResponseReturnValue:
        return handler.handle(request)

    @web.get("/healthz")
    def healthz() -> ResponseReturnValue:
        try:
            ping(engine)
        except Exception:
            logger.exception("health check: database unreachable")
            return jsonify(ok=False, database="unreachable"), 503
        return jsonify(ok=True, database="ok", **_work_health(engine, clock_interval))

    return web


def _verified_dispatch(
    bolt_app: App, *, secret: str, guard: replays.ReplayGuard
) -> ResponseReturnValue:
    """Hand the request to Bolt only once its signature checks out; else 401, body unread."""
    body = _body(MAX_SLACK_BODY_BYTES)
    if body is None:
        logger.warning("refused a Slack request of over %s bytes", f"{MAX_SLACK_BODY_BYTES:,}")
        return _refusal(413, "request body too large")
    try:
        signed = verification.verify(secret=secret, headers=request.headers, body=body)
    except verification.Unverified as problem:
        logger.warning("refused an unverified Slack request (%s; %d bytes)", problem, len(body))
        return _refusal(401, "invalid request")
    retry = replays.RETRY_HEADER in request.headers
    try:
        sighting = guard.sight(signature=signed.signature, timestamp=signed.timestamp, retry=retry)
    except SQLAlchemyError as error:
        logger.error("could not check a Slack request for replay: %s", type(error).__name__)
        return _refusal(503, "try again later")
    if sighting is replays.Sighting.REPLAY:
        logger.warning("refused a replayed Slack request (%d bytes)", len(body))
        return _refusal(401, "invalid request")
    if sighting is replays.Sighting.RETRY:
        logger.info("acked a Slack retry of a delivery already taken (%d bytes)", len(body))
        return "", 200
    try:
        bolt_request = _bolt_request(body)
        if unreadable := shape_problem(bolt_request.body):
            logger.warning("refused a signed Slack request: %s (%d bytes)", unreadable, len(body))
            return _refusal(400, f"unreadable request: {unreadable}")
        return to_flask_response(bolt_app.dispatch(bolt_request))
    except Exception as error:  # what Bolt's own error handling let through
        # Only a body of a shape Slack never sends gets here (Bolt's argument builder
        # raises on it even inside the error handler): the sender's fault, not an outage.
        error_id = uuid.uuid4().hex[:8]
        logger.error(
            "could not read a signed Slack request (%s, error id %s; %d bytes)",
            type(error).__name__,
            error_id,
            len(body),
        )
        return _refusal(400, f"unreadable request (error id {error_id})")


def _bolt_request(body: bytes) -> BoltRequest:
    """Return the verified request as Bolt reads it, lone surrogates made U+FFFD throughout.

    The raw body stays as signed (Bolt checks the signature again); what listeners read, the
    parsed body and the ids in the context, is rebuilt from the cleaned body.
    """
    bolt_request = BoltRequest(
        body=body.decode("utf-8", errors="replace"),
        query=request.query_string.decode("utf-8", errors="replace"),
        headers=dict(request.headers),
    )
    bolt_request.body = without_surrogates(bolt_request.body)
    verified = BoltContext({verification.VERIFIED: True})
    bolt_request.context = build_context(verified, bolt_request.body)
    return bolt_request


def _body(limit: int) -> bytes | None:
    """Return the request body, or None when it is over `limit` bytes (read no further)."""
    if (request.content_length or 0) > limit:
        return None
    body = request.stream.read(limit + 1)
    return None if len(body) > limit else body


def _refusal(status: int, message: str) -> ResponseReturnValue:
    return jsonify(error=message), status


def _work_health(engine: Engine, clock_interval: float) -> dict[str, object]:
    now = utcnow()
    try:
        with Session(engine) as session:
            depth = health.queue_health(session=session, now=now)
            silent = health.silent_processes(
                session=session, now=now, clock_interval_seconds=clock_interval
            )
    except Exception:  # tables not migrated yet: the database answers, the rest is unknown
        logger.exception("health check: the queue could not be read")
        return {"queue": None}
    return {
        "queue": depth.as_json(),
        "silent": {s.process: s.describe(now) for s in silent},
    }


def _alert_later(
    *, engine: Engine, session: Session, project_id: int, metric_ids: Iterable[int]
) -> None:
    """Queue the escape check of metrics the API is storing, in the batch's transaction."""
    team_id = install.team_of_project(engine=engine, project_id=project_id) or ""
    escape.evaluate_later(
        session=session, team_id=team_id, project_id=project_id, metric_ids=metric_ids
    )


def build_from_settings() -> Flask:
    """Build the whole web app from the environment (gunicorn's entry point)."""
    from bot.app import create_app
    from bot.core.settings import get_settings
    from db.session import make_engine

    settings = get_settings()
    engine = make_engine(settings.database_url)
    bolt_app = create_app(settings=settings, engine=engine)
    web = create_web_app(
        bolt_app=bolt_app, engine=engine, clock_interval=settings.gatebot_clock_interval
    )
    logger.info("web app built: ready to answer Slack")
    return web
