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

from bot.app import jobs_of, signing_secret_of
from bot.core.request_ids import track_requests
from bot.core.text import without_surrogates
from bot.escapes import service as escape
from bot.install import service as install
from bot.metrics.api import create_api
from bot.slack import replays, verification
from bot.slack.jobs import BackgroundJobs
from bot.slack.shapes import shape_problem
from db.session import ping

logger = logging.getLogger(__name__)

# Slack's largest payloads (a modal's state, an event) are tens of kilobytes.
MAX_SLACK_BODY_BYTES = 1024 * 1024


def create_web_app(*, bolt_app: App, engine: Engine, jobs: BackgroundJobs | None = None) -> Flask:
    """Return the Flask app with /slack/events, /healthz and the /api/v1 metrics API.

    Metrics stored through the API are judged for escape alerts on `jobs` (by default the
    Bolt app's own pool), queued as the response goes out: a pipeline never waits on Slack.
    """
    web = Flask("gatebot")
    track_requests(web)  # an X-Request-ID per request, in its log lines and its response
    handler = SlackRequestHandler(bolt_app)
    pool = jobs or jobs_of(bolt_app)
    on_ingested = None
    if pool is not None:
        clients = install.client_for_app(bolt_app)  # each project's alerts use its team's token
        on_ingested = partial(_alert_later, jobs=pool, engine=engine, client_for=clients)
    else:
        logger.warning("no job pool for the API: metrics it stores raise no escape alerts")
    web.register_blueprint(create_api(engine=engine, on_ingested=on_ingested), url_prefix="/api/v1")

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
        return jsonify(ok=True, database="ok")

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
        if problem := shape_problem(bolt_request.body):
            logger.warning("refused a signed Slack request: %s (%d bytes)", problem, len(body))
            return _refusal(400, f"unreadable request: {problem}")
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


def _alert_later(
    *,
    jobs: BackgroundJobs,
    engine: Engine,
    client_for: install.ClientFor,
    project_id: int,
    metric_ids: Iterable[int],
) -> None:
    """Queue the escape check of metrics the API stored, with the project's team's client."""
    team_id = install.team_of_project(engine=engine, project_id=project_id)
    try:
        client = client_for(team_id or "")
    except install.NotInstalled as error:  # stored all the same; the sweep alerts on reinstall
        logger.info("no escape check for project %s: %s", project_id, error)
        return
    escape.evaluate_later(jobs=jobs, client=client, project_id=project_id, metric_ids=metric_ids)


def build_from_settings() -> Flask:
    """Build the whole web app from the environment (gunicorn's entry point)."""
    from bot.app import create_app
    from bot.core.settings import get_settings
    from bot.falsifiability.service import FalsifiabilityChecker
    from db.session import make_engine

    settings = get_settings()
    engine = make_engine(settings.database_url)
    bolt_app = create_app(
        settings=settings, engine=engine, checker=FalsifiabilityChecker.from_settings(settings)
    )
    web = create_web_app(bolt_app=bolt_app, engine=engine)
    logger.info("web app built: ready to answer Slack")
    return web
