"""Production HTTP serving: gunicorn with threaded workers, each building its own app."""

from __future__ import annotations

import importlib
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.core.logs import gunicorn_logging
from bot.core.settings import Settings
from db.session import forget_inherited_connections


class _Gunicorn(BaseApplication):
    """Gunicorn run from code, so `gatebot serve` needs no config file."""

    def __init__(self, options: dict[str, Any], *, loader: str) -> None:
        self.options = options
        self.loader = loader
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Preloaded: built in the master before the port opens, so no request is accepted
        # by a worker still building the app. Forked workers share it; after_fork drops the
        # database connections a child must not share, and no thread has started yet.
        module, _, factory = self.loader.partition(":")
        return getattr(importlib.import_module(module), factory)()


def gunicorn_options(*, settings: Settings, port: int, workers: int | None) -> dict[str, Any]:
    """Return gunicorn's settings: threaded workers, since listeners wait on Slack and the LLM."""
    return {
        "bind": f"0.0.0.0:{port}",
        "workers": workers or 2,
        "worker_class": "gthread",
        "threads": settings.gatebot_web_threads,
        # Build the app before binding the port: Slack's first command after a deploy or
        # restart would otherwise wait for a worker to boot, past its 3 s.
        "preload_app": True,
        "post_fork": _after_fork,
        "timeout": 60,
        "graceful_timeout": 20,
        **gunicorn_logging(settings),  # our JSON lines and redaction for gunicorn's logs too
        "proc_name": "gatebot-web",
        # gunicorn 23+ opens a control socket at one fixed path under $HOME; two servers on
        # one host (two web processes, or the ack benchmark's pair) would fight over it.
        "control_socket_disable": True,
    }


def _after_fork(_server: Any, _worker: Any) -> None:
    forget_inherited_connections()


def serve(
    *,
    settings: Settings,
    port: int,
    workers: int | None = None,
    loader: str = "bot.web:build_from_settings",
) -> None:
    """Serve the WSGI app that `loader` ("module:factory") builds, until stopped."""
    _Gunicorn(gunicorn_options(settings=settings, port=port, workers=workers), loader=loader).run()
