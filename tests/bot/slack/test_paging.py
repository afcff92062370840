"""A capped list says where it is and how many more, with buttons that carry their offset."""

from __future__ import annotations

import pytest

from bot.slack.paging import Page, action_ids, pager, read_offset


def _line(blocks: list[dict]) -> str:
    return blocks[0]["elements"][0]["text"]


def _buttons(blocks: list[dict]) -> list[tuple[str, str, str]]:
    if len(blocks) < 2:
        return []
    return [(b["text"]["text"], b["action_id"], b["value"]) for b in blocks[1]["elements"]]


def test_the_first_page_of_many_offers_only_the_next_one():
    blocks = pager(Page(offset=0, shown=20, total=200), noun="hypotheses", action_id="hyp", size=20)

    assert _line(blocks) == "1–20 of 200 hypotheses · 180 more"
    assert _buttons(blocks) == [("Next 20 →", "hyp_next", "20")]
    assert blocks[1]["block_id"] == "hyp_pages"


def test_a_middle_page_goes_back_and_on():
    blocks = pager(
        Page(offset=20, shown=20, total=200), noun="hypotheses", action_id="hyp", size=20
    )

    assert _line(blocks) == "21–40 of 200 hypotheses · 160 more"
    assert _buttons(blocks) == [("← Previous", "hyp_back", "0"), ("Next 20 →", "hyp_next", "40")]


def test_the_next_button_names_only_what_is_left():
    blocks = pager(Page(offset=180, shown=15, total=200), noun="metrics", action_id="m", size=15)

    assert _line(blocks) == "181–195 of 200 metrics · 5 more"
    assert _buttons(blocks) == [("← Previous", "m_back", "165"), ("Next 5 →", "m_next", "195")]


def test_the_last_page_says_no_more_and_only_goes_back():
    blocks = pager(Page(offset=190, shown=10, total=200), noun="answers", action_id="a", size=20)

    assert _line(blocks) == "191–200 of 200 answers"
    assert _buttons(blocks) == [("← Previous", "a_back", "170")]


def test_a_list_that_fits_has_its_count_and_no_buttons():
    blocks = pager(Page(offset=0, shown=3, total=3), noun="projects", action_id="p", size=20)

    assert [b["type"] for b in blocks] == ["context"]
    assert _line(blocks) == "1–3 of 3 projects"


def test_an_empty_list_has_no_pager():
    assert pager(Page(offset=0, shown=0, total=0), noun="projects", action_id="p", size=20) == []


def test_left_never_goes_below_zero():
    assert Page(offset=40, shown=20, total=45).left == 0


def test_the_buttons_ids_are_the_ones_the_pager_uses():
    back, forward = action_ids("hyp")
    blocks = pager(Page(offset=20, shown=20, total=60), noun="hypotheses", action_id="hyp", size=20)
    assert [b["action_id"] for b in blocks[1]["elements"]] == [back, forward]


@pytest.mark.parametrize(
    ("value", "offset"),
    [("40", 40), (40, 40), ("0", 0), ("-20", 0), ("", 0), ("forty", 0), (None, 0), ("1e3", 0)],
)
def test_an_offset_that_cannot_be_read_is_the_first_page(value: object, offset: int):
    assert read_offset(value) == offset
