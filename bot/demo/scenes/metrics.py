"""`gatebot demo`, the metrics scene: metrics defined, fed through the API, a breach, the digest."""

from __future__ import annotations

import json
import math
import re
import tempfile
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bot.demo.timeline import at
from bot.demo.world import DemoWorld
from bot.escapes.deciders import deciders_for
from bot.slack.transcript import plain
from db import workspaces
from db.columns import utcnow
from db.models import Hypothesis, HypothesisStatus
from db.models.gates import Project

CHANNEL_ID = "C0TEAM"
CHART_NAME = "gatebot-demo-digest-chart.png"
DEFINITIONS = [
    "relevance_rating model_health higher_is_better warn=0.75 breach=0.72 periods=2 "
    'owner=<@U0DANIEL|daniel> label="Relevance rating"',
    "p95_latency model_health lower_is_better warn=300 breach=400 unit=ms owner=<@U0DANIEL|daniel>",
    "purchases_per_session product higher_is_better warn=3.0 breach=2.8 unit=%",
    "discovery_rate product higher_is_better breach=15 unit=% "
    "guardrail-of=purchases_per_session max-drop=5%",
    "revenue_per_user business higher_is_better warn=1.9 breach=1.8 unit=EUR",
]


def metrics_scene(world: DemoWorld) -> None:
    """Define metrics, push twelve weeks through the API, page the breach, post the digest."""
    world.out("━━ 5. Shared metrics: defined, fed through the API, a breach, the weekly digest ━━")
    today = world.timeline.today
    world.at(at(today, 8, 45), "the data scientist defines the shared metrics")
    project = _project(world)
    for text in DEFINITIONS:
        world.say(world.ds, "/metric", f"define {text}")
        world.expect("response_url")
    _link_hypothesis(world, project)

    world.say(world.ds, "/metric", "token")
    [reply] = world.expect("response_url")
    token = _token(reply.args)
    api = world.ds.events_url.removesuffix("/slack/events") + "/api/v1/metrics"
    world.out("\nThe data pipeline back-fills eleven weeks, then sends the last week:")
    _push(world, api, token, _samples(today, range(83, 6, -1)))
    with Session(world.engine) as session:
        paged = len(deciders_for(session=session, project=project).users)
    _push(world, api, token, _samples(today, range(6, -1, -1)))
    world.out("(relevance fell below its 0.72 rollback trigger two days running: the escape alert)")
    world.expect("chat.postMessage", count=1 + paged)  # the channel, then each decider by DM

    world.at(at(today, 9, 30), "the weekly digest for the stakeholders")
    world.say(world.pm, "/digest", "preview")
    world.expect("response_url")
    world.say(world.pm, "/digest", "now")
    world.expect("chat.postMessage")
    _save_chart(world)


def _project(world: DemoWorld) -> Project:
    with Session(world.engine, expire_on_commit=False) as session:
        project = session.exec(select(Project).where(Project.channel_id == CHANNEL_ID)).first()
        if project is not None:
            return project
        # Run on its own, the scene needs the project the gate scene sets up through /gate.
        world.out("(a project set up in #ai-team as in the gate scene)")
        workspace = workspaces.ensure(session=session, team_id=world.slack.team_id)
        project = Project(
            workspace_id=workspace.id,  # type: ignore[arg-type]
            name="Shop recommendations",
            channel_id=CHANNEL_ID,
            sprint_start=utcnow().date(),
            timezone="Europe/London",
            pm_lead=world.pm.user_id,
            ds_lead=world.ds.user_id,
            phase="pilot",
        )
        session.add(project)
        session.commit()
        return project


def _link_hypothesis(world: DemoWorld, project: Project) -> None:
    """Tie the hypothesis scene's purchases hypothesis to its metric, if it is on record."""
    with Session(world.engine) as session:
        hypothesis_id = session.exec(
            select(Hypothesis.id)
            .where(
                Hypothesis.channel_id == CHANNEL_ID,
                Hypothesis.status == HypothesisStatus.OPEN,
                col(Hypothesis.text).contains("purchases"),
            )
            .order_by(col(Hypothesis.id))
        ).first()
    if hypothesis_id is None:
        return
    deadline = world.timeline.today + timedelta(days=14)
    world.say(
        world.pm, "/metric", f"link {hypothesis_id} purchases_per_session 3.1 3.3 by {deadline}"
    )
    world.expect("response_url")


def _token(reply: dict[str, Any]) -> str:
    for block in reply.get("blocks", []):
        found = re.fullmatch(r"```(\S+)```", block.get("text", {}).get("text", ""))
        if found:
            return found.group(1)
    raise RuntimeError("the /metric token reply showed no token")


def _samples(today: date, days_ago: range) -> list[dict[str, object]]:
    """Return the pipeline's daily values: relevance sinks in the last days, latency creeps up."""
    rows = []
    for ago in days_ago:
        wave = math.sin(ago * 1.3)  # day-to-day noise that reads as real and stays repeatable
        sinking = (0.70, 0.71, 0.74)[ago] if ago <= 2 else None
        values = {
            "relevance_rating": 0.80 + 0.01 * wave if sinking is None else sinking,
            "p95_latency": 240 + 1.0 * (83 - ago) + 6 * wave,
            "purchases_per_session": 3.1 + 0.12 * (1 - ago / 83) + 0.02 * wave,
            "discovery_rate": (18.4 if ago < 7 else 20.0) + 0.2 * wave,
            "revenue_per_user": 2.1 + 0.03 * wave,
        }
        day = (today - timedelta(days=ago)).isoformat()
        rows += [{"name": name, "value": round(v, 4), "at": day} for name, v in values.items()]
    return rows


def _push(world: DemoWorld, url: str, token: str, samples: list[dict[str, object]]) -> None:
    request = urllib.request.Request(  # noqa: S310 (the demo's own local server)
        url,
        data=json.dumps({"samples": samples}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local URL)
        answer = json.loads(response.read())
    days = len({row["at"] for row in samples})
    world.out(f"  POST /api/v1/metrics: {len(samples)} values over {days} days → {answer}")


def _save_chart(world: DemoWorld) -> None:
    [upload] = world.slack.wait_for("files.completeUploadExternal", timeout=30)[-1:]
    file_id = str(upload.args["files"][0]["id"])
    png = world.slack.uploaded_files()[file_id]
    folder = Path(
        getattr(world, "output_dir", None) or Path(tempfile.gettempdir()) / "gatebot-demo"
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CHART_NAME
    path.write_bytes(png)
    title = upload.args["files"][0].get("title", "")
    world.out(f"gatebot ({plain('#ai-team')}, in the thread): uploads the chart “{title}”")
    world.out(f"The chart ({len(png):,} bytes of PNG) is saved at {path}")
