"""Log lines: JSON (or text) a log store can index, tagged with ids, never holding a secret."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlmodel import Session

from bot.core.logs import REDACTED
from bot.core.request_ids import bound
from bot.core.settings import SECRET_SUFFIXES, Settings, load_settings
from bot.metrics.tokens import SCHEME
from tests.live_app import LiveApp
from tests.log_capture import captured_logs
from tests.metric_helpers import make_project

log = logging.getLogger("tests.logs")

OPENAI_KEY = "sk-proj-" + "Zq81" * 12
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"  # the shape of Slack's: hex, no prefix
STATE_SECRET = "correct-horse-battery-staple"
INGEST_TOKEN = SCHEME + secrets.token_urlsafe(32)

# Secrets recognised by their shape, wherever they come from.
SHAPED = {
    "bot token": "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
    "user token": "xoxp-1234567890-0987654321-1122334455-0a1b2c3d4e5f",
    "app-level token": "xapp-1-A0123456789-1234567890123-abcdef0123456789",
    "rotated token": "xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAtMDk4NzY1NDMyMQ",
    "refresh token": "xoxe-1-My0xLTEyMzQ1Njc4OTAtMDk4NzY1NDMyMQ",
    "ingestion token": INGEST_TOKEN,
    "OpenAI key": OPENAI_KEY,
}
# Secrets recognised by where they stand: (the text logged, the secret in it).
PLACED = {
    "Authorization header": ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    "Bearer value": ("sent bearer f00dfacef00dface to the API", "f00dfacef00dface"),
    "URL password": ("postgresql://gatebot:hunter2pw@db.internal/gatebot", "hunter2pw"),
    "OAuth body": ("code=1.2.3&client_secret=5ecr3tC0de&redirect_uri=x", "5ecr3tC0de"),
    # What Bolt logs of a request whose signature it refused: the form body as sent.
    "legacy token": ("token=vErIfIcAt10n&team_id=T1&command=%2Fgate", "vErIfIcAt10n"),
    "response_url": (
        "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F42%2FpOsTaSmE&x=1",
        "pOsTaSmE",
    ),
    "webhook": ("posting to https://hooks.slack.com/services/T1/B2/wEbHoOk", "wEbHoOk"),
    "access_token": ('{"ok": true, "access_token": "aCcEsS99"}', "aCcEsS99"),
}
# Secrets with no recognisable shape: scrubbed because the settings name them.
CONFIGURED = {"signing secret": SIGNING_SECRET, "state secret": STATE_SECRET}


def _settings(**overrides: object) -> Settings:
    return load_settings(
        _env_file=None,
        slack_signing_secret=SIGNING_SECRET,
        slack_state_secret=STATE_SECRET,
        **overrides,
    )


def test_a_json_line_carries_the_ids_and_the_traceback():
    with captured_logs(_settings(), level="INFO") as logs:
        with bound(request_id="req-1", team_id="T1", user_id="U1"):
            try:
                {}["missing"]  # noqa: B018 (the error is the point)
            except KeyError:
                log.exception("could not save hypothesis %s", 7)
        log.warning("outside any request")

    first, second = logs.lines()
    assert first["level"] == "ERROR" and first["logger"] == "tests.logs"
    assert first["msg"] == "could not save hypothesis 7"
    assert (first["request_id"], first["team_id"], first["user_id"]) == ("req-1", "T1", "U1")
    assert first["exc"].startswith("Traceback") and "KeyError: 'missing'" in first["exc"]
    assert datetime.fromisoformat(first["ts"]).utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert set(second) == {"ts", "level", "logger", "msg"}


def test_the_text_format_is_one_readable_line_with_the_ids():
    text = _settings(gatebot_log_format="text")
    with captured_logs(text, level="INFO") as logs, bound(request_id="req-2", team_id="T1"):
        log.info("posted %s", "the digest")

    stamp, line = logs.text.strip().split(" INFO ")
    assert datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f")
    assert line == "tests.logs [request_id=req-2 team_id=T1] posted the digest"


def test_the_level_setting_wins_over_the_process_default():
    with captured_logs(_settings(gatebot_log_level="error"), level="DEBUG") as logs:
        log.warning("dropped")
        log.error("kept")
        configured_again = _settings()  # no level set: the process default applies
        logs.configure(configured_again, level="WARNING")
        log.info("dropped too")
        log.warning("kept too")

    assert [line["msg"] for line in logs.lines()] == ["kept", "kept too"]


def _log_everywhere(secret_text: str) -> None:
    """Log `secret_text` in a message, as an argument, and in a traceback."""
    log.warning(f"message holds {secret_text}")
    log.warning("argument holds %s", secret_text)
    try:
        raise RuntimeError(f"the server said: {secret_text}")
    except RuntimeError:
        log.exception("traceback follows")


@pytest.mark.parametrize(
    ("logged", "secret"),
    [
        *[(value, value) for value in SHAPED.values()],
        *PLACED.values(),
        *[(f"value {value} here", value) for value in CONFIGURED.values()],
    ],
    ids=[*SHAPED, *PLACED, *CONFIGURED],
)
def test_secrets_are_scrubbed_from_messages_arguments_and_tracebacks(logged: str, secret: str):
    with captured_logs(_settings()) as logs:
        _log_everywhere(logged)

    lines = logs.lines()
    assert len(lines) == 3
    assert secret not in logs.text
    assert all(REDACTED in line["msg"] for line in lines[:2])
    assert REDACTED in lines[2]["exc"]


def test_what_is_not_secret_stays_readable():
    prefix = INGEST_TOKEN[: len(SCHEME) + 8]  # what /metric token list shows
    with captured_logs(_settings()) as logs:
        log.info("revoked %s… for project 3; slack_client_secret=None", prefix)
        log.info("GET http://127.0.0.1:3000/healthz took 4 ms")

    assert [line["msg"] for line in logs.lines()] == [
        f"revoked {prefix}… for project 3; slack_client_secret=None",
        "GET http://127.0.0.1:3000/healthz took 4 ms",
    ]


def test_settings_never_show_a_secret_in_repr_or_str():
    secret_fields = [name for name in Settings.model_fields if name.endswith(SECRET_SUFFIXES)]
    values = {name: f"value-of-{name}-{secrets.token_hex(4)}" for name in secret_fields}
    settings = load_settings(
        _env_file=None, database_url="postgresql://gatebot:hunter2pw@db/gatebot", **values
    )

    shown = [repr(settings), str(settings), f"{settings}"]

    assert {"slack_bot_token", "slack_signing_secret", "openai_api_key"} <= set(secret_fields)
    for text in shown:
        assert not [value for value in values.values() if value in text]
        assert "hunter2pw" not in text
        assert "slack_bot_token='[redacted]'" in text and "db/gatebot" in text
        assert "slack_api_url='https://slack.com/api/'" in text
    assert sorted(settings.secret_values()) == sorted([*values.values(), "hunter2pw"])


def test_the_live_app_logs_no_secret_even_at_debug(start_app: Callable[..., LiveApp]):
    with captured_logs(level="DEBUG") as logs:
        live = start_app(openai_api_key=OPENAI_KEY, openai_base_url="http://127.0.0.1:9/v1")
        # Secrets of the OAuth set, configured but unused here, must be scrubbed as well.
        settings = live.settings.model_copy(
            update={"slack_client_secret": "cl1ent-s3cret", "slack_state_secret": STATE_SECRET}
        )
        logs.configure(settings, level="DEBUG")
        with Session(live.engine) as session:
            make_project(session, team_id=live.slack.team_id, channel_id=live.sender.channel_id)
            session.commit()
        known = [live.settings.slack_bot_token, live.settings.slack_signing_secret]
        # A Slack that echoes secrets in its errors: the listener's traceback carries them.
        live.slack.fail("views.open", error=" ".join([*known, OPENAI_KEY, "cl1ent-s3cret"]))

        opened = live.sender.command("/hypothesis")
        issued = live.sender.command("/metric", "token")  # the new token is in the reply body
        # The token, and the note that the form did not open, both reach the user.
        replies = json.dumps([call.args for call in live.slack.wait_for("response_url", count=2)])
        live.drain()

    assert opened.status == issued.status == 200
    assert "Something went wrong on our side" in replies
    token = re.search(SCHEME + r"[\w-]{40,}", replies)
    assert token is not None
    for secret in [*known, OPENAI_KEY, "cl1ent-s3cret", STATE_SECRET, token.group(0)]:
        assert secret and secret not in logs.text
    failed = [line for line in logs.lines() if "exc" in line]
    assert failed and REDACTED in failed[0]["exc"] and "views.open" in failed[0]["exc"]
    assert any(
        REDACTED in line["msg"] and "ingestion token" in line["msg"] for line in logs.lines()
    )


@pytest.mark.parametrize(
    ("log_format", "looks_like"),
    [
        ("json", r'\{"ts": .*"level": "WARNING", "logger": "bot\.falsifiability\.service".*'),
        ("text", r"\d{4}-.* WARNING bot\.falsifiability\.service LLM falsifiability check .*"),
    ],
)
def test_cli_commands_log_through_the_same_handler(log_format: str, looks_like: str):
    env = {
        **os.environ,
        "OPENAI_API_KEY": OPENAI_KEY,
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",  # nothing listens: the check falls back
        "GATEBOT_LOG_FORMAT": log_format,
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check", "Make the system smarter."],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["checker"] == "rules"
    [line] = result.stderr.splitlines()
    assert re.fullmatch(looks_like, line)
    assert OPENAI_KEY not in result.stderr


def test_the_scheduler_s_per_run_lines_are_quiet_unless_debugging():
    executors = logging.getLogger("apscheduler.executors.default")

    with captured_logs(load_settings(_env_file=None), level="INFO") as quiet:
        executors.info('Running job "tick" (scheduled at 12:00)')
        executors.warning("Run time of job was missed by 0:01:00")
    with captured_logs(load_settings(_env_file=None, gatebot_log_level="DEBUG")) as debugging:
        executors.info('Running job "tick" (scheduled at 12:01)')

    assert "Running job" not in quiet.text
    assert "was missed" in quiet.text
    assert "Running job" in debugging.text
