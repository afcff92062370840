"""/gate export through the real app: the ack, then two files in the person's DM."""

from __future__ import annotations

import csv
import io
import json

from sqlmodel import Session

from tests.live_app import LiveApp
from tests.record_world import SHARP, build_record


def test_export_sends_a_csv_and_a_json_file_to_the_person_only(live_app: LiveApp):
    with Session(live_app.engine, expire_on_commit=False) as session:
        built = build_record(
            session, team_id=live_app.slack.team_id, channel_id=live_app.sender.channel_id
        )

    reply = live_app.sender.command("/gate", "export")
    [done] = live_app.slack.wait_for("files.completeUploadExternal", timeout=15)
    live_app.drain()

    assert reply.status == 200 and reply.seconds < 3
    assert "will arrive in your DM" in reply.body  # the ack itself, seen by the person only
    user = live_app.sender.user_id
    assert done.args["channel_id"] == f"D{user[1:]}"  # the person's DM, not the channel
    assert "4 answers, 1 decision" in done.args["initial_comment"]
    uploaded = live_app.slack.uploaded_files()
    by_title = {str(f["title"]): uploaded[str(f["id"])] for f in done.args["files"]}
    assert sorted(by_title) == ["Search: the record (CSV)", "Search: the record (JSON)"]
    document = json.loads(by_title["Search: the record (JSON)"])
    assert sorted((h["who"], h["statement"]) for h in document["hypotheses"]) == sorted(
        built.hypotheses
    )
    rows = list(csv.DictReader(io.StringIO(by_title["Search: the record (CSV)"].decode())))
    assert any(r["kind"] == "hypothesis" and r["statement"] == SHARP for r in rows)
    assert live_app.slack.calls("chat.postMessage") == []  # nothing in the channel


def test_export_in_a_channel_without_a_project_says_how_to_set_one_up(live_app: LiveApp):
    reply = live_app.sender.command("/gate", "export")
    live_app.drain()

    assert reply.status == 200
    assert "run `/gate setup` here" in reply.body
    assert live_app.slack.calls("files.getUploadURLExternal") == []
