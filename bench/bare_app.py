"""A bare Bolt app that only acks /hypothesis: the baseline for bench/ack_latency.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flask import Flask, request
from flask.typing import ResponseReturnValue
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler

from bot.core.settings import get_settings
from bot.slack.client import build_web_client


def build() -> Flask:
    """Build the bare app from the same settings gatebot reads."""
    settings = get_settings()
    # The same listener pool as gatebot's: with Bolt's default of 5 threads the baseline
    # would queue its own acks under 32 concurrent requests and flatter the ratio.
    bolt = App(
        client=build_web_client(settings),
        signing_secret=settings.slack_signing_secret,
        listener_executor=ThreadPoolExecutor(max_workers=settings.gatebot_listener_threads),
    )

    @bolt.command("/hypothesis")
    def only_ack(ack: Ack) -> None:
        ack()

    web = Flask("bare")
    handler = SlackRequestHandler(bolt)

    @web.post("/slack/events")
    def events() -> ResponseReturnValue:
        return handler.handle(request)

    @web.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return {"ok": True}

    return web
