"""What one person's Home shows: the projects on a page, each as a card (bot.home.service)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.digests import data as digest_data
from bot.gates import Phase
from bot.gates.status import ProjectStatus
from db.models import Hypothesis
from db.models.gates import GateReview, Project


@dataclass(frozen=True, kw_only=True)
class AwaitingReview:
    """A review waiting for this person: how many of its questions they have answered."""

    review: GateReview
    answered: int
    questions: int


@dataclass(frozen=True, kw_only=True)
class ProjectCard:
    """One project as its Home card shows it.

    A person outside the project's channel (`member` False) gets its name and status only:
    the reviews, hypotheses and metrics are left empty, never read.
    """

    project: Project
    roles: tuple[str, ...]  # "PM lead", "DS lead", "set it up"
    status: ProjectStatus | None  # None when the stored calendar cannot be read
    problem: str | None  # why not, in words a person can act on
    awaiting: list[AwaitingReview]  # newest first, all of them (the card shows a few)
    hypotheses: list[Hypothesis]  # the channel's newest on record
    open_hypotheses: int
    progress: dict[int, digest_data.HypothesisView]  # by hypothesis id, when metric-decided
    metrics: int
    watched: list[digest_data.MetricView]  # the flagged metrics, worst first, as the digest's
    metrics_problem: bool = False  # the metrics could not be judged (logged)
    member: bool = True  # the person is in the project's channel

    @property
    def next_phase(self) -> Phase | None:
        """Return the phase after the project's current one, None after the last."""
        return following_phase(self.project.phase)


@dataclass(frozen=True, kw_only=True)
class Home:
    """What one person's Home shows on one page."""

    user_id: str
    cards: list[ProjectCard] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    projects: int = 0  # the person's projects in all, on every page
    awaiting: int = 0  # reviews awaiting them, across every project
    awaiting_projects: int = 0
    workspace_projects: int = 0  # the workspace's projects, for the empty Home's words
    membership_problem: str | None = None  # why no card shows its work (Slack could not say)


def following_phase(phase: str) -> Phase | None:
    """Return the phase after `phase` on the timeline, or None (last, or unknown)."""
    order = list(Phase)
    try:
        index = order.index(Phase(phase))
    except ValueError:
        return None
    return order[index + 1] if index + 1 < len(order) else None
