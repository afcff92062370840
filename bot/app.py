"""The app factory: a Bolt app wired to our settings, database and checker."""

from __future__ import annotations

import importlib
import logging
from datetime import timedelta
from typing import Any
from weakref import WeakKeyDictionary

from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.listener.listener_completion_handler import CustomListenerCompletionHandler
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot.core.errors import report_error
from bot.core.request_ids import ContextThreadPoolExecutor, bolt_request_ids
from bot.core.settings import Settings
from bot.install import service as install
from bot.install.service import ClientFor
from bot.queue.embedded import EmbeddedWorker
from bot.queue.tasks import registered
from bot.queue.worker import Worker, WorkerOptions
from bot.slack import dedupe
from bot.slack.client import build_web_client
from bot.slack.listeners import GuardedApp
from bot.slack.mrkdwn import unescape
from bot.slack.verification import VERIFIED
from bot.slack.workspace import RequestWorkspace
from db import heartbeats

logger = logging.getLogger(__name__)


class _NoTokenFromEnvironmentWarning(logging.Filter):
    """Drop Bolt's "As you gave `client` as well, `token` will be unused" warning.

    We pass only `client`; Bolt itself falls back on SLACK_BOT_TOKEN from os.environ, finds
    it there too, and warns about a token nobody gave it. The client's token is the one used.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


logging.getLogger("slack_bolt.App").addFilter(_NoTokenFromEnvironmentWarning())
# Each app's signing secret, so the web app verifies requests before handing them to Bolt.
_SECRETS: WeakKeyDictionary[App, str] = WeakKeyDictionary()


def create_app(*, settings: Settings, engine: Engine, socket_mode: bool = False) -> App:
    """Build the Bolt app with every listener registered.

    Its listeners validate, record and queue (bot.queue); the slow work runs on a worker
    (`build_worker`), in this process or another.

    `socket_mode`: requests arrive over Slack's WebSocket, authenticated by the app-level
    token, so no signing secret is needed (nor checked: Bolt skips it for socket requests).
    """
    from handlers import register_listeners

    settings.require_slack(serving=not socket_mode)
    client = build_web_client(settings)
    if settings.oauth_enabled:
        client.token = None  # each request gets its team's token from the installation store
    app = GuardedApp(  # every listener reports its own errors after ack (bot.slack.listeners)
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        # Listeners run here; Bolt's default of 5 threads is too few for a busy channel.
        # Slow work (LLM checks) goes to the queue, so it never holds these threads.
        listener_executor=ContextThreadPoolExecutor(  # listeners keep the request's ids
            max_workers=settings.gatebot_listener_threads, thread_name_prefix="listener"
        ),
        raise_error_for_unhandled_request=False,
        # OAuth mode (install, per-team tokens) when configured; nothing for one workspace.
        **install.app_options(settings=settings, engine=engine, client=client),
    )
    _SECRETS[app] = settings.slack_signing_secret or ""
    app.use(bolt_request_ids)  # first, so every later line of the request carries its id
    _install_session(app, engine=engine)
    dedupe.install(app)  # repeated Slack deliveries are acked, not acted on twice
    app.use(_unescape_command_text)
    app.error(_handle_error)
    register_listeners(app)
    return app


# Every module that registers queue tasks (bot.queue.tasks), imported by every worker.
TASK_MODULES = (
    "bot.hypotheses.flows",
    "bot.gates.tasks",
    "bot.home.service",
    "bot.escapes.service",
    "bot.digests.tasks",
    "bot.record.flows",
    "bot.changes.flows",
)


def register_tasks() -> list[str]:
    """Import every module that registers queue tasks; return the registered names.

    Explicit, so a worker knows every task a web process can queue (bot.queue.tasks).
    """
    for module in TASK_MODULES:
        importlib.import_module(module)
    return registered()


def build_worker(
    *, settings: Settings, engine: Engine, client_for: ClientFor | None = None
) -> Worker:
    """Return a worker with the settings' threads and lease, the checker and team clients."""
    from bot.falsifiability.service import FalsifiabilityChecker

    register_tasks()
    options = WorkerOptions(
        threads=settings.gatebot_job_threads,
        lease=timedelta(seconds=settings.gatebot_job_lease_seconds),
        retry_base=timedelta(seconds=settings.gatebot_job_retry_seconds),
    )

    def beat() -> None:
        with Session(engine) as session:
            heartbeats.beat(session=session, process="worker")
            session.commit()

    return Worker(
        engine=engine,
        client_for=client_for or install.client_for(settings=settings, engine=engine),
        checker=FalsifiabilityChecker.from_settings(settings),
        options=options,
        on_beat=beat,
    )


def start_embedded_worker(*, settings: Settings, engine: Engine, bolt: App) -> EmbeddedWorker:
    """Start a worker on a thread of this process, with `bolt`'s team clients (tests, demo)."""
    worker = build_worker(settings=settings, engine=engine, client_for=install.client_for_app(bolt))
    return EmbeddedWorker(worker).start()


def _unescape_command_text(body: dict[str, Any], next: Any) -> None:  # noqa: A002 (Bolt's name)
    """Undo Slack's escaping of slash-command text once, here, so it is stored as typed.

    Everything that shows it escapes it once on the way out (bot.mrkdwn.escape).
    """
    if body.get("command") and isinstance(body.get("text"), str):
        body["text"] = unescape(body["text"])
    next()


def signing_secret_of(app: App) -> str:
    """Return the signing secret `create_app` gave `app` ("" for an app built elsewhere)."""
    return _SECRETS.get(app, "")


def _install_session(app: App, *, engine: Engine) -> None:
    """Give each request its own DB session, opened lazily and closed when the listener ends.

    Middleware returns as soon as the listener acks, while the listener carries on in a
    worker thread; closing the session in middleware would pull it from under the listener.
    So the middleware creates it (no connection until first use) and Bolt's completion
    hook, which runs in the listener's own thread, closes it.
    """

    def db_session(context: BoltContext, body: dict[str, Any], next: Any) -> None:  # noqa: A002
        session = Session(engine, expire_on_commit=False)
        context["session"] = session
        # Handlers declare `workspace: RequestWorkspace` instead of each looking it up.
        team_id = context.team_id or str(body.get("team_id") or "")
        context["workspace"] = RequestWorkspace(session=session, team_id=team_id)
        next()

    def close_session(context: BoltContext) -> None:
        session = context.get("session")
        if session is not None:
            session.close()

    app.use(db_session)
    app.listener_runner.listener_completion_handler = CustomListenerCompletionHandler(
        logger=logger, func=close_session
    )


def _handle_error(
    error: Exception,
    body: dict[str, Any],
    respond: Any,
    client: WebClient,
    context: BoltContext,
    request: BoltRequest,
) -> None:
    """Turn any listener error into a message a person understands; never for forged requests.

    Only a request the web layer verified (or one from Socket Mode's authenticated socket)
    gets a reply: the body of any other is an attacker's, and its response_url, user and
    channel are theirs to choose.
    """
    if isinstance(error, BoltUnhandledRequestError):
        return
    if not (context.get(VERIFIED) is True or request.mode == "socket_mode"):
        logger.warning(
            "no reply for an unverified request (%s, %d bytes)",
            type(error).__name__,
            len(request.raw_body),
        )
        return
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    report_error(
        error, respond=respond if body.get("response_url") else None, client=client, user_id=user
    )
