"""Secrets a mailbox refers to (its IMAP password, its webhook's key): the database holds only a
reference, `env:NAME` or `file:/path`, so a dump of it gives away no mailbox."""

from __future__ import annotations

import os
import re
from pathlib import Path

# What the mailbox API accepts as a reference (and nothing that looks like a password).
REFERENCE_PATTERN = r"^(env:[A-Za-z_][A-Za-z0-9_]{0,250}|file:/[^\x00-\x1f]{1,250})$"
_REFERENCE = re.compile(REFERENCE_PATTERN)


class SecretError(ValueError):
    """The secret reference names nothing usable."""


def is_reference(value: str) -> bool:
    return _REFERENCE.match(value) is not None


def secret_for(reference: str) -> str:
    """The secret a reference points at: `env:NAME` or `file:/path` (its first line)."""
    kind, _, name = reference.partition(":")
    if kind == "env" and name:
        value = os.environ.get(name)
        if value is None:
            raise SecretError(f"environment variable {name} is not set")
        return value
    if kind == "file" and name:
        try:
            return Path(name).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as error:
            raise SecretError(f"cannot read the secret file {name}") from error
    raise SecretError("a secret reference is env:NAME or file:/path")
