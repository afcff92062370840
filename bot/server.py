"""Production HTTP serving: gunicorn with threaded workers, each building its own app."""

from __future__ import annotations

import importlib
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.core.logs import gunicorn_logging
from bot.core.settings import Settings
from bot.slack.ack_first import REQUESTS


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """Gunicorn run from code, so `gatebot serve` needs no config file."""

    def __init__(self, options: dict[str, Any], *, loader: str) -> None:
        self.options = options
        self.loader = loader
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Built in each worker after the fork: database pools and threads do not survive forks.
        module, _, factory = self.loader.partition(":")
        return getattr(importlib.import_module(module), factory)()


def gunicorn_options(*, settings: Settings, port: int, workers: int | None) -> dict[str, Any]:
    """Return gunicorn's settings: threaded workers, since listeners wait on Slack and the LLM."""
    return {
        "bind": f"0.0.0.0:{port}",
        "workers": workers or 2,
        "worker_class": "gthread",
        "threads": settings.gatebot_web_threads,
        "timeout": 60,
        "graceful_timeout": 20,
        **gunicorn_logging(settings),  # our JSON lines and redaction for gunicorn's logs too
        "proc_name": "gatebot-web",
        # gunicorn 23+ opens a control socket at one fixed path under $HOME; two servers on
        # one host (two web processes, or the ack benchmark's pair) would fight over it.
        "control_socket_disable": True,
        # Count requests in flight: background jobs wait for them (bot/slack/ack_first.py).
        "pre_request": _request_started,
        "post_request": _request_finished,
    }


def _request_started(_worker: Any, _request: Any) -> None:
    REQUESTS.request_started()


def _request_finished(_worker: Any, _request: Any, _environ: Any, _response: Any) -> None:
    REQUESTS.request_finished()


def serve(
    *,
    settings: Settings,
    port: int,
    workers: int | None = None,
    loader: str = "bot.web:build_from_settings",
) -> None:
    """Serve the WSGI app that `loader` ("module:factory") builds, until stopped."""
    _Gunicorn(gunicorn_options(settings=settings, port=port, workers=workers), loader=loader).run()
