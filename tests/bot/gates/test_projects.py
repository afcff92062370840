"""The /gate domain: the command, the set-up form, projects per channel, status, asking."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import Session, select

from bot.core.errors import InvalidInput, NotFound
from bot.demo.standin.slack import SlackStandIn
from bot.gates import GateError, GateKind
from bot.gates import setup as projects
from bot.gates import status as project_status
from bot.gates.input import GateCommand, SetupForm, Subcommand, parse_command, validate
from bot.gates.setup import NoProject
from db import workspaces
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # a Tuesday; New York is on EDT since Mar 8
FORM = SetupForm(
    name="Search ranking",
    channel="C0TEAM",
    sprint_length="14",
    sprint_start="2026-03-02",
    timezone="America/New_York",
    prompt_time="09:30",
    pm_lead="U0PM",
    ds_lead="U0DS",
    phase="iteration",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", GateCommand(Subcommand.STATUS)),
        ("setup", GateCommand(Subcommand.SETUP)),
        ("  NOW   escape ", GateCommand(Subcommand.NOW, argument="escape")),
        ("phase data readiness", GateCommand(Subcommand.PHASE, argument="data readiness")),
        ("?", GateCommand(Subcommand.HELP)),
        ("stauts", GateCommand(Subcommand.HELP, unknown="stauts")),
    ],
)
def test_parse_command(text, expected):
    assert parse_command(text) == expected


def test_a_complete_form_is_valid():
    assert validate(FORM) == {}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "   "}, "name", "Give the project a name"),
        ({"name": "x" * 121}, "name", "under 120 characters (121 now)"),
        ({"sprint_length": "0"}, "sprint_length", "1 to 90 days (got 0)"),
        ({"sprint_length": "91"}, "sprint_length", "1 to 90 days (got 91)"),
        ({"sprint_length": "two weeks"}, "sprint_length", "whole number of days"),
        ({"timezone": "Europe/Atlantis"}, "timezone", "Unknown time zone 'Europe/Atlantis'"),
        ({"timezone": ""}, "timezone", "IANA name"),
        ({"sprint_start": ""}, "sprint_start", "Pick the day"),
        ({"prompt_time": "half nine"}, "prompt_time", "e.g. 09:30"),
        ({"phase": "launch"}, "phase", "Pick the phase"),
        ({"channel": "<!channel>"}, "channel", "Pick the channel"),
        ({"pm_lead": "<!here>"}, "pm_lead", "Pick a person"),
        ({"holidays": "Narnia"}, "holidays", "No public holidays are known for 'Narnia'"),
        ({"holidays": "XX"}, "holidays", "like GB, or a country and subdivision like US-CA"),
        ({"holidays": "GB-CA"}, "holidays", "'CA' is not a subdivision of GB (GB's are ENG"),
        ({"holidays": "US CA LA"}, "holidays", "US-CA"),
        ({"working_days": ()}, "working_days", "Tick at least one working day"),
        ({"working_days": ("7",)}, "working_days", "Tick at least one working day"),
        ({"standins": ("<!channel>",)}, "standins", "Pick people"),
        (
            {"standins": tuple(f"U0S{i}" for i in range(6))},
            "standins",
            "at most 5 stand-ins (6 now)",
        ),
    ],
)
def test_each_invalid_field_gets_a_readable_message(changes, field, words):
    errors = validate(SetupForm(**(FORM.__dict__ | changes)))

    assert list(errors) == [field]
    assert words in errors[field]


def _workspace(session: Session, team: str = "T1") -> int:
    return workspaces.ensure(session=session, team_id=team).id  # type: ignore[return-value]


def _project(session: Session, workspace_id: int, **changes: str) -> Project:
    form = SetupForm(**(FORM.__dict__ | changes))
    result = projects.save_setup(
        session=session, workspace_id=workspace_id, user_id="U0PM", form=form, project_id=None
    )
    # Set up before NOW, so the clock's "nothing before the last set-up change" allows it.
    result.project.created_at = result.project.updated_at = datetime(2026, 3, 1, tzinfo=UTC)
    session.commit()
    return result.project


def test_setup_creates_a_typed_project(session: Session):
    project = _project(session, _workspace(session))

    assert (project.name, project.channel_id, project.phase) == (
        "Search ranking",
        "C0TEAM",
        "iteration",
    )
    assert (project.sprint_start, project.prompt_time) == (date(2026, 3, 2), time(9, 30))
    assert (project.pm_lead, project.ds_lead, project.created_by) == ("U0PM", "U0DS", "U0PM")


def test_rerunning_setup_edits_and_names_what_changed(session: Session):
    workspace_id = _workspace(session)
    project = _project(session, workspace_id)
    form = SetupForm(**(FORM.__dict__ | {"sprint_length": "10", "ds_lead": ""}))

    result = projects.save_setup(
        session=session, workspace_id=workspace_id, user_id="U0DS", form=form, project_id=project.id
    )

    assert result.created is False and result.project.id == project.id
    assert result.changed == ("sprint_length_days", "ds_lead")
    assert (result.project.sprint_length_days, result.project.ds_lead) == (10, None)


def test_one_project_per_channel_but_several_per_workspace(session: Session):
    workspace_id = _workspace(session)
    first = _project(session, workspace_id)
    _project(session, workspace_id, channel="C0CHURN", name="Churn model")

    taken = projects.setup_errors(
        session=session, workspace_id=workspace_id, form=FORM, project_id=None
    )
    with pytest.raises(InvalidInput, match="already runs “Search ranking”"):
        projects.save_setup(
            session=session, workspace_id=workspace_id, user_id="U1", form=FORM, project_id=None
        )
    assert "already runs “Search ranking”" in taken["channel"]
    assert (
        projects.setup_errors(
            session=session, workspace_id=workspace_id, form=FORM, project_id=first.id
        )
        == {}
    )


def test_another_workspace_neither_sees_nor_edits_the_project(session: Session):
    mine = _project(session, _workspace(session, "T1"))
    theirs = _workspace(session, "T2")

    with pytest.raises(NoProject, match="run `/gate setup` here"):
        project_status.status(session=session, workspace_id=theirs, channel_id="C0TEAM", now=NOW)
    form = SetupForm(**(FORM.__dict__ | {"name": "Hijacked"}))
    with pytest.raises(NotFound, match="can't find the project"):
        projects.save_setup(
            session=session, workspace_id=theirs, user_id="U9", form=form, project_id=mine.id
        )
    session.commit()

    session.refresh(mine)
    assert mine.name == "Search ranking"
    assert session.exec(select(Project).where(Project.workspace_id == theirs)).all() == []


def test_status_gives_the_sprint_and_the_next_prompt_in_team_time(session: Session):
    workspace_id = _workspace(session)
    _project(session, workspace_id)

    status = project_status.status(
        session=session, workspace_id=workspace_id, channel_id="C0TEAM", now=NOW
    )

    assert (status.sprint, status.sprint_day) == (1, 9)
    assert status.next_prompt is not None and status.next_prompt.number == 2
    assert status.next_prompt.at.isoformat() == "2026-03-16T09:30:00-04:00"
    assert status.open_reviews == []


def test_status_before_the_first_sprint_and_outside_iteration(session: Session):
    workspace_id = _workspace(session)
    _project(session, workspace_id, sprint_start="2026-04-06", phase="framing")

    status = project_status.status(
        session=session, workspace_id=workspace_id, channel_id="C0TEAM", now=NOW
    )

    assert (status.sprint, status.sprint_day, status.next_prompt) == (0, 0, None)


def test_pause_stops_the_schedule_and_resume_restarts_it_once(session: Session):
    workspace_id = _workspace(session)
    _project(session, workspace_id)

    paused = projects.set_paused(
        session=session, workspace_id=workspace_id, channel_id="C0TEAM", paused=True
    )
    again = projects.set_paused(
        session=session, workspace_id=workspace_id, channel_id="C0TEAM", paused=True
    )
    status = project_status.status(
        session=session, workspace_id=workspace_id, channel_id="C0TEAM", now=NOW
    )
    assert status.next_prompt is None and status.project.paused is True
    resumed = projects.set_paused(
        session=session, workspace_id=workspace_id, channel_id="C0TEAM", paused=False
    )

    assert (paused.changed, again.changed, resumed.changed) == (True, False, True)
    assert resumed.project.paused is False


def _review(session: Session, project: Project, **fields: object) -> GateReview:
    review = GateReview(
        project_id=project.id,  # type: ignore[arg-type]
        gate_kind="sprint_review",
        occurrence_key=f"test-{fields.get('sprint_number', 1)}-{fields.get('status')}",
        due_at=NOW,
        **fields,
    )
    session.add(review)
    session.flush()
    return review


def test_open_reviews_and_history_count_answers_and_people(session: Session):
    workspace_id = _workspace(session)
    project = _project(session, workspace_id)
    open_review = _review(session, project, status=ReviewStatus.POSTED, sprint_number=1)
    _review(session, project, status=ReviewStatus.DECIDED, sprint_number=2, decision="go")
    _review(session, project, status=ReviewStatus.CLAIMED, sprint_number=3)
    for user, key in (("U1", "assumption"), ("U1", "prove_wrong"), ("U2", "assumption")):
        session.add(GateAnswer(review_id=open_review.id, question_key=key, user_id=user, text="x"))
    session.commit()

    status = project_status.status(
        session=session, workspace_id=workspace_id, channel_id="C0TEAM", now=NOW
    )
    page = project_status.history(session=session, workspace_id=workspace_id, channel_id="C0TEAM")
    past = page.lines

    [line] = [line for line in status.open_reviews if line.review.id == open_review.id]
    assert (line.answers, line.people) == (3, 2)
    assert {line.review.status for line in past} == {ReviewStatus.POSTED, ReviewStatus.DECIDED}
    assert (page.offset, page.total) == (0, len(past))
    assert status.open_total == len(status.open_reviews)


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    """Return a WebClient talking to the Slack stand-in."""
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def test_ask_now_posts_the_phase_gate_once_per_second(session: Session, client, slack):
    workspace_id = _workspace(session)
    _project(session, workspace_id, phase="framing")

    first = projects.ask_now(
        session=session,
        client=client,
        workspace_id=workspace_id,
        channel_id="C0TEAM",
        gate="",
        now=NOW,
    )
    repeat = projects.ask_now(
        session=session,
        client=client,
        workspace_id=workspace_id,
        channel_id="C0TEAM",
        gate="",
        now=NOW,
    )

    assert first.kind is GateKind.FRAMING and first.review is not None
    assert (
        first.review.status == ReviewStatus.POSTED
        and first.review.occurrence_key == "now-20260310T170000"
    )
    assert repeat.review is None  # a double-sent command asks once
    assert len(slack.calls("chat.postMessage")) == 1


def test_ask_now_again_within_a_minute_asks_once_and_another_gate_is_its_own(
    session: Session, client, slack
):
    workspace_id = _workspace(session)
    _project(session, workspace_id)

    def ask(gate: str, at: datetime) -> projects.Asked:
        return projects.ask_now(
            session=session,
            client=client,
            workspace_id=workspace_id,
            channel_id="C0TEAM",
            gate=gate,
            now=at,
        )

    first = ask("", NOW)
    a_second_later = ask("", NOW + timedelta(seconds=1))
    within_the_minute = ask("", NOW + timedelta(seconds=59))
    other_gate = ask("escape", NOW + timedelta(seconds=2))
    later = ask("", NOW + timedelta(seconds=90))

    assert first.review is not None and other_gate.review is not None
    assert a_second_later.review is None and within_the_minute.review is None
    assert later.review is not None and later.review.status == ReviewStatus.POSTED
    assert len(slack.calls("chat.postMessage")) == 3


def test_moving_phase_asks_its_gate_and_staying_asks_nothing(session: Session, client, slack):
    workspace_id = _workspace(session)
    _project(session, workspace_id)

    moved = projects.move_to_phase(
        session=session,
        client=client,
        workspace_id=workspace_id,
        channel_id="C0TEAM",
        phase="Pilot",
        now=NOW,
    )
    stayed = projects.move_to_phase(
        session=session,
        client=client,
        workspace_id=workspace_id,
        channel_id="C0TEAM",
        phase="pilot",
        now=NOW,
    )

    assert moved.moved and moved.kind is GateKind.ESCAPE and moved.project.phase == "pilot"
    assert moved.review is not None and moved.review.occurrence_key.startswith("phase-pilot-")
    assert not stayed.moved and stayed.review is None
    with pytest.raises(GateError, match="Unknown phase 'launch'"):
        projects.move_to_phase(
            session=session,
            client=client,
            workspace_id=workspace_id,
            channel_id="C0TEAM",
            phase="launch",
            now=NOW,
        )
