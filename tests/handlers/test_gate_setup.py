"""/gate setup through the real app: the modal, the profile's time zone, inline errors, edits."""

from __future__ import annotations

from datetime import date, time

from slack_sdk.models.views import View

from tests.handlers.gate_steps import (
    DS,
    PM,
    metadata,
    open_setup,
    person,
    project,
    set_up,
    setup_values,
)
from tests.live_app import LiveApp


def _inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def test_setup_opens_at_once_then_fills_in_the_time_zone_from_the_profile(live_app: LiveApp):
    live_app.slack.set_user(live_app.sender.user_id, tz="America/New_York")

    reply = live_app.sender.command("/gate", "setup")

    assert reply.status == 200 and reply.seconds < 3
    opened = live_app.slack.wait_for("views.open")[0]
    updated = live_app.slack.wait_for("views.update")[0]
    info = live_app.slack.wait_for("users.info")[0]
    assert opened.at < info.at < updated.at  # the trigger_id was used before users.info
    assert "timezone_pending" in _inputs(opened.args["view"])
    view = updated.args["view"]
    assert updated.args["view_id"].startswith("V")
    inputs = _inputs(view)
    assert inputs["timezone"]["initial_value"] == "America/New_York"
    assert inputs["channel"]["initial_conversation"] == live_app.sender.channel_id
    assert inputs["phase"]["initial_option"]["value"] == "framing"
    assert metadata(view) == {"project_id": None, "channel_id": live_app.sender.channel_id}
    View(**view).validate_json()


def test_submitting_the_modal_stores_the_project_and_tells_the_channel(live_app: LiveApp):
    stored = set_up(live_app, name="Search <ranking> & co", prompt_time="08:45")

    assert stored.name == "Search <ranking> & co"
    assert (stored.sprint_length_days, stored.sprint_start) == (14, date(2026, 11, 16))
    assert (stored.timezone, stored.prompt_time) == ("Europe/London", time(8, 45))
    assert (stored.pm_lead, stored.ds_lead, stored.phase) == (PM, DS, "iteration")
    assert stored.created_by == live_app.sender.user_id
    notice = live_app.slack.calls("chat.postMessage")[-1].args
    assert notice["channel"] == "C0TEAM"
    assert "set up gate reviews for *Search &lt;ranking&gt; &amp; co*" in notice["text"]
    assert "08:45 Europe/London" in notice["text"]


def test_invalid_input_is_shown_inline_and_nothing_is_stored(live_app: LiveApp):
    view = open_setup(live_app)

    reply = live_app.sender.submit_view(
        view, setup_values(name="  ", sprint_length="91", timezone="Mars/Olympus")
    )

    assert reply.status == 200
    errors = reply.json()["errors"]
    assert set(errors) == {"name", "sprint_length", "timezone"}
    assert "1 to 90 days" in errors["sprint_length"]
    assert "Unknown time zone 'Mars/Olympus'" in errors["timezone"]
    assert project(live_app) is None


def test_an_overlong_name_or_zone_keeps_the_modal_open_with_the_error(live_app: LiveApp):
    view = open_setup(live_app)

    reply = live_app.sender.submit_view(
        view, setup_values(name="Search & ranking <beta> " * 6, timezone="Europe/" + "x" * 200)
    )

    errors = reply.json()["errors"]
    assert errors["name"] == "Keep the name under 120 characters (143 now)."
    assert errors["timezone"].startswith("Unknown time zone 'Europe/xxx")
    assert len(errors["timezone"]) < 200  # what was typed is quoted short; the box keeps it
    assert project(live_app) is None


def test_a_sprint_shorter_than_a_day_is_refused_inline(live_app: LiveApp):
    view = open_setup(live_app)

    reply = live_app.sender.submit_view(view, setup_values(sprint_length="0"))

    assert set(reply.json()["errors"]) == {"sprint_length"}


def test_rerunning_setup_edits_the_project_prefilled(live_app: LiveApp):
    first = set_up(live_app)

    view = open_setup(live_app)
    inputs = _inputs(view)
    assert inputs["name"]["initial_value"] == "Search ranking"
    assert inputs["timezone"]["initial_value"] == "Europe/London"
    assert inputs["pm_lead"]["initial_user"] == PM
    assert inputs["sprint_start"]["initial_date"] == "2026-11-16"
    assert metadata(view)["project_id"] == first.id
    live_app.sender.submit_view(view, setup_values(sprint_length="10", ds_lead=None))

    notice = live_app.slack.wait_for("chat.postMessage", count=2)[-1].args["text"]
    edited = project(live_app)
    assert edited is not None and edited.id == first.id
    assert (edited.sprint_length_days, edited.ds_lead) == (10, None)
    assert "updated the gate set-up" in notice and "sprint length, DS lead" in notice


def test_a_channel_running_another_project_is_refused_inline(live_app: LiveApp):
    set_up(live_app)
    elsewhere = person(live_app, PM, channel_id="C0OTHER")

    view = open_setup(live_app, elsewhere)
    reply = elsewhere.submit_view(view, setup_values(channel="C0TEAM", name="Second project"))

    assert "already runs “Search ranking”" in reply.json()["errors"]["channel"]


def test_several_projects_per_workspace_one_per_channel(live_app: LiveApp):
    set_up(live_app)
    elsewhere = person(live_app, PM, channel_id="C0OTHER")
    view = open_setup(live_app, elsewhere)

    reply = elsewhere.submit_view(view, setup_values(channel="C0OTHER", name="Churn model"))

    assert reply.body == ""
    live_app.slack.wait_for("chat.postMessage", count=2)
    assert project(live_app, "C0OTHER").name == "Churn model"  # type: ignore[union-attr]
    assert project(live_app, "C0TEAM").name == "Search ranking"  # type: ignore[union-attr]


def test_when_the_bot_is_not_in_the_channel_the_person_is_told_by_dm(live_app: LiveApp):
    view = open_setup(live_app)
    live_app.slack.fail("chat.postMessage", "not_in_channel", times=1)

    live_app.sender.submit_view(view, setup_values())

    dm = live_app.slack.wait_for("chat.postMessage", count=2)[-1].args
    assert dm["channel"] == live_app.sender.user_id
    assert "/invite @gatebot" in dm["text"]
    assert project(live_app) is not None


def test_the_days_off_and_the_stand_ins_are_stored_and_prefilled_on_edit(live_app: LiveApp):
    stored = set_up(
        live_app,
        holidays="gb-sct",
        working_days=["6", "0", "1", "2", "3"],
        standins=["U0SAM", "U0KIM"],
    )

    assert (stored.holiday_country, stored.holiday_subdivision) == ("GB", "SCT")
    assert (stored.working_days, stored.standins) == ([0, 1, 2, 3, 6], ["U0SAM", "U0KIM"])
    notice = live_app.slack.calls("chat.postMessage")[-1].args["text"]
    assert "Days off: Friday and Saturday, and GB-SCT public holidays." in notice
    inputs = _inputs(open_setup(live_app))
    assert inputs["holidays"]["initial_value"] == "GB-SCT"
    assert [o["value"] for o in inputs["working_days"]["initial_options"]] == list("01236")
    assert inputs["standins"]["initial_users"] == ["U0SAM", "U0KIM"]


def test_an_unknown_holiday_region_or_no_working_day_is_refused_in_the_modal(live_app: LiveApp):
    view = open_setup(live_app)

    reply = live_app.sender.submit_view(view, setup_values(holidays="EU", working_days=[]))

    assert reply.status == 200 and reply.seconds < 3
    errors = reply.json()["errors"]
    assert set(errors) == {"holidays", "working_days"}
    assert errors["holidays"].startswith("No public holidays are known for 'EU'")
    assert "GB" in errors["holidays"] and "US-CA" in errors["holidays"]
    assert "Tick at least one working day" in errors["working_days"]
    assert project(live_app) is None

    reply = live_app.sender.submit_view(view, setup_values(holidays="US-XX"))
    assert "'XX' is not a subdivision of US" in reply.json()["errors"]["holidays"]
    assert project(live_app) is None


def test_editing_a_bad_region_keeps_the_stored_days_off(live_app: LiveApp):
    set_up(live_app, holidays="GB")
    view = open_setup(live_app)

    reply = live_app.sender.submit_view(view, setup_values(holidays="Atlantis", sprint_length="7"))

    assert set(reply.json()["errors"]) == {"holidays"}
    kept = project(live_app)
    assert kept is not None and (kept.holiday_country, kept.sprint_length_days) == ("GB", 14)
