"""The /hypothesis domain: parsing, drafts, saving once, workspace scoping."""

import pytest
from sqlmodel import Session, select

from bot.core.errors import InvalidInput, NotFound
from bot.falsifiability.rules import check_rules
from bot.hypotheses import service as hypotheses
from bot.hypotheses.form import HypothesisFields
from bot.hypotheses.service import ParsedCommand, Subcommand, parse_command
from db import workspaces
from db.models import Hypothesis, HypothesisStatus


class RulesChecker:
    """The offline checker, as the app uses it without an OpenAI key."""

    def check(self, text: str):
        return check_rules(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ParsedCommand(Subcommand.MODAL)),
        ("   ", ParsedCommand(Subcommand.MODAL)),
        ("list", ParsedCommand(Subcommand.LIST)),
        ("LIST ", ParsedCommand(Subcommand.LIST)),
        ("help", ParsedCommand(Subcommand.HELP)),
        ("lsit", ParsedCommand(Subcommand.HELP, unknown="lsit")),
        ("Reduce  churn.", ParsedCommand(Subcommand.CHECK, text="Reduce churn.")),
    ],
)
def test_parse_command(text, expected):
    assert parse_command(text) == expected


def _draft(session: Session, text: str, *, team: str = "T1", channel: str = "C1"):
    draft = hypotheses.check_and_draft(
        session=session,
        checker=RulesChecker(),
        team_id=team,
        channel_id=channel,
        author_id="U1",
        text=text,
    )
    return workspaces.ensure(session=session, team_id=team), draft


def test_a_draft_keeps_the_verdict_and_the_elements_found(session: Session):
    _, draft = _draft(session, "Reduce 30-day churn from 12% to 10% by the end of March.")
    session.commit()

    assert draft.status == HypothesisStatus.DRAFT
    assert draft.vague is False
    assert draft.checker == "rules"
    assert hypotheses.verdict_of(draft).vague is False
    assert draft.magnitude and "10%" in draft.magnitude


def test_save_changes_a_draft_once(session: Session):
    workspace, draft = _draft(session, "Reduce churn.")

    first = hypotheses.save(
        session=session, workspace_id=workspace.id, hypothesis_id=draft.id, user_id="U1"
    )
    second = hypotheses.save(
        session=session, workspace_id=workspace.id, hypothesis_id=draft.id, user_id="U1"
    )

    assert (first.changed, second.changed) == (True, False)
    assert second.hypothesis.status == HypothesisStatus.OPEN
    assert second.hypothesis.saved_by == "U1"


def test_only_its_author_can_save_or_discard_a_draft(session: Session):
    workspace, draft = _draft(session, "Reduce churn.")

    for act in (hypotheses.save, hypotheses.discard):
        with pytest.raises(NotFound, match="someone else's"):
            act(session=session, workspace_id=workspace.id, hypothesis_id=draft.id, user_id="U2")

    session.refresh(draft)
    assert draft.status == HypothesisStatus.DRAFT


def test_a_saved_hypothesis_cannot_be_discarded_by_a_stale_button(session: Session):
    workspace, draft = _draft(session, "Reduce churn.")
    hypotheses.save(
        session=session, workspace_id=workspace.id, hypothesis_id=draft.id, user_id="U1"
    )

    outcome = hypotheses.discard(
        session=session, workspace_id=workspace.id, hypothesis_id=draft.id, user_id="U1"
    )

    assert outcome.changed is False
    assert outcome.hypothesis.status == HypothesisStatus.OPEN


def test_another_workspace_cannot_see_or_save_a_draft(session: Session):
    _, draft = _draft(session, "Reduce churn.", team="T1")
    other = workspaces.ensure(session=session, team_id="T2")

    with pytest.raises(NotFound):
        hypotheses.save(
            session=session, workspace_id=other.id, hypothesis_id=draft.id, user_id="U9"
        )
    assert (
        hypotheses.get(
            session=session, workspace_id=draft.workspace_id, hypothesis_id=draft.id
        ).status
        == "draft"
    )


def test_list_shows_only_this_channels_saved_hypotheses_newest_first(session: Session):
    workspace, older = _draft(session, "Reduce churn.")
    _, newer = _draft(session, "Increase NDCG by 3% within two weeks.")
    _, elsewhere = _draft(session, "Cut costs.", channel="C2")
    _, unsaved = _draft(session, "Improve search.")
    for hypothesis in (older, newer, elsewhere):
        hypotheses.save(
            session=session, workspace_id=workspace.id, hypothesis_id=hypothesis.id, user_id="U1"
        )

    listed, total = hypotheses.list_channel(
        session=session, workspace_id=workspace.id, channel_id="C1"
    )

    assert [h.id for h in listed] == [newer.id, older.id] and total == 2


def test_an_overlong_statement_is_refused_with_its_length(session: Session):
    with pytest.raises(InvalidInput, match="3,001 characters"):
        _draft(session, "x" * 3001)


def test_submit_form_saves_the_edited_draft_itself_so_it_keeps_its_number(session: Session):
    workspace, draft = _draft(session, "Improve recommendation relevance.")
    form = HypothesisFields(
        change="re-ranking with freshness",
        outcome_metric="7-day return rate of new users",
        direction="increase",
        magnitude="from 41% to 43%",
        time_window="14 days",
    )

    outcome = hypotheses.submit_form(
        session=session,
        checker=RulesChecker(),
        team_id="T1",
        channel_id="C1",
        author_id="U1",
        form=form,
        replaces=draft.id,
    )

    assert outcome.changed and outcome.hypothesis.status == HypothesisStatus.OPEN
    assert outcome.hypothesis.text.startswith("We believe re-ranking with freshness will raise")
    assert outcome.hypothesis.vague is False
    assert outcome.hypothesis.outcome_metric == "7-day return rate of new users"
    assert outcome.hypothesis.id == draft.id  # the first saved is #1, whatever was drafted
    assert session.exec(select(Hypothesis)).all() == [outcome.hypothesis]


def test_submit_form_on_a_draft_saved_meanwhile_keeps_it_and_saves_a_new_one(session: Session):
    workspace, draft = _draft(session, "Semantic search will cut zero-result rate from 9% to 7%.")
    assert draft.id is not None
    hypotheses.save(
        session=session, workspace_id=workspace.id, hypothesis_id=draft.id, user_id="U1"
    )
    form = HypothesisFields(
        change="synonyms",
        outcome_metric="zero-result rate",
        direction="decrease",
        magnitude="to 6%",
    )

    outcome = hypotheses.submit_form(
        session=session,
        checker=RulesChecker(),
        team_id="T1",
        channel_id="C1",
        author_id="U1",
        form=form,
        replaces=draft.id,
    )

    session.refresh(draft)
    assert draft.text == "Semantic search will cut zero-result rate from 9% to 7%."
    assert outcome.hypothesis.id != draft.id and outcome.hypothesis.status == HypothesisStatus.OPEN


def test_prefill_starts_the_change_from_the_authors_words(session: Session):
    _, draft = _draft(session, "Improve recommendation relevance.")

    assert hypotheses.prefill(draft).change == "Improve recommendation relevance."
