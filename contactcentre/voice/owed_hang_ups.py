"""Hang-ups owed to the carrier: written down before the call is ended on our side, crossed off
once the carrier has dropped the leg, asked for again by the router's sweep if neither happened.

An agent's hang-up marks the call ended (the interaction completed, the agent freed), then asks
the carrier to drop the caller. A web process killed between the two left the caller on the
line with nobody, for good: nothing else asks again, and the reconciliation of unsettled calls
looks only at calls not yet live (the fault suite's web scenario counted it as a stuck call).
"""

from __future__ import annotations

import logging
import time

import redis

from contactcentre.telephony.port import NotOnTheCall, TelephonyError
from contactcentre.voice.context import VoiceContext

log = logging.getLogger(__name__)

OWED = "cc:voice:hang_ups_owed"
# The request that owes it is still at it this long; the sweep asks only after.
GRACE_SECONDS = 5.0
# The carrier's answer for a leg that has ended already (Twilio 21220 "not in-progress").
GONE_STATUSES = (400, 404)


def owe(client: redis.Redis, call_sid: str, now: float | None = None) -> None:
    """Before anything makes the hang-up look done (kept at its first time if owed already)."""
    if call_sid:
        client.zadd(OWED, {call_sid: time.time() if now is None else now}, nx=True)


def hang_up(ctx: VoiceContext, call_sid: str) -> bool:
    """Ask the carrier to drop the leg; True once it is gone (dropped now or ended already).
    Left owed when the carrier could not be reached: the sweep asks again."""
    if not call_sid:
        return True
    try:
        ctx.telephony.hang_up(call_sid)
    except NotOnTheCall:
        pass  # the carrier does not know the leg: nothing left to drop
    except TelephonyError as exc:
        if exc.status not in GONE_STATUSES:
            log.warning("could not hang up %s (%s); the sweep asks again", call_sid, exc)
            return False
        log.debug("leg %s already gone: %s", call_sid, exc)
    ctx.redis.zrem(OWED, call_sid)
    return True


def redo_owed_hang_ups(ctx: VoiceContext, now: float) -> int:
    """The router's sweep: every hang-up owed for longer than the grace; how many it settled."""
    due = ctx.redis.zrangebyscore(OWED, "-inf", now - GRACE_SECONDS, start=0, num=100)
    settled = 0
    for member in due:
        call_sid = member.decode() if isinstance(member, bytes) else str(member)
        log.warning("hang-up of %s was owed to the carrier; asking again", call_sid)
        settled += hang_up(ctx, call_sid)
    return settled
