"""The Home tab as Block Kit: how it reads, Slack's limits, paging, escaping, its modals."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View

from bot.digests.blocks import DigestMessage
from bot.digests.data import MetricView
from bot.gates import Occurrence
from bot.gates.status import ProjectStatus
from bot.home.blocks import (
    HOME_ANSWER,
    HOME_DIGEST,
    HOME_HYPOTHESIS,
    HOME_NEXT,
    HOME_PICK_CHANNEL,
    HOME_PREVIOUS,
    HOME_WRITE,
    MAX_BLOCKS,
    home_unavailable,
    home_view,
)
from bot.home.modals import channel_picker, digest_preview, notice
from bot.home.service import AwaitingReview, Home, ProjectCard
from bot.slack.blocks import context, section
from bot.slack.transcript import plain
from db.models import Hypothesis
from db.models.gates import GateReview, Project
from db.models.metrics import Metric
from tests.digest_views import hypothesis_view, judged

ME = "U0ME"
TODAY = date(2026, 11, 25)
LONDON = ZoneInfo("Europe/London")
HOSTILE = "<!channel> & <@U0BOSS> <https://evil.example|click>"


def make_project(number: int = 1, **fields) -> Project:
    values = {
        "id": number,
        "workspace_id": 1,
        "name": f"Project {number}",
        "channel_id": f"C{number:04d}",
        "sprint_start": date(2026, 11, 9),
        "timezone": "Europe/London",
        "prompt_time": time(9, 30),
        "phase": "iteration",
    } | fields
    return Project(**values)


def status(project: Project, *, next_number: int | None = 3) -> ProjectStatus:
    upcoming = None
    if next_number is not None:
        upcoming = Occurrence(number=next_number, at=datetime(2026, 12, 7, 9, 30, tzinfo=LONDON))
    return ProjectStatus(
        project=project, sprint=2, sprint_day=3, next_prompt=upcoming, open_reviews=[]
    )


def awaiting(review_id: int, *, answered: int = 0) -> AwaitingReview:
    posted = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    review = GateReview(
        id=review_id,
        project_id=1,
        gate_kind="sprint_review",
        occurrence_key=f"sprint-{review_id}",
        sprint_number=2,
        due_at=posted,
        status="posted",
        posted_at=posted,
    )
    return AwaitingReview(review=review, answered=answered, questions=4)


def hypothesis(number: int, text: str, *, vague: bool = False, author: str = ME) -> Hypothesis:
    return Hypothesis(
        id=number,
        workspace_id=1,
        channel_id="C0001",
        author_id=author,
        text=text,
        vague=vague,
        checker="rules",
        status="open",
    )


def watched(name: str, values: list[float], *, display_name: str | None = None) -> MetricView:
    metric = Metric(
        id=abs(hash(name)) % 10_000,
        project_id=1,
        name=name,
        display_name=display_name,
        kind="model_health",
        direction="higher_is_better",
        warn_threshold=0.75,
        breach_threshold=0.72,
        owner="U0DS",
    )
    [view], _, _ = judged([(metric, np.array(values))], today=TODAY)
    return view


def card(project: Project | None = None, **fields) -> ProjectCard:
    project = project or make_project()
    values = {
        "project": project,
        "roles": (),
        "status": status(project),
        "problem": None,
        "awaiting": [],
        "hypotheses": [],
        "open_hypotheses": 0,
        "progress": {},
        "metrics": 0,
        "watched": [],
    } | fields
    return ProjectCard(**values)


def one_page(*cards: ProjectCard, **fields) -> Home:
    values = {"user_id": ME, "cards": list(cards), "projects": len(cards)} | fields
    return Home(**values)


def read(view: dict) -> str:
    """Return what a person reads, line by line as written (not wrapped), buttons in [ ]."""
    lines = []
    for block in view["blocks"]:
        if "text" in block:
            lines.append(plain(block["text"]["text"]))
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "mrkdwn":
                lines.append(plain(element["text"]))
            elif element.get("type") == "button":
                lines.append(f"[{element['text']['text']}]")
    return "\n".join(lines)


def buttons(view: dict) -> dict[str, list[str]]:
    """Return each action id's button values, in the order they appear."""
    found: dict[str, list[str]] = {}
    for block in view["blocks"]:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found.setdefault(element["action_id"], []).append(element["value"])
    return found


def within_limits(view: dict) -> None:
    """Assert Slack would take the view: blocks, texts, buttons, and slack_sdk's own checks."""
    assert len(view["blocks"]) <= MAX_BLOCKS
    for block in view["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75 and len(element["value"]) <= 2000
            elif element.get("type") == "mrkdwn":
                assert len(element["text"]) <= 3000
    View(**view).validate_json()


def test_an_empty_home_says_what_gatebot_does_and_how_to_start():
    view = home_view(Home(user_id=ME, workspace_projects=2))

    text = read(view)
    assert view["type"] == "home"
    assert "Welcome to gatebot" in text
    assert "`/gate setup` in your team's channel" in text
    assert "`/hypothesis <statement>`" in text  # escaped in mrkdwn, read as written
    assert "`/metric define`" in text
    assert "This workspace has 2 projects already" in text
    assert buttons(view) == {HOME_WRITE: ["home"]}
    within_limits(view)


def test_a_brand_new_workspace_does_not_mention_other_projects():
    text = read(home_view(Home(user_id=ME)))

    assert "Welcome to gatebot" in text and "This workspace has" not in text


def test_a_card_reads_as_the_team_says_it():
    project = make_project(name="Search ranking", channel_id="C0001", pm_lead=ME)
    falsifiable = hypothesis(12, "We believe in-stock filtering will raise purchases by 2%.")
    vague = hypothesis(13, "Make search smarter.", vague=True, author="U0DS")
    falsifiable.baseline_value, falsifiable.target_value = 0.80, 0.90
    linked = hypothesis_view(
        falsifiable, watched("ctr", [0.8] * 20 + [0.81]), current=0.81, elapsed=0.5
    )
    home = one_page(
        card(
            project,
            roles=("PM lead",),
            awaiting=[awaiting(7, answered=1)],
            hypotheses=[falsifiable, vague],
            open_hypotheses=2,
            progress={12: linked},
            metrics=3,
            watched=[watched("relevance_rating", [0.8] * 20 + [0.70])],
        ),
        awaiting=1,
        awaiting_projects=1,
    )

    view = home_view(home)

    text = read(view)
    assert "You take part in 1 project." in text
    assert "⏳ 1 gate review awaits your answers in 1 project." in text
    assert "Search ranking · #C0001" in text
    assert "Model iteration · Sprint 2, day 3 of 14 · you: PM lead" in text
    assert "⏰ Next gate: Sprint 3 boundary review, Mon 7 Dec 2026, 09:30 (Europe/London)" in text
    # Slack shows each reader their own zone; the team's, named, is the fallback read above.
    next_at = int(datetime(2026, 12, 7, 9, 30, tzinfo=UTC).timestamp())
    assert f"<!date^{next_at}^{{date_short_pretty}} {{time}}|Mon 7 Dec" in json.dumps(view)
    assert "Sprint 2 boundary review awaits your answers · 1 of 4 answered" in text
    assert "asked Mon 23 Nov 2026, 09:30 (Europe/London)" in text
    assert "Hypotheses · 2 on record" in text
    assert "#12 ✔ falsifiable · 🟠 at risk · yours" in text
    assert "#13 ⚠ vague\n" in text  # not the reader's own: no "yours"
    assert "Flagged metrics · 1 of 3" in text
    assert "🔴 relevance_rating 0.7" in text and "breach: below 0.72" in text
    assert buttons(view) == {
        "home_write": ["home"],
        "home_refresh": ["1"],
        HOME_ANSWER: ["7"],
        HOME_HYPOTHESIS: ["1"],
        HOME_DIGEST: ["1"],
    }
    assert "[Finish answering]" in text
    within_limits(view)


def test_a_quiet_project_says_so_and_offers_no_digest_without_metrics():
    view = home_view(one_page(card()))

    text = read(view)
    assert "✔ No gate review is waiting for your answers." in text
    assert "Hypotheses: none on record in #C0001 yet." in text
    assert "Metrics: no shared metrics yet: `/metric define` in #C0001 adds one." in text
    assert HOME_DIGEST not in buttons(view)


def test_the_next_gate_follows_the_phase_pause_and_set_up():
    framing = make_project(phase="framing")
    paused = make_project(paused=True)
    last = make_project(phase="rollout")

    def next_gate(one: ProjectCard) -> str:
        return next(
            line
            for line in read(home_view(one_page(one))).splitlines()
            if "⏰" in line or "⏸" in line or "⚠" in line
        )

    assert (
        "Next gate: Data readiness review, asked when the team moves on with "
        "`/gate phase data_readiness`"
        in next_gate(card(framing, status=status(framing, next_number=None)))
    )
    assert "Paused: no scheduled prompts until `/gate resume`" in next_gate(
        card(paused, status=status(paused, next_number=None))
    )
    assert "Next gate: none: this is the last phase." in next_gate(
        card(last, status=status(last, next_number=None))
    )
    broken = next_gate(card(status=None, problem="Unknown time zone 'Mars/Olympus'."))
    assert "Unknown time zone 'Mars/Olympus'. `/gate setup` in #C0001 fixes it." in broken


def test_untrusted_text_is_escaped_and_cut_to_slacks_limits():
    project = make_project(name=HOSTILE + " x" * 40, last_error=HOSTILE * 30)
    long = hypothesis(5, HOSTILE + " word" * 1000)
    metric = watched("latency", [0.8] * 20 + [0.7], display_name=HOSTILE)

    view = home_view(
        one_page(card(project, hypotheses=[long], open_hypotheses=1, metrics=1, watched=[metric]))
    )

    raw = "\n".join(
        b["text"]["text"] if "text" in b else b["elements"][0].get("text", "")
        for b in view["blocks"]
        if b["type"] in {"section", "context"}
    )
    assert "<!channel>" not in raw and "<@U0BOSS>" not in raw and "<https://" not in raw
    assert "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in raw
    hypothesis_section = next(
        b for b in view["blocks"] if "Hypotheses" in b.get("text", {}).get("text", "")
    )
    assert "…" in hypothesis_section["text"]["text"]  # cut, and marked as cut
    assert len(hypothesis_section["text"]["text"]) < 500
    within_limits(view)


def test_pages_link_to_their_neighbours_and_a_single_page_has_no_paging():
    cards = [card(make_project(n)) for n in range(1, 4)]

    first = home_view(one_page(*cards, page=1, pages=3, projects=20))
    middle = home_view(one_page(*cards, page=2, pages=3, projects=20))
    last = home_view(one_page(*cards, page=3, pages=3, projects=20))
    single = home_view(one_page(*cards))

    assert (buttons(first).get(HOME_PREVIOUS), buttons(first)[HOME_NEXT]) == (None, ["2"])
    assert (buttons(middle)[HOME_PREVIOUS], buttons(middle)[HOME_NEXT]) == (["1"], ["3"])
    assert (buttons(last)[HOME_PREVIOUS], buttons(last).get(HOME_NEXT)) == (["2"], None)
    assert "Page 2 of 3 · 20 projects." in read(middle)
    assert HOME_PREVIOUS not in buttons(single) and HOME_NEXT not in buttons(single)
    assert "Page" not in read(single)


@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(
        st.tuples(
            st.integers(0, 12),  # reviews awaiting
            st.integers(0, 8),  # hypotheses on record (three shown)
            st.integers(0, 12),  # metrics in warn or breach
        ),
        min_size=1,
        max_size=30,
    ),
    name_length=st.integers(1, 120),
)
def test_any_home_stays_within_100_blocks_and_counts_what_it_leaves_out(shape, name_length):
    cards = []
    for number, (reviews, hypotheses, flagged) in enumerate(shape, start=1):
        project = make_project(number, name="<&>" * (name_length // 3) or "x")
        cards.append(
            card(
                project,
                awaiting=[awaiting(number * 100 + i) for i in range(reviews)],
                hypotheses=[
                    hypothesis(i, "We believe & <b> " * 30) for i in range(min(3, hypotheses))
                ],
                open_hypotheses=hypotheses,
                metrics=flagged + 1,
                watched=[watched(f"m{i}", [0.8] * 20 + [0.7]) for i in range(flagged)],
            )
        )

    view = home_view(one_page(*cards, pages=2))

    within_limits(view)
    shown = buttons(view).get(HOME_HYPOTHESIS, [])
    text = read(view)
    if len(shown) < len(cards):
        assert f"…and {len(cards) - len(shown)} more project" in text
    assert shown == [str(n) for n in range(1, len(shown) + 1)]  # in order, none skipped


def test_the_channel_picker_asks_for_a_channel_and_turns_into_the_form():
    view = channel_picker()

    [picker] = next(b for b in view["blocks"] if b["type"] == "actions")["elements"]
    assert (picker["type"], picker["action_id"]) == ("conversations_select", HOME_PICK_CHANNEL)
    assert "Which channel is the hypothesis for?" in read(view)
    View(**view).validate_json()


def test_the_digest_preview_modal_holds_a_full_digest_within_a_modals_limits():
    project = make_project(name="Search & <ranking>")
    full = DigestMessage(
        text="Weekly digest",
        blocks=[section(f"Line {n}") for n in range(49)] + [context("footer")],
        thread=[],
    )

    view = digest_preview(project, full)

    assert view["type"] == "modal" and view["title"]["text"] == "Digest preview"
    assert len(view["blocks"]) == 51
    assert "Only you can see this preview: nothing was posted to #C0001." in read(view)
    assert "Line 48" in read(view)
    View(**view).validate_json()


def test_a_notice_fits_any_title_into_a_modal():
    view = notice("A title much longer than Slack allows", "Said.")

    assert len(view["title"]["text"]) <= 24 and "Said." in read(view)
    View(**view).validate_json()


def test_a_project_outside_the_persons_channels_shows_its_name_and_status_only():
    outside = card(make_project(2, name="Fraud"), roles=("PM lead",), member=False)

    view = home_view(one_page(card(), outside, projects=2))
    text = read(view)

    fraud = text.split("Fraud · #C0002")[1]
    assert "Model iteration · Sprint 2, day 3 of 14 · you: PM lead" in fraud
    assert "You're not in #C0002, so its reviews, hypotheses and metrics stay" in fraud
    assert "Hypotheses" not in fraud and "Metrics" not in fraud and "[" not in fraud.split("\n")[0]
    assert buttons(view).get(HOME_HYPOTHESIS) == ["1"]  # only the member's card has buttons
    View(**view).validate_json()


def test_when_slack_cannot_say_whose_channels_the_home_says_why_once_and_hides_the_work():
    problem = "gatebot's install lacks the `channels:read` and `groups:read` permissions."
    cards = [card(make_project(n), member=False) for n in (1, 2)]

    view = home_view(one_page(*cards, membership_problem=problem))
    text = read(view)

    assert "⚠ gatebot's install lacks the `channels:read` and `groups:read` permissions." in text
    assert "show their name and status only" in text
    assert "You're not in" not in text  # said once above, not on every card
    assert "No gate review is waiting" not in text  # the reviews were not read
    assert set(buttons(view)) == {HOME_WRITE, "home_refresh"}
    View(**view).validate_json()


def test_a_home_that_could_not_be_gathered_offers_refresh():
    view = home_unavailable()

    assert view["type"] == "home"
    assert "I couldn't load your Home just now. Press Refresh to try again" in read(view)
    assert buttons(view) == {"home_refresh": ["1"]}
    View(**view).validate_json()
