"""Production HTTP serving: gunicorn with threaded workers, each building its own app."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from bot.settings import Settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """Gunicorn run from code, so `gatebot serve` needs no config file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Built in each worker after the fork: database pools and threads do not survive forks.
        from bot.web import build_from_settings

        return build_from_settings()


def gunicorn_options(*, settings: Settings, port: int, workers: int | None) -> dict[str, Any]:
    """Return gunicorn's settings: threaded workers, since listeners wait on Slack and the LLM."""
    return {
        "bind": f"0.0.0.0:{port}",
        "workers": workers or 2,
        "worker_class": "gthread",
        "threads": settings.gatebot_web_threads,
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "gatebot-web",
    }


def serve(*, settings: Settings, port: int, workers: int | None = None) -> None:
    """Serve until stopped."""
    _Gunicorn(gunicorn_options(settings=settings, port=port, workers=workers)).run()
