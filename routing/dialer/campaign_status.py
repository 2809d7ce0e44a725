"""Whether a running campaign is dialing now, and if not (or less than it could), every reason.

Pure: the caller passes the counts it holds (agents signed in, hopper size, the calls-per-
second budget left) and the abandon throttle's reason, if any.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CampaignReason(StrEnum):
    NOT_RUNNING = "not_running"
    NO_AGENTS = "no_agents"
    HOPPER_EMPTY = "hopper_empty"
    THROTTLED_BY_ABANDON_RATE = "throttled_by_abandon_rate"
    CALLS_PER_SECOND_BUDGET = "calls_per_second_budget"


@dataclass(frozen=True)
class NotDialing:
    reason: CampaignReason
    message: str


def why_not_dialing(
    *,
    running: bool,
    agents_signed_in: int,
    hopper_size: int,
    calls_per_second_left: int,
    throttled_because: str | None = None,
) -> tuple[NotDialing, ...]:
    """Every reason the campaign is not dialing, or dialing below its pacer's wish; () if none.

    throttled_because: the abandon throttle's explanation when it holds the campaign back
    (routing.dialer.abandon.Throttle.reason), else None.
    """
    reasons = []
    if not running:
        reasons.append(NotDialing(CampaignReason.NOT_RUNNING, "the campaign is paused or stopped"))
    if agents_signed_in <= 0:
        reasons.append(NotDialing(CampaignReason.NO_AGENTS, "no agent is signed in to it"))
    if hopper_size <= 0:
        reasons.append(NotDialing(CampaignReason.HOPPER_EMPTY, "no dialable lead is buffered"))
    if throttled_because:
        reasons.append(NotDialing(CampaignReason.THROTTLED_BY_ABANDON_RATE, throttled_because))
    if calls_per_second_left <= 0:
        reasons.append(
            NotDialing(
                CampaignReason.CALLS_PER_SECOND_BUDGET,
                "the account's calls-per-second budget is used up this second",
            )
        )
    return tuple(reasons)
