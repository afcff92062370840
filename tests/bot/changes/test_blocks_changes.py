"""The words of an announced edit: before → after, escaped once, cut to fit, people as mentions."""

from __future__ import annotations

from bot.changes import FieldChange
from bot.changes.blocks import SHOWN_LIMIT, announcement, change_lines, field_line
from bot.slack.packing import fits, texts


def test_a_value_is_escaped_once_and_an_unset_one_reads_none():
    line, cut = field_line(FieldChange("wording", None, "R&D <b> &amp; more"))

    assert line == "*wording*: _none_ → R&amp;D &lt;b&gt; &amp;amp; more"
    assert not cut


def test_an_owner_is_a_mention_but_anything_else_in_that_field_is_escaped():
    line, _ = field_line(FieldChange("owner", "U0PM", "<!channel>"))

    assert line == "*owner*: <@U0PM> → &lt;!channel&gt;"


def test_two_long_wordings_full_of_markup_fit_one_message_and_say_they_were_cut():
    before, after = "&" * 300, "<" * 300  # escaping makes each four or five times longer

    text, blocks = announcement(
        subject_kind="gate_question",
        subject="sprint_review: assumption",
        changed_by="U0PM",
        changes=[FieldChange("wording", before, after)],
    )

    shown = "\n".join(texts(blocks))
    assert fits(blocks)
    assert "&amp;" * (SHOWN_LIMIT - 1) + "…" in shown and "&amp;" * SHOWN_LIMIT not in shown
    assert f"Values past {SHOWN_LIMIT} characters are cut here" in shown
    assert text.startswith(":pencil2: <@U0PM> changed the gate question")


def test_the_editors_lines_name_each_change_and_note_a_cut():
    lines = change_lines(
        [FieldChange("warn", "below 0.75", "below 0.80"), FieldChange("label", None, "x" * 250)]
    )

    assert lines.startswith("• *warn*: below 0.75 → below 0.80\n• *label*: _none_ → xxx")
    assert lines.endswith(
        f"_Values past {SHOWN_LIMIT} characters are cut here; `/gate export` has them whole._"
    )
