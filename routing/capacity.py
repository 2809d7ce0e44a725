"""Whether an agent has room for one more task of a channel, given what they already hold.

Offers count as held work, so an agent can never be offered more than their profile allows.
"""

from __future__ import annotations

from routing.config import CHANNELS, CapacityProfile


def used_units(profile: CapacityProfile, held: dict[str, int]) -> int:
    """Units of the shared budget taken by the tasks and offers an agent holds."""
    units = profile.units
    used = 0
    for channel, count in held.items():
        if count:
            used += units.get(channel, 1) * count
    return used


def refusal(profile: CapacityProfile, held: dict[str, int], channel: str) -> str | None:
    """Why one more `channel` task would exceed the profile, or None if it fits."""
    limit = profile.limits.get(channel, 0)
    count = held.get(channel, 0)
    if count >= limit:
        return f"capacity: {channel} {count}/{limit}"
    if profile.total_units is not None:
        needed = profile.units.get(channel, 1)
        used = used_units(profile, held)
        if used + needed > profile.total_units:
            return f"capacity: {used}+{needed} units > {profile.total_units}"
    for rule in profile.rules:
        if rule.channel == channel and held.get(rule.when_channel, 0) >= rule.at_least:
            return f"capacity: no {channel} while {rule.when_channel} >= {rule.at_least}"
    return None


def open_channels(profile: CapacityProfile, held: dict[str, int]) -> frozenset[str]:
    """The channels the agent could take one more task of right now."""
    return frozenset(channel for channel in CHANNELS if refusal(profile, held, channel) is None)
