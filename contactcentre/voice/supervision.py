"""A supervisor on a live call, the way Twilio Flex does it: one conference participant per
supervisor, muted to monitor, coaching the agent's leg to whisper, plainly heard to barge in.

The supervisor never becomes the interaction's agent and never ends the conference by leaving.
Who supervises which call is live state in Redis beside the call; every action is audited.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, replace
from typing import Any

import redis

from contactcentre.platform.audit import audit
from contactcentre.telephony.port import ConferenceEvents, TelephonyError
from contactcentre.voice import call_state as cs
from contactcentre.voice.context import VoiceContext

log = logging.getLogger(__name__)

MODES = ("monitor", "whisper", "barge")
ROLE = "supervisor"  # the leg's role in call_state, so its status callbacks find it
SUPERVISION_KEY = "cc:voice:supervision:"  # + interaction id -> {user id: call_sid|mode|device}
SUPERVISABLE = (cs.CONNECTED, cs.TRANSFERRING)


class SupervisionConflict(RuntimeError):
    """The call cannot be supervised now, or the supervisor is not on it."""


@dataclass(frozen=True)
class Supervision:
    """One supervisor's participant in one call. `device` is "softphone" or "phone": the
    number itself is personal data and stays out of Redis and the audit log."""

    user_id: int
    call_sid: str
    mode: str
    device: str = "softphone"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.device not in ("softphone", "phone"):
            raise ValueError(f"device must be softphone or phone, not {self.device!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "call_sid": self.call_sid, "device": self.device}


def softphone_address(user_id: int) -> str:
    """The supervisor's browser softphone, named like the agents' (client:agent_<id>)."""
    return f"client:supervisor_{user_id}"


class SupervisionStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def get(self, interaction_id: str, user_id: int) -> Supervision | None:
        raw: Any = self._redis.hget(SUPERVISION_KEY + interaction_id, str(user_id))
        return _parse(user_id, raw) if raw else None

    def all(self, interaction_id: str) -> list[Supervision]:
        raw: Any = self._redis.hgetall(SUPERVISION_KEY + interaction_id)
        return [_parse(int(user), value) for user, value in raw.items()]

    def put(self, interaction_id: str, supervision: Supervision) -> None:
        key = SUPERVISION_KEY + interaction_id
        value = f"{supervision.call_sid}|{supervision.mode}|{supervision.device}"
        pipe = self._redis.pipeline()
        pipe.hset(key, str(supervision.user_id), value)
        pipe.expire(key, cs.TTL_SECONDS)
        pipe.execute()

    def clear(self, interaction_id: str) -> list[Supervision]:
        """Everyone off the call at once; returns who was on it."""
        found = self.all(interaction_id)
        self._redis.delete(SUPERVISION_KEY + interaction_id)
        return found

    def forget(self, interaction_id: str, call_sid: str) -> Supervision | None:
        """Drop whoever's participant `call_sid` was (their leg ended or they left)."""
        for supervision in self.all(interaction_id):
            if supervision.call_sid == call_sid:
                self._redis.hdel(SUPERVISION_KEY + interaction_id, str(supervision.user_id))
                return supervision
        return None


def _parse(user_id: int, raw: str) -> Supervision:
    call_sid, mode, device = str(raw).split("|")
    return Supervision(user_id, call_sid, mode, device)


def _check_supervisable(call: cs.LiveCall) -> None:
    if call.phase not in SUPERVISABLE or not call.agent_sid or not call.conference_ref:
        raise SupervisionConflict(
            f"the call is {call.phase}; only a call connected to an agent can be supervised"
        )


def supervise(
    ctx: VoiceContext, call: cs.LiveCall, user_id: int, mode: str, phone: str | None = None
) -> Supervision:
    """Join the call in `mode`, or switch an existing participant to it. `phone` (E.164) rings
    that number instead of the softphone; it only matters when joining."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    _check_supervisable(call)
    iid = call.interaction_id
    store = SupervisionStore(ctx.redis)
    current = store.get(iid, user_id)
    # Whisper coaches the agent's leg: only the agent hears; barge and monitor coach nobody.
    coach = call.agent_sid if mode == "whisper" else ""
    if current is None:
        leg = ctx.telephony.add_participant(
            call.conference_ref,
            phone or softphone_address(user_id),
            ctx.settings.twilio_caller_id,
            label=f"supervisor_{user_id}",
            status_callback=ctx.urls.status(),
            events=ConferenceEvents(ctx.urls.conference_events()),
            end_conference_on_exit=False,
            muted=mode == "monitor",
            coach=coach or None,
        )
        ctx.calls.link_leg(leg.call_sid, iid, ROLE)
        supervision = Supervision(user_id, leg.call_sid, mode, "phone" if phone else "softphone")
    else:
        ctx.telephony.update_participant(
            call.conference_ref, current.call_sid, muted=mode == "monitor", coach=coach
        )
        supervision = replace(current, mode=mode)
    store.put(iid, supervision)
    _audit(ctx, f"call.{mode}", iid, supervision, call)
    return supervision


def leave(ctx: VoiceContext, call: cs.LiveCall, user_id: int) -> None:
    """The supervisor's participant is removed; the caller and the agent go on talking."""
    store = SupervisionStore(ctx.redis)
    current = store.get(call.interaction_id, user_id)
    if current is None:
        raise SupervisionConflict("you are not on this call")
    store.forget(call.interaction_id, current.call_sid)
    try:
        ctx.telephony.remove_participant(call.conference_ref, current.call_sid)
    except TelephonyError as exc:  # their leg ended meanwhile: gone either way
        log.info("supervisor leg %s of %s already gone: %s", current.call_sid, call.phase, exc)
    _audit(ctx, "call.leave", call.interaction_id, current, call)


def current(ctx: VoiceContext, interaction_id: str, user_id: int) -> Supervision | None:
    return SupervisionStore(ctx.redis).get(interaction_id, user_id)


def leg_ended(ctx: VoiceContext, interaction_id: str, call_sid: str) -> None:
    """A supervisor hung up (or never answered): they are no longer on the call."""
    SupervisionStore(ctx.redis).forget(interaction_id, call_sid)


def agent_replaced(ctx: VoiceContext, call: cs.LiveCall, agent_sid: str) -> None:
    """A warm transfer handed the caller to another agent: whispers now coach that agent."""
    for supervision in SupervisionStore(ctx.redis).all(call.interaction_id):
        if supervision.mode == "whisper":
            with contextlib.suppress(TelephonyError):
                ctx.telephony.update_participant(
                    call.conference_ref, supervision.call_sid, coach=agent_sid
                )


def end_all(ctx: VoiceContext, interaction_id: str) -> None:
    """The call is over (or left the contact centre): every supervisor's leg ends with it."""
    for supervision in SupervisionStore(ctx.redis).clear(interaction_id):
        with contextlib.suppress(TelephonyError):  # the conference ending may have dropped it
            ctx.telephony.hang_up(supervision.call_sid)


def _audit(
    ctx: VoiceContext, action: str, iid: str, supervision: Supervision, call: cs.LiveCall
) -> None:
    details = {**supervision.to_dict(), "agent_id": call.agent_id or None}
    with ctx.db.session() as session:
        audit(session, action, "interaction", iid, details)
