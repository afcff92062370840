"""`gatebot export --project P --format csv|json [--out FILE]`: a project's record as a file."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlmodel import Session

from bot.core.errors import GatebotError
from bot.core.settings import Settings
from bot.metrics.csv_import import find_project
from bot.record import files
from bot.record.service import project_fields, record
from db.columns import utcnow
from db.session import make_engine


def run_export(*, settings: Settings, project_ref: str, fmt: str, out: Path | None) -> int:
    """Write the project's record in `fmt` to `out` (or standard output); return the status."""
    if fmt not in files.FORMATS:
        raise GatebotError(f"--format {fmt!r}: use one of {', '.join(files.FORMATS)}")
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            project = find_project(session=session, ref=project_ref)
            built = record(session=session, project=project)
            text = files.render(
                fmt=fmt, project=project_fields(project), record=built, exported_at=utcnow()
            )
    finally:
        engine.dispose()
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise GatebotError(f"cannot write {out}: {error.strerror or error}") from None
    print(
        f"gatebot: wrote the record of {project.name!r} (project {project.id}) to {out}: "
        f"{files.counts(built)}"
    )
    return 0


def run_forget(*, settings: Settings, user: str | None, workspace: str | None) -> int:
    """Forget a person (pseudonymise) or a workspace (delete); print what changed."""
    from bot.record.forget import forget_user, forget_workspace

    if (user is None) == (workspace is None):
        raise GatebotError("give one of --user U… (a person) or --workspace T… (a workspace)")
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            if user is not None:
                done = forget_user(session=session, user_id=user)
                if done.pseudonym is None:
                    print(f"gatebot: no row names {user}: there was nothing to forget")
                else:
                    print(
                        f"gatebot: {user} is now {done.pseudonym!r} everywhere ({done.describe()})"
                    )
            else:
                assert workspace is not None
                done = forget_workspace(session=session, team_id=workspace)
                print(f"gatebot: deleted workspace {workspace}'s data ({done.describe()})")
    finally:
        engine.dispose()
    return 0
