"""Escape alert blocks and deciders: pure builders, valid Block Kit, every user's text escaped."""

from __future__ import annotations

import math
from datetime import date

import pytest
from slack_sdk.models.blocks import Block

from bot.escapes.blocks import (
    breach_message,
    breach_text,
    deciders_text,
    direct_note,
    recovery_message,
    recovery_text,
    trend_text,
)
from bot.escapes.deciders import ANSWER_LIMIT, Deciders, answer_mrkdwn, leads, mentioned_users
from bot.metrics.flags import Alert, AlertKind, MetricStatus, Status
from bot.metrics.series import Trend
from bot.slack.blocks import SECTION_LIMIT
from db.models.gates import Project
from db.models.metrics import Metric
from prompts import template_names

DAY = date(2026, 3, 10)
SINCE = date(2026, 3, 7)


def _project(**fields: object) -> Project:
    values = {
        "id": 1,
        "workspace_id": 1,
        "name": "Search <relevance> & co",
        "channel_id": "C0TEAM",
        "sprint_start": date(2026, 1, 5),
        "pm_lead": "U0PM",
        "ds_lead": "U0DS",
    } | fields
    return Project(**values)


def _metric(**fields: object) -> Metric:
    values = {
        "id": 1,
        "project_id": 1,
        "name": "relevance_rating",
        "kind": "model_health",
        "direction": "higher_is_better",
        "unit": "%",
        "warn_threshold": 75.0,
        "breach_threshold": 72.0,
        "owner": "U0OWNER",
    } | fields
    return Metric(**values)


def _alert(kind: AlertKind = AlertKind.BREACH, **fields: object) -> Alert:
    values = {
        "kind": kind,
        "metric": "relevance_rating",
        "day": DAY,
        "value": 70.5,
        "threshold": 72.0,
        "since": SINCE if kind is AlertKind.RECOVERED else DAY,
        "status": Status.BREACH,
        "trend": Trend.FALLING,
        "streak": 3,
    } | fields
    return Alert(**values)  # type: ignore[arg-type]


def _status(**fields: object) -> MetricStatus:
    values = {
        "name": "relevance_rating",
        "day": DAY,
        "status": Status.BREACH,
        "value": 70.5,
        "as_of": DAY,
        "previous_week_value": 76.0,
        "change_abs": -5.5,
        "change_rel": -5.5 / 76,
        "trend": Trend.FALLING,
        "fired_threshold": 72.0,
        "streak": 3,
        "periods_in_row": 2,
    } | fields
    return MetricStatus(**values)  # type: ignore[arg-type]


GATE = Deciders(users=("U0DANA",), answer="<@U0DANA>, or Ali when away")
RECENT = [76.0, 75.5, math.nan, 75.0, 74.0, 73.5, 73.0, 72.5, 72.0, 71.5, 71.0, 70.5]


def _texts(blocks: list[dict]) -> str:
    parts = []
    for block in blocks:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts += [element["text"] for element in block.get("elements", [])]
    return "\n".join(parts)


def test_the_breach_alert_says_value_trigger_run_trend_owner_and_decider():
    metric = _metric(periods_in_row=2)
    blocks = breach_message(
        project=_project(),
        metric=metric,
        alert=_alert(),
        status=_status(),
        recent=RECENT,
        deciders=GATE,
    )

    text = _texts(blocks)
    assert [b["type"] for b in blocks] == ["section", "section", "context"]
    assert (
        "*Escape alert: `relevance_rating` at 70.5% is below its rollback trigger of 72.0%*"
    ) in text
    assert (
        "Reported on Tue 10 Mar · below the trigger 3 reported days in a row "
        "(it fires after 2 days in a row)."
    ) in text
    assert "down 5.5 pts (−7.2%) on last week's 76.0%, worse" in text
    assert "falling over the last 7 days" in text
    assert "`█▇·▇▅▅▄▄▃▂▂▁` the last 12 days" in text
    assert "*Owner:* <@U0OWNER>" in text
    assert "*Decides:* <@U0DANA>, or Ali when away _(escape gate)_" in text
    assert "back inside the trigger for 2 reported days in a row" in text
    notice = breach_text(metric=metric, alert=_alert(), deciders=GATE)
    assert notice.endswith("is below its rollback trigger of 72.0%. <@U0OWNER> <@U0DANA>")


def test_user_text_in_an_alert_is_escaped():
    metric = _metric(display_name="<!channel> & <b>rating</b>", unit="<u>", owner="<!here>")
    blocks = breach_message(
        project=_project(),
        metric=metric,
        alert=_alert(),
        status=_status(),
        recent=RECENT,
        deciders=Deciders(users=(), answer=answer_mrkdwn("<!here> & <b>"), leads_stand_in=True),
    )

    text = _texts(blocks) + breach_text(metric=metric, alert=_alert(), deciders=GATE)
    assert "&lt;!channel&gt; &amp; &lt;b&gt;rating&lt;/b&gt; (`relevance_rating`)" in text
    assert "at 70.5 &lt;u&gt; is below its rollback trigger of 72.0 &lt;u&gt;" in text
    assert "> &lt;!here&gt; &amp; &lt;b&gt;" in text
    assert "<!" not in text and "<b>" not in text and "<u>" not in text
    assert "nobody yet: `/metric update relevance_rating owner=@someone`" in text


@pytest.mark.parametrize(
    ("deciders", "expected"),
    [
        (GATE, "<@U0DANA>, or Ali when away _(escape gate)_"),
        (
            Deciders(users=("U0PM", "U0DS"), answer="Dana", leads_stand_in=True),
            "the leads stand in: <@U0PM> (PM), <@U0DS> (DS). The escape gate says:\n> Dana",
        ),
        (
            Deciders(users=("U0PM", "U0DS"), leads_stand_in=True),
            "the escape gate names nobody yet (`/gate now escape` asks it); "
            "the leads stand in: <@U0PM> (PM), <@U0DS> (DS)",
        ),
        (
            Deciders(leads_stand_in=True),
            "the escape gate names nobody yet (`/gate now escape` asks it); "
            "no leads are set either: `/gate setup` names them",
        ),
    ],
)
def test_who_decides_reads_from_the_escape_gate_then_the_leads(deciders, expected):
    assert deciders_text(deciders, project=_project()) == expected


def test_an_owner_who_is_also_a_lead_is_mentioned_once():
    owner_leads = _metric(owner="U0DS")
    deciders = Deciders(users=("U0PM", "U0DS"), leads_stand_in=True)

    blocks = breach_message(
        project=_project(),
        metric=owner_leads,
        alert=_alert(),
        status=_status(),
        recent=RECENT,
        deciders=deciders,
    )
    notice = breach_text(metric=owner_leads, alert=_alert(), deciders=deciders)

    text = _texts(blocks)
    assert text.count("<@U0DS>") == 1 and "*Owner:* <@U0DS>" in text
    assert "the leads stand in: <@U0PM> (PM), the owner (DS)" in text
    assert notice.count("<@U0DS>") == 1 and notice.endswith("72.0%. <@U0DS> <@U0PM>")


def test_one_person_leading_both_is_named_once_with_both_roles():
    project = _project(ds_lead="U0PM")
    assert leads(project) == ("U0PM",)
    shown = deciders_text(Deciders(users=leads(project), leads_stand_in=True), project=project)
    assert shown.endswith("<@U0PM> (PM + DS)")
    assert leads(_project(pm_lead="<!channel>", ds_lead=None)) == ()


def test_an_answer_keeps_well_formed_mentions_and_escapes_the_rest():
    text = "<@U0DANA|dana> decides, <@u0bad> <!subteam^S1> & <@W0ALI> backs up; <@U0DANA>"

    assert mentioned_users(text) == ("U0DANA", "W0ALI")
    assert answer_mrkdwn(text) == (
        "<@U0DANA> decides, &lt;@u0bad&gt; &lt;!subteam^S1&gt; &amp; <@W0ALI> backs up; <@U0DANA>"
    )


def test_a_long_answer_is_clipped_without_leaving_half_a_mention():
    text = "x" * (ANSWER_LIMIT - 5) + " <@U0DANA> decides"

    shown = answer_mrkdwn(text)

    # The mention the cut would halve is left out whole: no "<@", and no "&lt;@U" either.
    assert shown.endswith("x …") and "<@" not in shown and "&lt;" not in shown


@pytest.mark.parametrize(
    ("status", "direction", "expected"),
    [
        (
            _status(previous_week_value=None, change_abs=None, change_rel=None, trend=None),
            "higher_is_better",
            "no value a week earlier to compare",
        ),
        (
            _status(change_abs=0.0, change_rel=0.0, trend=Trend.FLAT),
            "higher_is_better",
            "unchanged on last week's 76.0% · flat over the last 7 days",
        ),
        (
            _status(previous_week_value=0.0, change_abs=450.0, change_rel=None),
            "lower_is_better",
            "up 450.0 pts on last week's 0.0%, worse · falling over the last 7 days",
        ),
        (
            _status(change_abs=2.0, change_rel=2 / 76, trend=Trend.RISING),
            "higher_is_better",
            "up 2.0 pts (+2.6%) on last week's 76.0%, better · rising over the last 7 days",
        ),
    ],
)
def test_the_trend_reads_the_change_on_last_week_and_which_way_is_good(status, direction, expected):
    thresholds = {"warn_threshold": 78.0, "breach_threshold": 80.0}
    metric = _metric(direction=direction, **(thresholds if direction == "lower_is_better" else {}))
    assert trend_text(metric, status=status, recent=[math.nan] * 12) == expected


def test_the_recovery_says_since_when_and_how_long_the_episode_lasted():
    alert = _alert(AlertKind.RECOVERED, value=74.0, status=Status.OK)

    blocks = recovery_message(
        project=_project(), metric=_metric(), alert=alert, back=date(2026, 3, 9), deciders=GATE
    )

    text = _texts(blocks)
    assert "*Recovered: `relevance_rating` at 74.0% is above its rollback trigger of 72.0%*" in text
    assert "Reported on Tue 10 Mar: back inside the trigger since Mon 9 Mar" in text
    assert "The episode lasted 2 days, from Sat 7 Mar." in text
    assert "<@U0OWNER>" in text and "<@U0DANA>" in text
    assert recovery_text(metric=_metric(), alert=alert) == (
        ":white_check_mark: Recovered: `relevance_rating` at 74.0% is above its rollback "
        "trigger of 72.0%, back inside it (in breach since Sat 7 Mar)."
    )


def test_a_deciders_dm_says_why_they_hear_it_and_what_failed():
    ok = _texts([direct_note(project=_project(), channel_error=None)])
    failed = _texts([direct_note(project=_project(), channel_error="refused <x> (not_in_channel)")])

    assert "decider for *Search &lt;relevance&gt; &amp; co*" in ok and "<#C0TEAM>" in ok
    assert "could not post it in <#C0TEAM>: refused &lt;x&gt; (not_in_channel)" in failed


def test_every_section_stays_within_slacks_limit_with_the_longest_inputs():
    metric = _metric(display_name="<" * 80, unit="&" * 16)
    long_answer = answer_mrkdwn("<" * 3000)
    blocks = breach_message(
        project=_project(name="&" * 120),
        metric=metric,
        alert=_alert(),
        status=_status(),
        recent=RECENT,
        deciders=Deciders(users=("U0PM",), answer=long_answer, leads_stand_in=True),
    )

    _texts(blocks)
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks if "text" in b)


def test_the_escape_templates_are_the_ones_the_builders_render():
    assert {n for n in template_names() if n.startswith("escape_")} == {
        "escape_breach.j2",
        "escape_recovered.j2",
    }
