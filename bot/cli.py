"""The `gatebot` command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bot.core.errors import GatebotError
from bot.core.logs import configure_logging
from bot.core.settings import Settings, get_settings

EXIT_USAGE = 2  # every failure a person can fix (bot.doctor.failures)
_LONG_RUNNING = {"serve", "socket", "clock", "worker", "run"}
UNOPENABLE = (
    "tokens were sealed with a key no longer in GATEBOT_SEAL_KEYS and were left as they are: "
    "add that key back after the newest and rotate again, or have those workspaces reinstall"
)
logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        # Long-running processes log their work; one-shot commands print only their answer.
        level = (
            "INFO" if args.command in {"serve", "socket", "clock", "worker", "run"} else "WARNING"
        )
        configure_logging(get_settings(), default_level=level)
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from bot.doctor.failures import explain_failure  # alembic and SQLAlchemy: only now

        lines = explain_failure(error, verbose=args.verbose)
        if lines is None:
            raise
        print("\n".join(lines), file=sys.stderr)
        return EXIT_USAGE


def _version() -> str:
    try:
        return version("gatebot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gatebot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"gatebot {_version()}")
    # Accepted before or after the command; SUPPRESS keeps a subcommand from resetting it.
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        default=argparse.SUPPRESS,
        help="on a failure, show the full error and traceback too",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_with(verbose)
    )

    serve = commands.add_parser("serve", help="serve Slack's HTTP requests (gunicorn)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT or 3000)")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default 2)")
    serve.set_defaults(run=_serve)

    socket = commands.add_parser("socket", help="connect over Socket Mode (local development)")
    socket.set_defaults(run=_socket)

    worker = commands.add_parser(
        "worker", help="run queued work: hypothesis checks, answers, posts, Home pages"
    )
    worker.set_defaults(run=_worker)

    run = commands.add_parser(
        "run", help="run the web, a worker and the clock together (the whole product)"
    )
    run.add_argument("--socket", action="store_true", help="the web over Socket Mode, not HTTP")
    run.add_argument("--port", type=int, help="port to listen on (default: PORT or 3000)")
    run.set_defaults(run=_run)

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

    clock = commands.add_parser(
        "clock",
        help="post due gate prompts, reminders and weekly digests; sweep for escape alerts",
    )
    clock.add_argument("--once", action="store_true", help="run one pass over what is due, exit")
    clock.set_defaults(run=_clock)

    backfill = commands.add_parser(
        "import-csv", help="back-fill metric samples from a CSV file with columns name,value,at"
    )
    backfill.add_argument("--project", required=True, help="the project's id or name")
    backfill.add_argument("file", type=Path, help="the CSV file; its first line names the columns")
    backfill.set_defaults(run=_import_csv)

    digest = commands.add_parser("digest", help="post a project's weekly digest now, or print it")
    digest.add_argument("--project", required=True, help="the project's id or name")
    digest.add_argument("--dry-run", action="store_true", help="print it instead of posting it")
    digest.add_argument("--json", action="store_true", help="with --dry-run: print Block Kit JSON")
    digest.add_argument("--chart", type=Path, help="with --dry-run: write the chart PNG here")
    digest.set_defaults(run=_digest)

    export = commands.add_parser(
        "export", help="write a project's record (hypotheses, reviews, answers, decisions, values)"
    )
    export.add_argument("--project", required=True, help="the project's id or name")
    export.add_argument("--format", choices=("csv", "json"), default="json", help="default json")
    export.add_argument("--out", type=Path, help="the file to write (default: standard output)")
    export.set_defaults(run=_export)

    forget = commands.add_parser(
        "forget", help="pseudonymise a person everywhere, or delete a workspace's data now"
    )
    forget.add_argument("--user", help="a Slack user id (U…): their id becomes 'former member N'")
    forget.add_argument("--workspace", help="a Slack team id (T…): every row of it is deleted")
    forget.set_defaults(run=_forget)

    keys = commands.add_parser("keys", help="the keys sealing the Slack tokens installs store")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    keys_commands.add_parser("new", help="print a new random key").set_defaults(run=_keys_new)
    rotate = keys_commands.add_parser("rotate", help="re-seal every token with the newest key")
    rotate.set_defaults(run=_keys_rotate)

    demo = commands.add_parser(
        "demo", help="run the whole product offline against a stand-in Slack"
    )
    demo.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="keep the demo's database and chart in DIR (default: gatebot-demo in the temp folder)",
    )
    demo.set_defaults(run=_demo)

    doctor = commands.add_parser(
        "doctor", help="check settings, database, Slack tokens and the clock; one line each"
    )
    doctor.set_defaults(run=_doctor)
    return parser


def _with(parent: argparse.ArgumentParser) -> type[argparse.ArgumentParser]:
    class _Command(argparse.ArgumentParser):
        def __init__(self, **kwargs: object) -> None:
            super().__init__(parents=[parent], **kwargs)  # type: ignore[arg-type]

    return _Command


def _serve(args: argparse.Namespace) -> int:
    from bot.doctor.startup import require_healthy
    from bot.server import serve

    settings = get_settings()
    require_healthy(settings, role="serve")
    logger.info("Slack install mode: %s", settings.install_mode)
    serve(settings=settings, port=args.port or settings.port, workers=args.workers)
    return 0


def _keys_new(args: argparse.Namespace) -> int:
    from bot.core.sealing import new_key

    print(new_key())
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    from bot.install.service import reseal_tokens

    settings = get_settings()
    report = reseal_tokens(settings=settings)
    print(
        f"gatebot: re-sealed {report.resealed} tokens with the newest key, "
        f"{report.were_plain} of them stored in plain text before"
    )
    if report.unopenable:
        print(f"gatebot: {report.unopenable} {UNOPENABLE}", file=sys.stderr)
        return 1
    return 0


def _socket(args: argparse.Namespace) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app
    from bot.doctor.startup import require_healthy
    from db.session import make_engine

    settings = get_settings()
    require_healthy(settings, role="socket")
    app = create_app(settings=settings, engine=make_engine(settings.database_url), socket_mode=True)
    SocketModeHandler(app, settings.slack_app_token).start()
    return 0


def _worker(args: argparse.Namespace) -> int:
    import signal
    from threading import Event

    from bot.app import build_worker
    from db.session import make_engine

    settings = get_settings()
    settings.require_slack(serving=False)
    logger.info("Slack install mode: %s", settings.install_mode)
    engine = make_engine(settings.database_url)
    stop = Event()

    def on_signal(signum: int, _frame: object) -> None:
        logger.info("worker stopping on signal %s: finishing the jobs in hand", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        build_worker(settings=settings, engine=engine).run(stop)
    finally:
        engine.dispose()
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.processes import commands, run_all

    settings = get_settings()
    settings.require_slack()
    if args.socket:
        settings.require("SLACK_APP_TOKEN")
    return run_all(commands(socket=args.socket, port=args.port))


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
    from bot.doctor.database import check_database
    from bot.doctor.problems import SelfCheckFailed
    from db.migrate import current_revision, upgrade

    url = get_settings().database_url
    if problems := check_database(url, migrated=False).problems:
        raise SelfCheckFailed(problems)
    applied = upgrade(url, args.revision)
    at = current_revision(url)
    if not applied:
        print(f"gatebot: already at {'head ' if args.revision == 'head' else ''}{at}")
    elif len(applied) == 1:
        print(f"gatebot: applied {applied[0]}; the database is at {at}")
    else:
        print(
            f"gatebot: applied {applied[0]} … {applied[-1]} ({len(applied)} migrations); "
            f"the database is at {at}"
        )
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from bot.doctor.problems import SelfCheckFailed
    from bot.doctor.startup import self_check

    report = self_check(get_settings(), role="doctor")
    for note in report.notes:
        print(f"gatebot: ok: {note}")
    if report.problems:
        raise SelfCheckFailed(report.problems)
    return 0


def _clock(args: argparse.Namespace) -> int:
    from bot.clock.runner import run_forever, run_once_in_foreground
    from bot.doctor.startup import require_healthy
    from db.session import make_engine

    settings = get_settings()
    require_healthy(settings, role="clock")
    logger.info("Slack install mode: %s", settings.install_mode)
    engine = make_engine(settings.database_url)
    try:
        if args.once:
            print(f"gatebot: {run_once_in_foreground(settings=settings, engine=engine)}")
        else:
            run_forever(settings=settings, engine=engine)
    finally:
        engine.dispose()
    return 0


def _import_csv(args: argparse.Namespace) -> int:
    from bot.metrics.csv_import import import_csv
    from db.session import make_engine

    engine = make_engine(get_settings().database_url)
    try:
        project, result = import_csv(engine=engine, project_ref=args.project, path=args.file)
    finally:
        engine.dispose()
    print(
        f"gatebot: {args.file} into {project.name!r} (project {project.id}): "
        f"{result.stored} stored, {result.updated} updated, {result.duplicates} duplicates"
    )
    return 0


def _digest(args: argparse.Namespace) -> int:
    from bot.digests.cli import run_digest

    return run_digest(
        settings=get_settings(),
        project_ref=args.project,
        dry_run=args.dry_run,
        as_json=args.json,
        chart=args.chart,
    )


def _export(args: argparse.Namespace) -> int:
    from bot.record.cli import run_export

    return run_export(
        settings=get_settings(), project_ref=args.project, fmt=args.format, out=args.out
    )


def _forget(args: argparse.Namespace) -> int:
    from bot.record.cli import run_forget

    return run_forget(settings=get_settings(), user=args.user, workspace=args.workspace)


def _demo(args: argparse.Namespace) -> int:
    from bot.demo.run import run_demo

    return run_demo(folder=args.keep)


if __name__ == "__main__":
    sys.exit(main())
