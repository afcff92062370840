"""/metric token read: a read-scoped token, shown once, that reads the record and posts nothing."""

from __future__ import annotations

import json
import re
import urllib.request

from sqlmodel import Session, select

from db.models.metrics import IngestToken
from tests.live_app import LiveApp
from tests.metric_helpers import make_project


def _metric(live: LiveApp, text: str) -> str:
    before = len(live.slack.calls("response_url"))
    reply = live.sender.command("/metric", text)
    assert reply.status == 200 and reply.seconds < 3
    args = live.slack.wait_for("response_url", count=before + 1)[-1].args
    return args.get("text", "") + json.dumps(args.get("blocks", []), ensure_ascii=False)


def test_a_read_token_reads_the_record_and_is_listed_with_its_scope(live_app: LiveApp):
    with Session(live_app.engine) as session:
        project = make_project(
            session, team_id=live_app.slack.team_id, channel_id=live_app.sender.channel_id
        )
        session.commit()
        project_id = project.id

    shown = _metric(live_app, "token --scope read")
    listed = _metric(live_app, "token list")

    assert "A new read token" in shown
    assert f"/api/v1/projects/{project_id}/decisions" in shown
    token = re.search(r"gbt_[A-Za-z0-9_-]{40,}", shown).group(0)  # type: ignore[union-attr]
    with Session(live_app.engine) as session:
        [row] = session.exec(select(IngestToken)).all()
    assert row.scope == "read" and token not in json.dumps(row.model_dump(mode="json"))
    assert f"`{row.prefix}…` (read)" in listed
    request = urllib.request.Request(
        f"{live_app.url}/api/v1/projects/{project_id}/hypotheses",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read()) == {"data": [], "next_cursor": None}
