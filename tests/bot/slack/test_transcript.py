"""The terminal transcript: mentions read as names only while someone has named them."""

from bot.slack.transcript import display_names, plain


def test_a_channel_reads_by_its_name_inside_the_block_and_by_its_id_after():
    with display_names({"C0TEAM": "ai-team", "U0PRIYA": "priya"}):
        assert plain("<@U0PRIYA> posted in <#C0TEAM>") == "@priya posted in #ai-team"
    assert plain("<@U0PRIYA> posted in <#C0TEAM>") == "@U0PRIYA posted in #C0TEAM"


def test_names_added_inside_the_block_go_with_it_and_earlier_ones_stay():
    with display_names({"C0A": "alpha"}):
        with display_names({"C0B": "beta"}) as names:
            names["U0NEW"] = "newcomer"  # as a demo scene adds its teams' people
            assert plain("<#C0A> <#C0B> <@U0NEW>") == "#alpha #beta @newcomer"
        assert plain("<#C0A> <#C0B> <@U0NEW>") == "#alpha #C0B @U0NEW"
    assert plain("<#C0A>") == "#C0A"


def test_a_label_slack_sent_wins_over_the_table():
    with display_names({"C0TEAM": "ai-team"}):
        assert plain("<#C0TEAM|general>") == "#general"
