"""The Twilio webhooks under /twilio: signed (403 otherwise), well formed (400 naming the parameter
otherwise), idempotent (a retry gets the first answer and changes nothing), and tolerant (unknown
or late callbacks are logged and answered)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, Response, current_app, request

from contactcentre.errors import error_response
from contactcentre.voice import (
    agent_legs,
    call_outcomes,
    conference_events,
    hangups,
    inbound,
    machine_detection,
    queue,
    recording,
    twiml,
)
from contactcentre.voice.context import VoiceContext, build_voice_context
from contactcentre.voice.params import BadParameter, check, step_number
from contactcentre.voice.replies import StillProcessing, request_key
from contactcentre.voice.signature import twilio_signed
from contactcentre.voice.urls import PREFIX

log = logging.getLogger(__name__)
bp = Blueprint("twilio", __name__, url_prefix=PREFIX)
F = TypeVar("F", bound=Callable[..., Any])
TWIML = "text/xml"


def voice_context(app: Flask | None = None) -> VoiceContext:
    context: VoiceContext = (app or current_app).extensions["voice"]
    return context


def init_voice(app: Flask) -> None:
    """Load and check the IVR flow (a broken one stops start-up) and mount the webhooks."""
    from contactcentre.extensions import csrf

    app.extensions["voice"] = build_voice_context(app.extensions["contactcentre"], with_flow=True)
    csrf.exempt(bp)  # Twilio cannot send a CSRF token; the signature authenticates it instead
    app.register_blueprint(bp)


def _params() -> dict[str, str]:
    return request.form.to_dict() if request.method == "POST" else request.args.to_dict()


def well_formed(view: F) -> F:
    """Refuse (400, naming the parameter) a signed request with a value Twilio never sends."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            check(_params())
        except BadParameter as exc:
            return _refused(exc)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def webhook(mimetype: str = TWIML) -> Callable[[F], F]:
    """Signature and shape checks, then the first answer to this request is also every retry's
    answer (a retry waiting too long for it gets 503 and Retry-After, and Twilio tries again)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @twilio_signed
        @well_formed
        def wrapped(*args: Any, **kwargs: Any) -> Response:
            params = _params()
            key = request_key(
                request.headers.get("I-Twilio-Idempotency-Token"),
                request.path + "?" + request.query_string.decode(),
                params,
            )
            try:
                body = voice_context().replies.once(
                    key, lambda: view(params, *args, **kwargs) or ""
                )
            except BadParameter as exc:  # found by the view (our own URL's query)
                return _refused(exc)
            except StillProcessing as exc:
                log.warning("webhook %s still being processed; retry asked for", request.path)
                busy = error_response(503, "still_processing", str(exc))
                busy.headers["Retry-After"] = str(exc.retry_after)
                return busy
            status = 200 if body or mimetype == TWIML else 204
            return Response(body, status, mimetype=mimetype)

        return cast(F, wrapped)

    return decorator


def _refused(exc: BadParameter) -> Response:
    # The message names the parameter, never its value (a caller id is personal data).
    log.warning("refused Twilio webhook %s: %s", request.path, exc)
    return error_response(400, "invalid_parameter", str(exc), exc.field)


@bp.post("/voice")
@webhook()
def incoming_call(params: dict[str, str]) -> str:
    return inbound.answer_call(voice_context(), params)


@bp.post("/ivr/<node>")
@webhook()
def ivr_answer(params: dict[str, str], node: str) -> str:
    call_sid = request.args.get("call", "")
    step = step_number(request.args.get("step", ""))
    if call_sid != params.get("CallSid"):
        return inbound.hangup_twiml()
    return inbound.answer_ivr(voice_context(), call_sid, step, params)


@bp.post("/calls/<interaction_id>/queue")
@webhook()
def queue_wait(params: dict[str, str], interaction_id: str) -> str:
    return queue.wait_twiml(voice_context(), interaction_id)


@bp.post("/calls/<interaction_id>/queue-key")
@webhook()
def queue_key(params: dict[str, str], interaction_id: str) -> str:
    return queue.key_pressed(voice_context(), interaction_id, params.get("Digits", ""))


@bp.post("/calls/<interaction_id>/exit/<kind>")
@webhook()
def queue_exit(params: dict[str, str], interaction_id: str, kind: str) -> str:
    return queue.exit_twiml(voice_context(), interaction_id, kind)


@bp.post("/calls/<interaction_id>/join")
@webhook()
def conference_join(params: dict[str, str], interaction_id: str) -> str:
    return agent_legs.join_twiml(voice_context(), interaction_id)


@bp.post("/calls/<interaction_id>/agent-leg")
@webhook()
def outbound_agent_leg(params: dict[str, str], interaction_id: str) -> str:
    from contactcentre.voice.click_to_dial import agent_leg_twiml

    return agent_leg_twiml(voice_context(), interaction_id, params)


@bp.post("/calls/<interaction_id>/customer-leg")
@webhook()
def outbound_customer_leg(params: dict[str, str], interaction_id: str) -> str:
    return machine_detection.customer_leg_twiml(voice_context(), interaction_id, params)


@bp.post("/calls/<interaction_id>/voicemail")
@webhook()
def voicemail(params: dict[str, str], interaction_id: str) -> str:
    recording.voicemail_left(voice_context(), interaction_id, params)
    return inbound.hangup_twiml()


@bp.post("/calls/<interaction_id>/transfer-done")
@webhook()
def ivr_transfer_done(params: dict[str, str], interaction_id: str) -> str:
    return call_outcomes.external_transfer_done(voice_context(), interaction_id, params)


@bp.post("/status")
@webhook(mimetype="text/plain")
def call_status(params: dict[str, str]) -> str:
    if request.args.get("role") == "agent" and request.args.get("interaction"):
        # An agent leg names its interaction: one whose CallSid we never learnt is ours.
        agent_legs.adopt_unknown(
            voice_context(), request.args["interaction"], params.get("CallSid", "")
        )
    if params.get("CallStatus") in hangups.ENDED_STATUSES:
        hangups.leg_ended(voice_context(), params.get("CallSid", ""), params["CallStatus"])
    return ""


@bp.post("/conference-events")
@webhook(mimetype="text/plain")
def conference_status(params: dict[str, str]) -> str:
    conference_events.conference_event(voice_context(), params)
    return ""


@bp.post("/recording-status")
@webhook(mimetype="text/plain")
def recording_status(params: dict[str, str]) -> str:
    recording.recording_status(voice_context(), params)
    return ""


@bp.post("/amd")
@webhook(mimetype="text/plain")
def amd_result(params: dict[str, str]) -> str:
    machine_detection.amd_status(voice_context(), params)
    return ""


@bp.route("/hold-music", methods=["GET", "POST"])
@twilio_signed
@well_formed
def hold_music() -> Response:
    return Response(twiml.hold_music(voice_context().settings.voice_hold_music_url), mimetype=TWIML)


@bp.route("/consent", methods=["GET", "POST"])
@twilio_signed
@well_formed
def consent() -> Response:
    consent_notice = twiml.Sentence(voice_context().settings.voice_recording_consent)
    return Response(twiml.announce(consent_notice), mimetype=TWIML)
