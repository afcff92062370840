"""The WSGI app gunicorn serves: Slack's events endpoint and a health check."""

from __future__ import annotations

import logging
from functools import partial

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from sqlalchemy import Engine

from bot import escape
from bot.api import create_api
from bot.app import jobs_of
from bot.jobs import BackgroundJobs
from db.session import ping

logger = logging.getLogger(__name__)


def create_web_app(*, bolt_app: App, engine: Engine, jobs: BackgroundJobs | None = None) -> Flask:
    """Return the Flask app with /slack/events, /healthz and the /api/v1 metrics API.

    Metrics stored through the API are judged for escape alerts on `jobs` (by default the
    Bolt app's own pool), queued as the response goes out: a pipeline never waits on Slack.
    """
    web = Flask("gatebot")
    handler = SlackRequestHandler(bolt_app)
    pool = jobs or jobs_of(bolt_app)
    on_ingested = None
    if pool is not None:
        on_ingested = partial(escape.evaluate_later, jobs=pool, client=bolt_app.client)
    else:
        logger.warning("no job pool for the API: metrics it stores raise no escape alerts")
    web.register_blueprint(create_api(engine=engine, on_ingested=on_ingested), url_prefix="/api/v1")

    @web.post("/slack/events")
    def slack_events() -> ResponseReturnValue:
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


def build_from_settings() -> Flask:
    """Build the whole web app from the environment (gunicorn's entry point)."""
    from bot.app import create_app
    from bot.falsifiability.service import FalsifiabilityChecker
    from bot.settings import get_settings
    from db.session import make_engine

    settings = get_settings()
    engine = make_engine(settings.database_url)
    bolt_app = create_app(
        settings=settings, engine=engine, checker=FalsifiabilityChecker.from_settings(settings)
    )
    return create_web_app(bolt_app=bolt_app, engine=engine)
