"""The App Home tab as Block Kit (a project's card: bot.home.card; the modals its own
buttons open: bot.home.modals).

A Home view takes at most 100 blocks. A project card takes at most nine, a page
holds bot.home.service.PAGE_SIZE of them, and cards past the budget are summarised in one line, so
no Home can overflow whatever it is given. Untrusted text (project names, hypotheses,
Slack errors) is escaped and cut to Slack's limits.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from bot.home.card import card_blocks, plural
from bot.home.ids import (
    HOME_ANSWER,
    HOME_DIGEST,
    HOME_HYPOTHESIS,
    HOME_NEXT,
    HOME_PICK_CHANNEL,
    HOME_PREVIOUS,
    HOME_REFRESH,
    HOME_WRITE,
    MAX_BLOCKS,
    PAGE_ACTIONS,
)
from bot.slack.blocks import Block, button, context, divider, header, section

if TYPE_CHECKING:  # bot.home.service publishes with this module's view, so import only for types
    from bot.home.model import Home

__all__ = [
    "HOME_ANSWER",
    "HOME_DIGEST",
    "HOME_HYPOTHESIS",
    "HOME_NEXT",
    "HOME_PICK_CHANNEL",
    "HOME_PREVIOUS",
    "HOME_REFRESH",
    "HOME_WRITE",
    "MAX_BLOCKS",
    "PAGE_ACTIONS",
    "home_unavailable",
    "home_view",
]

_ROLES = (
    "Projects you lead, set up, answered a review of, wrote a hypothesis in or own a metric of."
)


def home_view(home: Home) -> Block:
    """Return the Home tab of `home`: the person's projects, or how to start."""
    if not home.cards:
        blocks = _welcome(home)
    else:
        blocks = [header("Your projects"), section(_summary(home))]
        if home.membership_problem is not None:
            blocks.append(
                context(
                    f":warning: {home.membership_problem} Until then your projects show their "
                    "name and status only: their reviews, hypotheses and metrics stay hidden."
                )
            )
        blocks.append(_top_actions(home.page))
        footer = _footer(home)
        budget = MAX_BLOCKS - len(blocks) - len(footer) - 1  # one for the "more" line
        for index, card in enumerate(home.cards):
            # Without Slack's answer every card is hidden: the line above says why, once.
            built = card_blocks(card, user_id=home.user_id, explain=home.membership_problem is None)
            if len(built) > budget:
                left = len(home.cards) - index
                blocks.append(
                    context(
                        f"_…and {left} more {plural(left, 'project')}: "
                        "`/gate status` in their channels._"
                    )
                )
                break
            blocks += built
            budget -= len(built)
        blocks += footer
    return {
        "type": "home",
        "private_metadata": json.dumps({"page": home.page}),
        "blocks": blocks,
    }


def _summary(home: Home) -> str:
    projects = f"You take part in *{home.projects}* {plural(home.projects, 'project')}."
    if home.membership_problem is not None:  # the reviews were not read: say nothing of them
        return projects
    if not home.awaiting:
        return f"{projects}\n:white_check_mark: No gate review is waiting for your answers."
    reviews = f"*{home.awaiting} gate {plural(home.awaiting, 'review')}*"
    where = f"{home.awaiting_projects} {plural(home.awaiting_projects, 'project')}"
    verb = "awaits" if home.awaiting == 1 else "await"
    return f"{projects}\n:hourglass_flowing_sand: {reviews} {verb} your answers in {where}."


def home_unavailable() -> Block:
    """Return the Home shown when it could not be gathered: why, and a way to try again."""
    return {
        "type": "home",
        "private_metadata": json.dumps({"page": 1}),
        "blocks": [
            header("Your projects"),
            section(
                ":warning: I couldn't load your Home just now. Press *Refresh* to try again; "
                "if it keeps failing, tell whoever runs gatebot for your workspace."
            ),
            {
                "type": "actions",
                "block_id": "home_top",
                "elements": [button("Refresh", action_id=HOME_REFRESH, value="1")],
            },
        ],
    }


def _top_actions(page: int) -> Block:
    return {
        "type": "actions",
        "block_id": "home_top",
        "elements": [
            button("Write a hypothesis", action_id=HOME_WRITE, value="home", style="primary"),
            button("Refresh", action_id=HOME_REFRESH, value=str(page)),
        ],
    }


def _footer(home: Home) -> list[Block]:
    where = f"Page {home.page} of {home.pages} · " if home.pages > 1 else ""
    blocks = [
        divider(),
        context(f"{where}{home.projects} {plural(home.projects, 'project')}. {_ROLES}"),
    ]
    pages = []
    if home.page > 1:
        pages.append(button("← Previous", action_id=HOME_PREVIOUS, value=str(home.page - 1)))
    if home.page < home.pages:
        pages.append(button("Next →", action_id=HOME_NEXT, value=str(home.page + 1)))
    if pages:
        blocks.append({"type": "actions", "block_id": "home_pages", "elements": pages})
    return blocks


def _welcome(home: Home) -> list[Block]:
    blocks = [
        header("Welcome to gatebot"),
        section(
            "gatebot helps product managers, data scientists and ML engineers test what they "
            "believe instead of arguing about it: hypotheses that data could prove wrong, gate "
            "reviews at the right moment, and shared metrics with a rollback trigger."
        ),
        section(
            ":memo: *Write a hypothesis.* `/hypothesis &lt;statement&gt;` in a channel checks that "
            "data could prove it wrong and proposes a sharper version; `/hypothesis` alone "
            "opens a form."
        ),
        section(
            ":clipboard: *Set up gate reviews.* `/gate setup` in your team's channel picks the "
            "sprint calendar, the leads and the phase; gatebot then asks the right questions "
            "at each sprint boundary and phase gate."
        ),
        section(
            ":chart_with_upwards_trend: *Share the metrics.* `/metric define` names a metric, "
            "its owner and its thresholds: escape alerts and a weekly digest follow."
        ),
        {
            "type": "actions",
            "block_id": "home_top",
            "elements": [
                button("Write a hypothesis", action_id=HOME_WRITE, value="home", style="primary")
            ],
        },
    ]
    note = "Your projects show up here once you lead or set one up, answer its gate reviews, "
    note += "write a hypothesis in its channel or own one of its metrics."
    if home.workspace_projects:
        count = home.workspace_projects
        note += (
            f" This workspace has {count} {plural(count, 'project')} already: "
            "`/gate status` in their channels."
        )
    blocks.append(context(note))
    return blocks
