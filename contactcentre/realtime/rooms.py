"""Names of namespaces, rooms and the Redis keys that hold each room's event log.

One place, so the router, web processes and tests agree on every name.
"""

from __future__ import annotations

AGENT_NS = "/agent"
SUPERVISOR_NS = "/supervisor"
CHAT_NS = "/chat"  # customers of the web chat widget
SUPERVISORS = "supervisors"  # every supervisor's socket on /supervisor

KEY_PREFIX = "cc:rt:"
SEQ = KEY_PREFIX + "seq:"  # + room -> last sequence number given out (INCR)
LOG = KEY_PREFIX + "log:"  # + room -> capped stream of envelopes, ids "<seq>-1"
LOG_MAXLEN = 500  # events a reconnecting client can catch up on, per room
# Interaction rooms live as long as the contact; their logs expire a day after the last event.
INTERACTION_LOG_TTL_SECONDS = 86_400


def agent_room(agent_id: int | str) -> str:
    return f"agent:{agent_id}"


def interaction_room(interaction_id: str) -> str:
    return f"interaction:{interaction_id}"


def queue_room(queue_id: int | str) -> str:
    return f"queue:{queue_id}"


def chat_room(conversation_id: str) -> str:
    """The customer's side of a chat conversation (on /chat); agents follow its interaction room."""
    return f"chat:{conversation_id}"


def namespace_of(room: str) -> str:
    """Agent and interaction rooms live on /agent; chat rooms on /chat; the rest on /supervisor."""
    if room.startswith("chat:"):
        return CHAT_NS
    return AGENT_NS if room.startswith(("agent:", "interaction:")) else SUPERVISOR_NS
