"""Do-not-call suppression: internal, per-campaign and national lists, and dispositions.

A number on any list that applies is never dialed. A disposition that means "do not call" adds
the number to the internal list at once; no disposition can take a number off a list or make a
suppressed number dialable (Disposition has no such field, and eligibility checks lists first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from routing.dialer.legal import IllegalSetting

E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def check_e164(number: str, field_name: str = "number") -> str:
    """`number` if it is E.164 (+ and 7 to 15 digits), else IllegalSetting naming the field."""
    if not E164.fullmatch(number):
        raise IllegalSetting(field_name, f"{number!r} is not an E.164 number (+ and digits)")
    return number


class DncScope(StrEnum):
    INTERNAL = "internal"  # the company's own list: every campaign
    CAMPAIGN = "campaign"  # one campaign's list
    NATIONAL = "national"  # an imported national registry (TPS, the National DNC Registry)


@dataclass(frozen=True)
class DncEntry:
    """One number on one list; campaign_id only (and always) for a campaign's list."""

    number: str
    scope: DncScope
    campaign_id: str | None = None
    added_at: datetime | None = None
    source: str = ""

    def __post_init__(self) -> None:
        check_e164(self.number)
        if (self.scope is DncScope.CAMPAIGN) != (self.campaign_id is not None):
            raise IllegalSetting("campaign_id", "set for a campaign's list entry, and only then")

    def applies_to(self, campaign_id: str) -> bool:
        return self.scope is not DncScope.CAMPAIGN or self.campaign_id == campaign_id


class DncLookup(Protocol):
    """Where eligibility asks whether a number is suppressed (SQL in the app, a set in tests)."""

    def matches(self, number: str, campaign_id: str) -> tuple[DncEntry, ...]:
        """Every entry that suppresses `number` for `campaign_id`."""
        ...


@dataclass(frozen=True)
class DoNotCallList:
    """An in-memory DncLookup: entries by number."""

    by_number: dict[str, tuple[DncEntry, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Iterable[DncEntry]) -> DoNotCallList:
        return cls().adding(entries)

    def adding(self, entries: Iterable[DncEntry]) -> DoNotCallList:
        """A new list with `entries` added (the list itself never changes)."""
        grouped = {number: list(found) for number, found in self.by_number.items()}
        for entry in entries:
            grouped.setdefault(entry.number, []).append(entry)
        return DoNotCallList({number: tuple(found) for number, found in grouped.items()})

    def matches(self, number: str, campaign_id: str) -> tuple[DncEntry, ...]:
        return tuple(e for e in self.by_number.get(number, ()) if e.applies_to(campaign_id))


@dataclass(frozen=True)
class Disposition:
    """What an agent (or the dialer) recorded about a call.

    do_not_call: the called person asked not to be called (adds to the internal list at once).
    final: the lead is done in this campaign (a sale, a wrong number). retry_after: when to try
    again instead of the policy's delay for the call's outcome. Nothing here can lift a
    suppression: a number on a list stays undialable whatever the disposition says.
    """

    code: str
    label: str
    do_not_call: bool = False
    final: bool = False
    retry_after: timedelta | None = None

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise IllegalSetting("disposition.code", "must not be empty")
        if self.retry_after is not None and self.retry_after < timedelta(0):
            raise IllegalSetting("disposition.retry_after", "must not be negative")


# The safe-harbour message's opt-out key records this disposition.
OPT_OUT = Disposition("opt_out", "Opted out (asked not to be called)", do_not_call=True, final=True)


def suppress_after(
    disposition: Disposition, number: str, at: datetime, *, campaign_id: str
) -> tuple[DncEntry, ...]:
    """The entries to write, in the same transaction as the disposition, so the number is
    suppressed at once: the internal list for a do-not-call disposition, else nothing."""
    if not disposition.do_not_call:
        return ()
    source = f"disposition {disposition.code} in campaign {campaign_id}"
    return (DncEntry(number, DncScope.INTERNAL, added_at=at, source=source),)
