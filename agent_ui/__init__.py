"""Server-rendered screens: sign-in, the overview, and (as they land) the agent and supervisor
consoles and the customer chat widget. No build step; vendored JS only."""

from __future__ import annotations

from agent_ui import (
    accounts,  # noqa: F401  (registers the sign-ins and users pages)
    campaigns,  # noqa: F401  (registers the campaigns page)
    consoles,  # noqa: F401  (registers the console and board pages)
    planning,  # noqa: F401  (registers the planning page)
    widget,  # noqa: F401  (registers the chat widget files and demo page)
)
from agent_ui.views import bp

__all__ = ["bp"]
