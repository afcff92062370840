"""Forgetting, over every table SQLModel knows: a person's id everywhere, or a whole workspace.

Generic on purpose: the scan walks SQLModel.metadata, so a table added later is covered
without anyone remembering to add it here. Only the exceptions are named: copies that are
deleted rather than rewritten, and roles emptied rather than given to a pseudonym.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    String,
    Table,
    Text,
    TypeDecorator,
    cast,
    delete,
    or_,
    select,
    update,
)
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401 (every table registered on the metadata)

# Copies of what people typed or were sent, kept for delivery or dedupe: a row naming the
# person goes whole (a kept post, a job's payload, a receipt).
TRANSIENT = frozenset(
    {"outbox_messages", "queued_jobs", "slack_receipts", "seen_signatures", "slack_oauth_states"}
)
# Roles a person holds now: nobody takes them over as a pseudonym; they are left empty.
ROLES = frozenset({("projects", "pm_lead"), ("projects", "ds_lead"), ("metrics", "owner")})
# An installer's own token and scopes go with their id.
_INSTALLER_SECRETS = ("user_token", "user_refresh_token", "user_scopes")


def _texty(column: Column[Any]) -> bool:
    kind = column.type
    if isinstance(kind, TypeDecorator):  # SQLModel's AutoString, our UTC timestamps
        kind = kind.impl_instance
    return isinstance(kind, String | Text | JSON)


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def _mentions(user_id: str) -> re.Pattern[str]:
    # <@U123>, <@U123|name>, or the bare id, never a longer id that contains it.
    return re.compile(rf"<@{user_id}(?:\|[^>]*)?>|(?<![A-Za-z0-9]){user_id}(?![A-Za-z0-9])")


def _rewritten(value: Any, pattern: re.Pattern[str], pseudonym: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(pseudonym, value)
    if value is None or isinstance(value, int | float | bool):
        return value
    return json.loads(pattern.sub(pseudonym, json.dumps(value)))  # a JSON column's value


def rows_naming(*, session: Session, table: Table, needle: str) -> list[Any]:
    """Return the table's rows with `needle` in any text or JSON column."""
    columns = [c for c in table.columns if _texty(c)]
    if not columns:
        return []
    like = f"%{needle}%"
    return list(
        session.execute(select(table).where(or_(*(cast(c, Text).like(like) for c in columns))))
    )


def _key(table: Table, row: Any) -> list[Any]:
    return [column == getattr(row, column.name) for column in table.primary_key.columns]


def replace_person(*, session: Session, user_id: str, pseudonym: str) -> dict[str, int]:
    """Put `pseudonym` wherever `user_id` is; return the rows changed or deleted per table.

    Drafts the person never saved are deleted: they were never on the record.
    """
    pattern = _mentions(user_id)
    touched: dict[str, int] = {}
    for table in _tables():
        for row in rows_naming(session=session, table=table, needle=user_id):
            values = row._mapping
            if not pattern.search(json.dumps([str(values[c.name]) for c in table.columns])):
                continue  # a longer id containing this one
            touched[table.name] = touched.get(table.name, 0) + 1
            draft = table.name == "hypotheses" and values["status"] != "open"
            changes = {
                c.name: None
                if (table.name, c.name) in ROLES and values[c.name] == user_id
                else _rewritten(values[c.name], pattern, pseudonym)
                for c in table.columns
                if _texty(c)
            }
            if table.name == "slack_installations" and values["user_id"] == user_id:
                changes |= dict.fromkeys(_INSTALLER_SECRETS)
            keyed = any(
                changes.get(c.name, values[c.name]) != values[c.name]
                for c in table.primary_key.columns
            )
            if table.name in TRANSIENT or draft or keyed:
                session.execute(delete(table).where(*_key(table, row)))
            else:
                session.execute(update(table).where(*_key(table, row)).values(**changes))
    return touched


def highest_pseudonym(*, session: Session, prefix: str) -> int:
    """Return the highest N of "<prefix>N" stored anywhere (0 when there is none)."""
    found = re.compile(re.escape(prefix) + r"(\d+)")
    highest = 0
    for table in _tables():
        for row in rows_naming(session=session, table=table, needle=prefix):
            for value in row._mapping.values():
                for number in found.findall(
                    value if isinstance(value, str) else json.dumps(value, default=str)
                ):
                    highest = max(highest, int(number))
    return highest


def _ids(session: Session, table: str, column: str, among: Iterable[Any]) -> set[Any]:
    wanted = list(among)
    if not wanted:
        return set()
    t = SQLModel.metadata.tables[table]
    return set(session.execute(select(t.c.id).where(t.c[column].in_(wanted))).scalars())


def delete_workspace(*, session: Session, workspace_id: int, team_id: str) -> dict[str, int]:
    """Delete every row of a workspace, in every table that holds one; return counts per table.

    Rows belong to it through its id, its team id, or a parent row that does (a project,
    a review, a metric, a token), followed one level at a time.
    """
    owners: dict[str, set[Any]] = {"workspace_id": {workspace_id}, "team_id": {team_id}}
    owners["project_id"] = _ids(session, "projects", "workspace_id", [workspace_id])
    owners["review_id"] = _ids(session, "gate_reviews", "project_id", owners["project_id"])
    owners["metric_id"] = _ids(session, "metrics", "project_id", owners["project_id"])
    owners["token_id"] = _ids(session, "ingest_tokens", "project_id", owners["project_id"])
    deleted: dict[str, int] = {}
    for table in reversed(_tables()):  # children before the rows they point at
        clauses = [
            table.c[name].in_(list(ids)) for name, ids in owners.items() if name in table.c and ids
        ]
        if table.name == "workspaces":
            clauses.append(table.c.id == workspace_id)
        if not clauses:
            continue
        if table.name == "metrics":  # a guardrail may point at another metric of the project
            session.execute(update(table).where(or_(*clauses)).values(guardrail_of=None))
        result = session.execute(delete(table).where(or_(*clauses)))
        if count := int(result.rowcount):  # type: ignore[attr-defined]
            deleted[table.name] = count
    return deleted


def uninstalled_before(*, session: Session, before: Any) -> list[tuple[int, str]]:
    """Return (id, team id) of the workspaces uninstalled before `before`, oldest first."""
    workspaces = SQLModel.metadata.tables["workspaces"]
    query = (
        select(workspaces.c.id, workspaces.c.team_id)
        .where(workspaces.c.uninstalled_at.is_not(None), workspaces.c.uninstalled_at < before)
        .order_by(workspaces.c.uninstalled_at)
    )
    return [(row.id, row.team_id) for row in session.execute(query)]


def workspace_of(*, session: Session, team_id: str) -> int | None:
    """Return the id of the workspace with this team id, if gatebot has one."""
    workspaces = SQLModel.metadata.tables["workspaces"]
    query = select(workspaces.c.id).where(workspaces.c.team_id == team_id)
    return session.execute(query).scalar_one_or_none()
