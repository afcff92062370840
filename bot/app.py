"""The app factory: a Bolt app wired to our settings, database and checker."""

from __future__ import annotations

import logging
from typing import Any
from weakref import WeakKeyDictionary

from slack_bolt import App, BoltContext
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.listener.listener_completion_handler import CustomListenerCompletionHandler
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from sqlalchemy import Engine
from sqlmodel import Session

from bot import dedupe, install
from bot.errors import report_error
from bot.hypotheses import Checker
from bot.jobs import BackgroundJobs
from bot.listener_guard import guard_listeners
from bot.mrkdwn import unescape
from bot.request_context import ContextThreadPoolExecutor, bolt_request_ids
from bot.settings import Settings

logger = logging.getLogger(__name__)

# Each app's job pool, so the web app can hand work on (metrics just posted to the API)
# to the same pool the listeners use, and `LiveApp.drain` waits for it too.
_JOBS: WeakKeyDictionary[App, BackgroundJobs] = WeakKeyDictionary()


def build_web_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """Return a WebClient for SLACK_API_URL that rides out rate limits and dropped connections."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(
    *, settings: Settings, engine: Engine, checker: Checker, jobs: BackgroundJobs | None = None
) -> App:
    """Build the Bolt app with every listener registered."""
    from handlers import register_listeners

    settings.require_slack()
    client = build_web_client(settings)
    if settings.oauth_enabled:
        client.token = None  # each request gets its team's token from the installation store
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        # Listeners run here; Bolt's default of 5 threads is too few for a busy channel.
        # Slow work (LLM checks) goes to BackgroundJobs, so it never holds these threads.
        listener_executor=ContextThreadPoolExecutor(  # listeners keep the request's ids
            max_workers=settings.gatebot_listener_threads, thread_name_prefix="listener"
        ),
        raise_error_for_unhandled_request=False,
        # OAuth mode (install, per-team tokens) when configured; nothing for one workspace.
        **install.app_options(settings=settings, engine=engine, client=client),
    )
    jobs = jobs or BackgroundJobs(
        engine=engine, checker=checker, max_workers=settings.gatebot_job_threads
    )
    _JOBS[app] = jobs
    app.use(bolt_request_ids)  # first, so every later line of the request carries its id
    _install_session(app, engine=engine, checker=checker, jobs=jobs)
    dedupe.install(app)  # repeated Slack deliveries are acked, not acted on twice
    app.use(_unescape_command_text)
    app.error(_handle_error)
    register_listeners(app)
    guard_listeners(app)
    return app


def _unescape_command_text(body: dict[str, Any], next: Any) -> None:  # noqa: A002 (Bolt's name)
    """Undo Slack's escaping of slash-command text once, here, so it is stored as typed.

    Everything that shows it escapes it once on the way out (bot.mrkdwn.escape).
    """
    if body.get("command") and isinstance(body.get("text"), str):
        body["text"] = unescape(body["text"])
    next()


def jobs_of(app: App) -> BackgroundJobs | None:
    """Return the job pool `create_app` gave `app`, or None for an app built elsewhere."""
    return _JOBS.get(app)


def _install_session(app: App, *, engine: Engine, checker: Checker, jobs: BackgroundJobs) -> None:
    """Give each request its own DB session, opened lazily and closed when the listener ends.

    Middleware returns as soon as the listener acks, while the listener carries on in a
    worker thread; closing the session in middleware would pull it from under the listener.
    So the middleware creates it (no connection until first use) and Bolt's completion
    hook, which runs in the listener's own thread, closes it.
    """

    def db_session(context: BoltContext, next: Any) -> None:  # noqa: A002 (Bolt's name)
        context["session"] = Session(engine, expire_on_commit=False)
        context["checker"] = checker
        context["jobs"] = jobs
        next()

    def close_session(context: BoltContext) -> None:
        session = context.get("session")
        if session is not None:
            session.close()

    app.use(db_session)
    app.listener_runner.listener_completion_handler = CustomListenerCompletionHandler(
        logger=logger, func=close_session
    )


def _handle_error(error: Exception, body: dict[str, Any], respond: Any, client: WebClient) -> None:
    """Turn any listener error into a message a person understands."""
    if isinstance(error, BoltUnhandledRequestError):
        return
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    report_error(
        error, respond=respond if body.get("response_url") else None, client=client, user_id=user
    )
