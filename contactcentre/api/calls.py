"""/api/v1/calls: call control for the agent console (click-to-dial, hold, mute, hang up,
transfers, recording, the Voice SDK token and the live call state) and supervision of live calls
for the supervisor's board (monitor, whisper, barge, leave). Rules live in the services."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from flask import current_app
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, model_validator

from contactcentre.api.customer_access import refuse_unseen_customer
from contactcentre.auth.access import api_user, require_api_role
from contactcentre.errors import ApiError, not_found
from contactcentre.store.models import Agent, Interaction, Queue, Role
from contactcentre.telephony.port import TelephonyError
from contactcentre.voice import controls, recording, supervision, transfers
from contactcentre.voice.call_state import LiveCall
from contactcentre.voice.click_to_dial import DialError, dialable_number, place_call
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.tokens import voice_token
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id

log = logging.getLogger(__name__)
api = APIBlueprint(
    "calls", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="calls")], abp_security=SECURITY
)


class DialIn(Body):
    customer_id: Id | None = Field(None, description="dial this customer's primary number")
    number: str | None = Field(None, min_length=3, max_length=32, description="or this number")

    @model_validator(mode="after")
    def _one_target(self) -> DialIn:
        if (self.customer_id is None) == (self.number is None):
            raise ValueError("give exactly one of customer_id or number")
        return self


class DialOut(BaseModel):
    interaction_id: str
    call_sid: str


class TokenOut(BaseModel):
    token: str
    identity: str
    expires_in: int = Field(description="seconds")


class CallPath(BaseModel):
    interaction_id: str = Field(max_length=36)


class SwitchIn(Body):
    on: bool


class TransferIn(Body):
    mode: Literal["cold", "warm"]
    queue_id: Id | None = None
    agent_id: Id | None = None
    number: str | None = Field(None, min_length=3, max_length=32)

    @model_validator(mode="after")
    def _one_target(self) -> TransferIn:
        if sum(v is not None for v in (self.queue_id, self.agent_id, self.number)) != 1:
            raise ValueError("give exactly one of queue_id, agent_id or number")
        return self


class SupervisionIn(Body):
    mode: Literal["monitor", "whisper", "barge"] = Field(
        description="monitor: muted, nobody hears you; whisper: only the agent hears you; "
        "barge: everyone hears you"
    )
    device: str | None = Field(
        None,
        min_length=3,
        max_length=32,
        description="a phone number to ring instead of your softphone (client:supervisor_<user "
        "id>); used when you join, ignored when you switch modes",
    )


class SupervisionOut(BaseModel):
    interaction_id: str
    mode: str | None = Field(description="null when you are not on the call")
    call_sid: str | None = Field(description="your participant's call leg")
    device: str | None = Field(description="softphone or phone")


class ParticipantOut(BaseModel):
    role: str
    call_sid: str
    agent_id: int | None = None
    on_hold: bool | None = None
    muted: bool | None = None


class CallStateOut(BaseModel):
    """What the console's call_state events carry too (without started_at)."""

    status: str = Field(
        description="connecting (the agent's leg rings), connected, transferring, ended; "
        "ivr, queued or callback while no agent has the call"
    )
    on_hold: bool
    muted: bool
    recording: bool
    participants: list[ParticipantOut]
    agent_id: int | None = Field(description="the agent the call is with now")
    version: int = Field(
        description="rises with every change: of a fetched and a pushed state, the higher is newer"
    )
    started_at: str | None


def _voice() -> VoiceContext:
    context: VoiceContext = current_app.extensions["voice"]
    return context


def _own_agent() -> Agent:
    agent: Agent | None = api_user().agent
    if agent is None:
        raise ApiError(403, "not_an_agent", "only users with an agent profile handle calls")
    return agent


def _actor() -> str:
    user = api_user()
    return f"agent:{user.agent.id}" if user.agent is not None else f"user:{user.id}"


def _handled_call(interaction_id: str) -> tuple[Interaction, LiveCall | None]:
    """The interaction and its live call, if the caller handles it (or supervises)."""
    ctx = _voice()
    with ctx.db.session() as session:
        interaction = session.get(Interaction, interaction_id)
        if interaction is None or interaction.channel not in ("voice", "outbound"):
            raise not_found("call", interaction_id, "interaction_id")
    call = ctx.calls.get(interaction_id)
    user = api_user()
    if not user.has_role(Role.SUPERVISOR):
        own = str(user.agent.id) if user.agent is not None else None
        handlers = {str(interaction.agent_id)} | ({call.agent_id} if call else set())
        if own is None or own not in handlers:
            raise ApiError(403, "forbidden", "this call is not yours", "interaction_id")
    return interaction, call


def _live_call(interaction_id: str) -> LiveCall:
    _, call = _handled_call(interaction_id)
    if call is None:
        raise ApiError(409, "call_not_live", "the call has ended", "interaction_id")
    return call


def _act(interaction_id: str, action: Callable[[VoiceContext, LiveCall], None]) -> Any:
    call = _live_call(interaction_id)
    try:
        action(_voice(), call)
    except (
        controls.CallNotLive,
        transfers.TransferConflict,
        recording.RecordingConflict,
    ) as exc:
        raise ApiError(409, "call_state", str(exc), "interaction_id") from None
    except TelephonyError as exc:
        raise _refused(exc) from None
    return _state(interaction_id)


def _refused(exc: TelephonyError) -> ApiError:
    """The carrier's refusal in words an agent can act on; its own text goes to the log only
    (it names URLs and SIDs the console has no use for)."""
    log.warning("carrier refused a call action: %s", exc)
    where = f" (carrier status {exc.status})" if exc.status else ""
    return ApiError(
        409, "telephony", f"the phone network refused this action{where}; try again", None
    )


def _state(interaction_id: str) -> dict[str, Any]:
    ctx = _voice()
    with ctx.db.session() as session:
        interaction = session.get(Interaction, interaction_id)
        assert interaction is not None
        return controls.live_state(session, ctx.calls.get(interaction_id), interaction)


@api.post("/calls", responses={201: DialOut, **ERRORS})
@require_api_role(Role.AGENT)
def dial(body: DialIn) -> Any:
    agent = _own_agent()
    if body.customer_id is not None:
        refuse_unseen_customer(body.customer_id)  # an agent dials only customers they may see
    try:
        placed = place_call(_voice(), agent, body.customer_id, body.number)
    except DialError as exc:
        raise ApiError(422, "validation_error", str(exc), exc.field) from None
    except TelephonyError as exc:
        raise _refused(exc) from None
    return {"interaction_id": placed.interaction_id, "call_sid": placed.call_sid}, 201


@api.get("/calls/token", responses={200: TokenOut, **ERRORS})
@require_api_role(Role.AGENT)
def token() -> Any:
    issued = voice_token(_voice().settings, _own_agent().id)
    return {"token": issued.token, "identity": issued.identity, "expires_in": issued.expires_in}


@api.get("/calls/<interaction_id>", responses={200: CallStateOut, **ERRORS})
@require_api_role(Role.AGENT)
def call_state(path: CallPath) -> Any:
    _handled_call(path.interaction_id)
    return _state(path.interaction_id)


@api.post("/calls/<interaction_id>/hold", responses={200: CallStateOut, **ERRORS})
@require_api_role(Role.AGENT)
def hold(path: CallPath, body: SwitchIn) -> Any:
    return _act(path.interaction_id, lambda ctx, call: controls.hold(ctx, call, body.on))


@api.post("/calls/<interaction_id>/mute", responses={200: CallStateOut, **ERRORS})
@require_api_role(Role.AGENT)
def mute(path: CallPath, body: SwitchIn) -> Any:
    return _act(path.interaction_id, lambda ctx, call: controls.mute(ctx, call, body.on))


@api.post("/calls/<interaction_id>/hangup", responses={200: CallStateOut, **ERRORS})
@require_api_role(Role.AGENT)
def hangup(path: CallPath) -> Any:
    return _act(path.interaction_id, controls.hang_up)


@api.post("/calls/<interaction_id>/recording", responses={200: CallStateOut, **ERRORS})
@require_api_role(Role.AGENT)
def set_recording(path: CallPath, body: SwitchIn) -> Any:
    actor = _actor()
    return _act(
        path.interaction_id,
        lambda ctx, call: recording.set_recording(ctx, call, body.on, actor),
    )


@api.post("/calls/<interaction_id>/transfer", responses={200: CallStateOut, **ERRORS})
@require_api_role(Role.AGENT)
def transfer(path: CallPath, body: TransferIn) -> Any:
    ctx = _voice()
    with ctx.db.session() as session:
        if body.queue_id is not None and session.get(Queue, body.queue_id) is None:
            raise ApiError(422, "validation_error", f"no queue with id {body.queue_id}", "queue_id")
        if body.agent_id is not None and session.get(Agent, body.agent_id) is None:
            raise ApiError(422, "validation_error", f"no agent with id {body.agent_id}", "agent_id")
    number = None
    if body.number is not None:
        from contactcentre.voice.click_to_dial import dialable_number

        try:
            number = dialable_number(body.number, ctx.settings.default_phone_region)
        except DialError as exc:
            raise ApiError(422, "validation_error", str(exc), exc.field) from None
    target = transfers.TransferTarget(body.queue_id, body.agent_id, number)
    start = transfers.cold if body.mode == "cold" else transfers.warm
    actor = _actor()
    return _act(path.interaction_id, lambda c, call: start(c, call, target, actor))


@api.post("/calls/<interaction_id>/transfer/complete", responses={200: CallStateOut, **ERRORS})
@require_api_role(Role.AGENT)
def transfer_complete(path: CallPath) -> Any:
    actor = _actor()
    return _act(path.interaction_id, lambda c, call: transfers.complete(c, call, actor))


@api.post("/calls/<interaction_id>/transfer/cancel", responses={200: CallStateOut, **ERRORS})
@require_api_role(Role.AGENT)
def transfer_cancel(path: CallPath) -> Any:
    actor = _actor()
    return _act(path.interaction_id, lambda c, call: transfers.cancel(c, call, actor))


def _supervision_body(interaction_id: str, found: supervision.Supervision | None) -> dict[str, Any]:
    if found is None:
        return {"interaction_id": interaction_id, "mode": None, "call_sid": None, "device": None}
    return {"interaction_id": interaction_id, **found.to_dict()}


def _supervise(interaction_id: str, action: Callable[[VoiceContext, LiveCall], Any]) -> Any:
    call = _live_call(interaction_id)
    try:
        return action(_voice(), call)
    except supervision.SupervisionConflict as exc:
        raise ApiError(409, "call_state", str(exc), "interaction_id") from None
    except TelephonyError as exc:
        raise _refused(exc) from None


@api.get("/calls/<interaction_id>/supervision", responses={200: SupervisionOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def supervision_state(path: CallPath) -> Any:
    """Whether you are on this call, and in which mode."""
    _handled_call(path.interaction_id)
    found = supervision.current(_voice(), path.interaction_id, api_user().id)
    return _supervision_body(path.interaction_id, found)


@api.post("/calls/<interaction_id>/supervision", responses={200: SupervisionOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def supervise(path: CallPath, body: SupervisionIn) -> Any:
    """Join a call connected to an agent (monitor, whisper or barge), or switch mode; audited."""
    phone = None
    if body.device is not None:
        try:
            phone = dialable_number(body.device, _voice().settings.default_phone_region)
        except DialError as exc:
            raise ApiError(422, "validation_error", str(exc), "device") from None
    user_id = api_user().id
    found = _supervise(
        path.interaction_id,
        lambda ctx, call: supervision.supervise(ctx, call, user_id, body.mode, phone),
    )
    return _supervision_body(path.interaction_id, found)


@api.delete("/calls/<interaction_id>/supervision", responses={204: None, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def leave_supervision(path: CallPath) -> Any:
    """Leave the call; the caller and the agent go on. Audited."""
    user_id = api_user().id
    _supervise(path.interaction_id, lambda ctx, call: supervision.leave(ctx, call, user_id))
    return "", 204
