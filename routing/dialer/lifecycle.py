"""A campaign's status and the transitions between them: draft, active, paused, stopped.

Pure: the platform asks transition(current, wanted) before writing a status; an illegal move
raises IllegalTransition (the API answers 409). Stopped is final: a stopped campaign is copied,
not restarted, so its abandon record over the legal period stays its own.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class CampaignState(StrEnum):
    DRAFT = "draft"  # being configured: never dials
    ACTIVE = "active"  # the pacer may dial it
    PAUSED = "paused"  # kept as it is, no new calls
    STOPPED = "stopped"  # finished for good


ALLOWED = MappingProxyType(
    {
        CampaignState.DRAFT: frozenset({CampaignState.ACTIVE, CampaignState.STOPPED}),
        CampaignState.ACTIVE: frozenset({CampaignState.PAUSED, CampaignState.STOPPED}),
        CampaignState.PAUSED: frozenset({CampaignState.ACTIVE, CampaignState.STOPPED}),
        CampaignState.STOPPED: frozenset(),
    }
)


class IllegalTransition(ValueError):
    """A status change the state machine refuses; `allowed` lists where `current` may go."""

    code = "illegal_transition"

    def __init__(self, current: CampaignState, wanted: CampaignState) -> None:
        self.current = current
        self.wanted = wanted
        self.allowed = tuple(sorted(ALLOWED[current]))
        where = ", ".join(self.allowed) or "nowhere (stopped is final)"
        super().__init__(f"a {current} campaign cannot become {wanted}; it may become {where}")


def transition(current: CampaignState, wanted: CampaignState) -> CampaignState:
    """`wanted` if the state machine allows the move from `current`, else IllegalTransition."""
    if wanted not in ALLOWED[current]:
        raise IllegalTransition(current, wanted)
    return wanted
