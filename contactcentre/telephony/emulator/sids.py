"""Twilio-shaped resource identifiers: a two-letter prefix and 32 lowercase hex digits.

CA calls, CF conferences, RE recordings, QU queues, AC accounts.
"""

from __future__ import annotations

import secrets

CALL = "CA"
CONFERENCE = "CF"
RECORDING = "RE"
QUEUE = "QU"
ACCOUNT = "AC"


def new_sid(prefix: str) -> str:
    """A fresh sid such as "CA" + 32 hex digits."""
    if len(prefix) != 2 or not prefix.isalpha() or not prefix.isupper():
        raise ValueError(f"sid prefix must be two upper-case letters, got {prefix!r}")
    return prefix + secrets.token_hex(16)


def is_sid(value: str, prefix: str) -> bool:
    """Whether `value` looks like a sid with this prefix."""
    rest = value[2:]
    return (
        value.startswith(prefix) and len(rest) == 32 and all(c in "0123456789abcdef" for c in rest)
    )
