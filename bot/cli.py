"""The `gatebot` command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from bot.errors import GatebotError
from bot.settings import Settings, SettingsError, get_settings

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    # Long-running processes log their work; one-shot commands print only their answer.
    level = logging.INFO if args.command in {"serve", "socket", "clock"} else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        return int(args.run(args) or 0)
    except (SettingsError, GatebotError) as error:
        print(f"gatebot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gatebot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve Slack's HTTP requests (gunicorn)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT or 3000)")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default 2)")
    serve.set_defaults(run=_serve)

    socket = commands.add_parser("socket", help="connect over Socket Mode (local development)")
    socket.set_defaults(run=_socket)

    check = commands.add_parser("check", help="check statements for falsifiability, as JSON")
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="the statement to check")
    source.add_argument("--file", type=Path, help="a JSONL file with a `text` field per line")
    check.add_argument("--rules", action="store_true", help="use only the offline rule-based check")
    check.set_defaults(run=_check)

    database = commands.add_parser("db", help="database migrations")
    database_commands = database.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = database_commands.add_parser("upgrade", help="apply Alembic migrations")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(run=_db_upgrade)

    demo = commands.add_parser(
        "demo", help="run the whole product offline against a stand-in Slack"
    )
    demo.set_defaults(run=_demo)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from bot.server import serve

    settings = get_settings()
    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    serve(settings=settings, port=args.port or settings.port, workers=args.workers)
    return 0


def _socket(args: argparse.Namespace) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app
    from bot.falsifiability.service import FalsifiabilityChecker
    from db.session import make_engine

    settings = get_settings()
    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")
    app = create_app(
        settings=settings,
        engine=make_engine(settings.database_url),
        checker=FalsifiabilityChecker.from_settings(settings),
    )
    SocketModeHandler(app, settings.slack_app_token).start()
    return 0


def _read_statements(path: Path) -> Iterator[tuple[int, str | None, str | None]]:
    """Yield (line number, text, error) for each non-blank line of a JSONL file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise GatebotError(f"cannot read {path}: {error.strerror or error}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, None, f"not valid JSON ({error.msg})"
            continue
        text = row.get("text") if isinstance(row, dict) else None
        if not isinstance(text, str) or not text.strip():
            yield number, None, "no `text` field with a statement"
            continue
        yield number, text, None


def _check(args: argparse.Namespace) -> int:
    check = _checker(get_settings(), rules_only=args.rules)
    if args.text is not None:
        if not args.text.strip():
            raise GatebotError('give a statement to check, e.g. gatebot check "Reduce churn."')
        print(json.dumps({"text": args.text, **check(args.text).as_json()}))
        return 0
    failures = 0
    for number, text, error in _read_statements(args.file):
        if error or text is None:
            failures += 1
            print(f"gatebot: {args.file}:{number}: {error}", file=sys.stderr)
            continue
        print(json.dumps({"line": number, "text": text, **check(text).as_json()}), flush=True)
    return 1 if failures else 0


def _checker(settings: Settings, *, rules_only: bool) -> Callable:  # type: ignore[type-arg]
    if rules_only:
        from bot.falsifiability.rules import check_rules

        return check_rules
    from bot.falsifiability.service import FalsifiabilityChecker

    return FalsifiabilityChecker.from_settings(settings).check


def _db_upgrade(args: argparse.Namespace) -> int:
    from db.migrate import upgrade

    upgrade(get_settings().database_url, args.revision)
    print(f"gatebot: database is at {args.revision}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return run_demo()


if __name__ == "__main__":
    sys.exit(main())
