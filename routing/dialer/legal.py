"""The legal defaults a campaign may narrow but never widen, and the audited override that may.

US: FCC 47 CFR 64.1200 and the FTC's Telemarketing Sales Rule; UK: Ofcom's statement on
persistent misuse. Each constant is the permissive edge of the law; a setting past it is
refused unless a LegalOverride for that rule, naming who approved it, why and when, covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Final

LEGAL_EARLIEST: Final = time(8, 0)  # 8 am in the called party's local time
LEGAL_LATEST: Final = time(21, 0)  # 9 pm, exclusive: 20:59:59 is the last second open
ABANDON_LIMIT: Final = 0.03  # abandoned / live answers, per campaign
CONNECT_SECONDS: Final = 2.0  # an agent within 2 s of the completed greeting, or abandoned
MIN_RING_SECONDS: Final = 15.0  # an unanswered call rings at least 15 s (or 4 rings)
US_ABANDON_PERIOD: Final = timedelta(days=30)  # the FCC's measurement period
UK_ABANDON_PERIOD: Final = timedelta(hours=24)  # Ofcom's
UK_NO_REDIAL_AFTER_ABANDON: Final = timedelta(hours=72)  # without a live agent on the call
UK_AMD_INTERVAL: Final = timedelta(hours=24)  # answer-machine detection once per number


class IllegalSetting(ValueError):
    """A setting that is impossible or beyond the law without an override covering it.

    `field` names the setting and `code` is stable for APIs ("illegal_setting")."""

    code = "illegal_setting"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Rule(StrEnum):
    """A legal limit an override may widen."""

    CALLING_WINDOW = "calling_window"
    ABANDON_LIMIT = "abandon_limit"
    CONNECT_SECONDS = "connect_seconds"
    MIN_RING_SECONDS = "min_ring_seconds"


@dataclass(frozen=True)
class LegalOverride:
    """An explicit, audited permission to go past one legal default, as far as `value`.

    value: for CALLING_WINDOW the widest (earliest, latest) window allowed; for ABANDON_LIMIT
    and CONNECT_SECONDS the highest value allowed; for MIN_RING_SECONDS the lowest. The
    approver, the reason and a reference (a legal opinion, a ticket) go into the audit log.
    """

    rule: Rule
    value: float | tuple[time, time]
    approved_by: str
    reason: str
    reference: str
    approved_at: datetime

    def __post_init__(self) -> None:
        for name in ("approved_by", "reason", "reference"):
            if not str(getattr(self, name)).strip():
                raise IllegalSetting(f"override.{name}", "an override must say who, why and where")
        if self.approved_at.utcoffset() is None:
            raise IllegalSetting("override.approved_at", "must be timezone-aware")
        if self.rule is Rule.CALLING_WINDOW:
            if not (isinstance(self.value, tuple) and len(self.value) == 2):
                raise IllegalSetting("override.value", "a calling-window override is (start, end)")
            if not self.value[0] < self.value[1]:
                raise IllegalSetting("override.value", "the window must start before it ends")
        elif isinstance(self.value, tuple) or not self.value > 0:
            raise IllegalSetting("override.value", f"{self.rule} needs a positive number")

    def audit_record(self) -> dict[str, str]:
        """What the audit log keeps of this override."""
        value = self.value
        shown = f"{value[0]}-{value[1]}" if isinstance(value, tuple) else f"{value:g}"
        return {
            "rule": str(self.rule),
            "value": shown,
            "approved_by": self.approved_by,
            "reason": self.reason,
            "reference": self.reference,
            "approved_at": self.approved_at.isoformat(),
        }


def override_for(rule: Rule, overrides: tuple[LegalOverride, ...]) -> LegalOverride | None:
    """The override of `rule` among `overrides` (at most one may be given per rule)."""
    found = [o for o in overrides if o.rule is rule]
    if len(found) > 1:
        raise IllegalSetting(str(rule), "give at most one override per rule")
    return found[0] if found else None
