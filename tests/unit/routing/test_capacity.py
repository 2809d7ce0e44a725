"""Tests for routing.capacity: per-channel limits, shared units and cross-channel rules."""

from __future__ import annotations

from routing.capacity import open_channels, refusal, used_units
from routing.config import CapacityProfile, CrossChannelRule

DEFAULT = CapacityProfile()


def test_default_profile_is_one_call_or_three_chats_or_five_emails() -> None:
    """The default budget fits one call, or three chats, or five emails."""
    assert refusal(DEFAULT, {}, "voice") is None
    assert refusal(DEFAULT, {"voice": 1}, "voice") is not None
    assert refusal(DEFAULT, {"chat": 2}, "chat") is None
    assert refusal(DEFAULT, {"chat": 3}, "chat") == "capacity: chat 3/3"
    assert refusal(DEFAULT, {"email": 4}, "email") is None
    assert refusal(DEFAULT, {"email": 5}, "email") is not None


def test_shared_budget_blocks_a_call_while_chats_are_open() -> None:
    """With chats open the call no longer fits the shared unit budget."""
    assert refusal(DEFAULT, {"chat": 1}, "voice") == "capacity: 5+15 units > 15"
    assert refusal(DEFAULT, {"voice": 1}, "email") is not None
    assert refusal(DEFAULT, {"chat": 1}, "email") is None  # 5 + 3 <= 15


def test_cross_channel_rule_no_call_while_two_chats() -> None:
    """A rule bans a channel while another channel has enough open tasks."""
    profile = CapacityProfile(
        units={"voice": 1, "chat": 1},
        limits={"voice": 1, "chat": 3},
        total_units=None,
        rules=[CrossChannelRule("voice", "chat", 2)],
    )
    assert refusal(profile, {"chat": 1}, "voice") is None
    assert refusal(profile, {"chat": 2}, "voice") == "capacity: no voice while chat >= 2"
    assert refusal(profile, {"voice": 1}, "chat") is None


def test_missing_channel_limit_means_never() -> None:
    """An agent whose profile lacks a channel never takes it."""
    profile = CapacityProfile(limits={"chat": 2}, total_units=None)
    assert refusal(profile, {}, "voice") == "capacity: voice 0/0"
    assert open_channels(profile, {}) == {"chat"}


def test_used_units_counts_every_channel() -> None:
    """Used units sum the unit cost of every held task."""
    assert used_units(DEFAULT, {"chat": 2, "email": 1}) == 13
