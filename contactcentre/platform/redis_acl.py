"""The Redis ACL user a deployment's processes need, and no more: their key prefixes, their
pub/sub channels and the commands they send, as one `ACL SETUSER` (`contactcentre redis-acl`).

Every key the platform writes starts with `cc:`; RQ's own start with `rq:`, flask-limiter's
(the sign-in limit) with `LIMITS:`. Processes meet on the Socket.IO channel
(CC_SOCKETIO_CHANNEL) and RQ tells its workers commands on `rq:pubsub:<worker>`.
"""

from __future__ import annotations

KEY_PATTERNS = ("cc:*", "rq:*", "LIMITS:*")
CHANNEL_PATTERNS = ("rq:pubsub:*",)  # beside the Socket.IO channel
# Nothing @dangerous (FLUSHALL, KEYS, CONFIG, DEBUG...) but INFO, which RQ reads the server's
# version with.
COMMANDS = ("+@all", "-@dangerous", "+info")


def acl_rules(socketio_channel: str, password: str) -> list[str]:
    """The rules of `ACL SETUSER <user> ...` (or of a `user <user> ...` line in an ACL file)."""
    if not password or any(c.isspace() for c in password):
        raise ValueError("the password must be non-empty, without spaces")
    if not socketio_channel or any(c.isspace() or c in "*?[" for c in socketio_channel):
        raise ValueError("the Socket.IO channel must be a plain name (no spaces or wildcards)")
    return [
        "on",
        f">{password}",
        "resetkeys",
        *(f"~{pattern}" for pattern in KEY_PATTERNS),
        "resetchannels",
        f"&{socketio_channel}",
        *(f"&{pattern}" for pattern in CHANNEL_PATTERNS),
        *COMMANDS,
    ]
