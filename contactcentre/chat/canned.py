"""Canned responses: an agent's one-pick replies, with the conversation's values filled in.

A placeholder with no value (say, no order number yet) is left visible, in braces, so the
agent sees what to type instead of sending a sentence with a hole in it.
"""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(r"\{(customer_name|agent_name|order_number)\}")
VARIABLES = ("customer_name", "agent_name", "order_number")


def render(body: str, values: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return str(value) if value not in (None, "") else match.group(0)

    return PLACEHOLDER.sub(fill, body)


def unknown_placeholders(body: str) -> list[str]:
    """Names in braces that are not variables (likely typos), for the admin API to refuse."""
    return [name for name in re.findall(r"\{([a-z_]+)\}", body) if name not in VARIABLES]
