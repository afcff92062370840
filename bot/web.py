"""The WSGI app gunicorn serves: Slack's events endpoint and a health check."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from sqlalchemy import Engine

from db.session import ping

logger = logging.getLogger(__name__)


def create_web_app(*, bolt_app: App, engine: Engine) -> Flask:
    """Return the Flask app with /slack/events and /healthz."""
    web = Flask("gatebot")
    handler = SlackRequestHandler(bolt_app)

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
