"""The REST API subset as a Flask app: Calls, Conferences, Participants and Recordings.

It answers like api.twilio.com (HTTP Basic auth with AccountSid/AuthToken or an API key, Twilio's
JSON and error bodies), so the real twilio.rest.Client can be pointed at it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from . import defaults, sids
from .carrier import Carrier
from .conference import Conference, Participant
from .conference_leg import JoinOptions, join, participant_program
from .dialpad import register_dialpad
from .exceptions import RestError
from .legs import Amd
from .serializers import call_json, conference_json, page, participant_json, recording_json

PREFIX = f"/{defaults.API_VERSION}/Accounts/<account_sid>"


def _bool(name: str, default: bool | None = None) -> bool | None:
    value = request.form.get(name)
    return default if value is None else value.strip().lower() == "true"


def _required(name: str, code: int) -> str:
    value = request.form.get(name, "").strip()
    if not value:
        raise RestError(400, code, f"Required parameter {name} missing.")
    return value


def _error(status: int, code: int, message: str) -> Response:
    response = jsonify(
        {
            "code": code,
            "message": message,
            "more_info": defaults.MORE_INFO.format(code=code),
            "status": status,
        }
    )
    response.status_code = status
    return response


def _paged(key: str, items: list[dict[str, Any]]) -> Response:
    size = max(1, min(1000, int(request.args.get("PageSize", 50))))
    number = max(0, int(request.args.get("Page", 0)))
    return jsonify(page(key, items, request.path, number, size))


def _authorized(carrier: Carrier, account_sid: str) -> bool:
    auth = request.authorization
    if auth is None or auth.username is None or auth.password is None:
        return False
    if account_sid != carrier.account_sid:
        return False
    if auth.username == carrier.account_sid:
        return hmac.compare_digest(auth.password, carrier.auth_token)
    secret = carrier.api_keys.get(auth.username)
    return secret is not None and hmac.compare_digest(auth.password, secret)


def create_rest_app(carrier: Carrier) -> Flask:
    """The emulator's api.twilio.com, bound to one carrier (one account)."""
    app = Flask("twilio_emulator")

    @app.errorhandler(RestError)
    def rest_error(exc: RestError) -> Response:
        return _error(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = defaults.ERR_NOT_FOUND if status == 404 else status
        return _error(
            status,
            code,
            f"The requested resource {request.path} was not found"
            if status == 404
            else str(exc.description),
        )

    @app.before_request
    def authenticate() -> Response | None:
        args = request.view_args or {}
        if request.endpoint in (None, "recording_media") or "account_sid" not in args:
            return None
        if not _authorized(carrier, str(args["account_sid"])):
            return _error(401, defaults.ERR_AUTH, "Authenticate")
        return None

    @app.after_request
    def held(response: Response) -> Response:
        # The carrier has acted already; only its answer waits (see rest_delays).
        client = (str(request.remote_addr or ""), int(request.environ.get("REMOTE_PORT") or 0))
        carrier.rest_delays.hold(request.method, request.path, client)
        return response

    _calls_api(app, carrier)
    _conferences_api(app, carrier)
    _participants_api(app, carrier)
    _recordings_api(app, carrier)
    _call_recordings_api(app, carrier)
    register_dialpad(app, carrier)
    return app


def _conference_or_404(carrier: Carrier, sid: str) -> Conference:
    conference = carrier.conferences.get(sid)
    if conference is None:
        raise RestError(
            404, defaults.ERR_NOT_FOUND, f"The requested resource {request.path} was not found"
        )
    return conference


def _participant_or_404(carrier: Carrier, conference: Conference, key: str) -> Participant:
    with carrier.cond:
        participant = conference.participants.get(key) or next(
            (p for p in conference.participants.values() if p.label == key), None
        )
    if participant is None:
        raise RestError(
            404, defaults.ERR_NOT_FOUND, f"The requested resource {request.path} was not found"
        )
    return participant


def _calls_api(app: Flask, carrier: Carrier) -> None:
    """Calls: list, create (with AMD), fetch, update (redirect or end)."""

    @app.get(f"{PREFIX}/Calls.json")
    def list_calls(account_sid: str) -> Response:
        calls = carrier.list_calls()
        filters: dict[str, Callable[[Any], str | None]] = {
            "To": lambda c: c.to,
            "From": lambda c: c.from_,
            "Status": lambda c: str(c.status),
            "ParentCallSid": lambda c: c.parent_call_sid,
        }
        for name, getter in filters.items():
            if name in request.args:
                calls = [c for c in calls if getter(c) == request.args[name]]
        with carrier.cond:
            return _paged("calls", [call_json(c) for c in calls])

    @app.post(f"{PREFIX}/Calls.json")
    def create_call(account_sid: str) -> tuple[Response, int]:
        to = _required("To", defaults.ERR_MISSING_TO)
        from_ = _required("From", defaults.ERR_MISSING_FROM)
        url, twiml = request.form.get("Url"), request.form.get("Twiml")
        if not url and not twiml:
            raise RestError(400, defaults.ERR_MISSING_URL, "Either Url or Twiml is required.")
        amd = None
        if request.form.get("MachineDetection"):
            amd = Amd(
                request.form["MachineDetection"],
                bool(_bool("AsyncAmd", False)),
                request.form.get("AsyncAmdStatusCallback"),
                request.form.get("AsyncAmdStatusCallbackMethod", "POST"),
            )
        # Hold the lock so the response shows the call as Twilio does: queued, not yet ringing.
        with carrier.cond:
            call = carrier.create_call(
                to=to,
                from_=from_,
                url=url,
                twiml=twiml,
                method=request.form.get("Method", "POST"),
                status_callback=request.form.get("StatusCallback"),
                status_callback_events=request.form.getlist("StatusCallbackEvent"),
                status_callback_method=request.form.get("StatusCallbackMethod", "POST"),
                timeout=float(request.form.get("Timeout", defaults.OUTBOUND_RING_TIMEOUT)),
                amd=amd,
                record=bool(_bool("Record", False)),
                recording_status_callback=request.form.get("RecordingStatusCallback"),
            )
            return jsonify(call_json(call)), 201

    @app.route(f"{PREFIX}/Calls/<sid>.json", methods=["GET", "POST"])
    def call_resource(account_sid: str, sid: str) -> Response:
        if request.method == "POST":
            call = carrier.update_call(
                sid,
                url=request.form.get("Url"),
                method=request.form.get("Method", "POST"),
                twiml=request.form.get("Twiml"),
                status=request.form.get("Status"),
            )
        else:
            found = carrier.get_call(sid)
            if found is None:
                raise RestError(
                    404,
                    defaults.ERR_NOT_FOUND,
                    f"The requested resource {request.path} was not found",
                )
            call = found
        with carrier.cond:
            return jsonify(call_json(call))


def _conferences_api(app: Flask, carrier: Carrier) -> None:
    """Conferences: list, fetch, update (announce, end)."""

    @app.get(f"{PREFIX}/Conferences.json")
    def list_conferences(account_sid: str) -> Response:
        conferences = carrier.conferences.list()
        if "FriendlyName" in request.args:
            conferences = [
                c for c in conferences if c.friendly_name == request.args["FriendlyName"]
            ]
        if "Status" in request.args:
            conferences = [c for c in conferences if c.status == request.args["Status"]]
        with carrier.cond:
            return _paged("conferences", [conference_json(c) for c in conferences])

    @app.route(f"{PREFIX}/Conferences/<sid>.json", methods=["GET", "POST"])
    def conference_resource(account_sid: str, sid: str) -> Response:
        conference = _conference_or_404(carrier, sid)
        if request.method == "POST":
            with carrier.cond:
                if request.form.get("AnnounceUrl"):
                    for p in conference.participants.values():
                        p.announcements.append(
                            (
                                request.form["AnnounceUrl"],
                                request.form.get("AnnounceMethod", "POST"),
                            )
                        )
                    carrier.cond.notify_all()
                if request.form.get("Status") == "completed":
                    carrier.conferences.end(conference, "conference-ended-via-api")
        with carrier.cond:
            return jsonify(conference_json(conference))


def _participants_api(app: Flask, carrier: Carrier) -> None:
    """Participants: list, create (dial into a conference), fetch, update, kick."""

    @app.get(f"{PREFIX}/Conferences/<sid>/Participants.json")
    def list_participants(account_sid: str, sid: str) -> Response:
        conference = _conference_or_404(carrier, sid)
        with carrier.cond:
            items = [participant_json(conference, p) for p in conference.participants.values()]
            for name, field in (("Muted", "muted"), ("Hold", "hold"), ("Coaching", "coaching")):
                if name in request.args:
                    wanted = request.args[name].lower() == "true"
                    items = [i for i in items if i[field] == wanted]
            return _paged("participants", items)

    @app.post(f"{PREFIX}/Conferences/<sid>/Participants.json")
    def create_participant(account_sid: str, sid: str) -> tuple[Response, int]:
        to = _required("To", defaults.ERR_MISSING_TO)
        from_ = _required("From", defaults.ERR_MISSING_FROM)
        if sid.startswith(sids.CONFERENCE) and sids.is_sid(sid, sids.CONFERENCE):
            _conference_or_404(carrier, sid)
        options = JoinOptions(
            muted=bool(_bool("Muted", False)),
            beep=request.form.get("Beep", "true"),
            start_conference_on_enter=bool(_bool("StartConferenceOnEnter", True)),
            end_conference_on_exit=bool(_bool("EndConferenceOnExit", False)),
            wait_url=request.form.get("WaitUrl"),
            wait_method=request.form.get("WaitMethod", "POST"),
            coaching=bool(_bool("Coaching", False)),
            call_sid_to_coach=request.form.get("CallSidToCoach"),
            label=request.form.get("Label"),
            status_callback=request.form.get("ConferenceStatusCallback"),
            status_callback_method=request.form.get("ConferenceStatusCallbackMethod", "POST"),
            status_callback_events=frozenset(
                e for v in request.form.getlist("ConferenceStatusCallbackEvent") for e in v.split()
            ),
        )
        if options.coaching and not options.call_sid_to_coach:
            raise RestError(
                400, defaults.ERR_INVALID_PARAM, "CallSidToCoach is required when Coaching is true."
            )
        holder: dict[str, tuple[Conference, Participant]] = {}

        def program(call: Any) -> None:
            participant_program(carrier, *holder["joined"])(call)

        with carrier.cond:  # hold the lock so the leg cannot answer before it is a participant
            call = carrier.create_call(
                to=to,
                from_=from_,
                program=program,
                status_callback=request.form.get("StatusCallback"),
                status_callback_events=[
                    e for v in request.form.getlist("StatusCallbackEvent") for e in v.split()
                ],
                status_callback_method=request.form.get("StatusCallbackMethod", "POST"),
                timeout=float(request.form.get("Timeout", defaults.OUTBOUND_RING_TIMEOUT)),
            )
            holder["joined"] = join(carrier, call, sid, options)
            conference, participant = holder["joined"]
            return jsonify(participant_json(conference, participant)), 201

    @app.route(
        f"{PREFIX}/Conferences/<sid>/Participants/<key>.json", methods=["GET", "POST", "DELETE"]
    )
    def participant_resource(account_sid: str, sid: str, key: str) -> Response | tuple[str, int]:
        conference = _conference_or_404(carrier, sid)
        participant = _participant_or_404(carrier, conference, key)
        if request.method == "DELETE":
            carrier.conferences.leave(participant.call_sid, "kicked")
            return "", 204
        if request.method == "POST":
            if _bool("Coaching") and not (
                request.form.get("CallSidToCoach") or participant.call_sid_to_coach
            ):
                raise RestError(
                    400,
                    defaults.ERR_INVALID_PARAM,
                    "CallSidToCoach is required when Coaching is true.",
                )
            carrier.conferences.update(
                conference,
                participant,
                muted=_bool("Muted"),
                hold=_bool("Hold"),
                hold_url=request.form.get("HoldUrl"),
                hold_method=request.form.get("HoldMethod"),
                coaching=_bool("Coaching"),
                call_sid_to_coach=request.form.get("CallSidToCoach"),
                announce_url=request.form.get("AnnounceUrl"),
                announce_method=request.form.get("AnnounceMethod", "POST"),
            )
            if _bool("EndConferenceOnExit") is not None:
                with carrier.cond:
                    participant.end_conference_on_exit = bool(_bool("EndConferenceOnExit"))
        with carrier.cond:
            return jsonify(participant_json(conference, participant))


def _recordings_api(app: Flask, carrier: Carrier) -> None:
    """Recordings: list, fetch, and the media file itself."""

    @app.get(f"{PREFIX}/Recordings.json")
    def list_recordings(account_sid: str) -> Response:
        items = carrier.recordings.all()
        if "CallSid" in request.args:
            items = [r for r in items if r.call_sid == request.args["CallSid"]]
        return _paged("recordings", [recording_json(r) for r in reversed(items)])

    @app.get(f"{PREFIX}/Recordings/<sid>.json")
    def recording_resource(account_sid: str, sid: str) -> Response:
        recording = carrier.recordings.get(sid)
        if recording is None:
            raise RestError(
                404, defaults.ERR_NOT_FOUND, f"The requested resource {request.path} was not found"
            )
        return jsonify(recording_json(recording))

    @app.get(f"/{defaults.API_VERSION}/Accounts/<account_sid>/Recordings/<name>")
    def recording_media(account_sid: str, name: str) -> Response:
        recording = carrier.recordings.get(name.removesuffix(".wav"))
        if recording is None or name.endswith(".mp3"):
            raise RestError(
                404, defaults.ERR_NOT_FOUND, f"The requested resource {request.path} was not found"
            )
        return Response(recording.wav(), mimetype="audio/x-wav")


def _call_recordings_api(app: Flask, carrier: Carrier) -> None:
    """Recordings of a live call started and stopped over REST (Calls/{sid}/Recordings)."""

    @app.post(f"{PREFIX}/Calls/<call_sid>/Recordings.json")
    def start_call_recording(account_sid: str, call_sid: str) -> tuple[Response, int]:
        call = carrier.get_call(call_sid)
        if call is None:
            raise RestError(404, defaults.ERR_NOT_FOUND, f"Call {call_sid} was not found")
        with carrier.cond:
            if call.is_over:
                raise RestError(400, defaults.ERR_CALL_NOT_IN_PROGRESS, "Call is not in-progress.")
        recording = carrier.recordings.start(
            call,
            request.form.get("RecordingStatusCallback"),
            request.form.get("RecordingStatusCallbackMethod", "POST"),
        )
        return jsonify(recording_json(recording)), 201

    @app.post(f"{PREFIX}/Calls/<call_sid>/Recordings/<sid>.json")
    def update_call_recording(account_sid: str, call_sid: str, sid: str) -> Response:
        recording = carrier.recordings.get(sid)
        if recording is None or recording.call_sid != call_sid:
            raise RestError(404, defaults.ERR_NOT_FOUND, f"Recording {sid} was not found")
        status = request.form.get("Status", "")
        if status not in ("stopped", "paused", "in-progress"):
            raise RestError(400, defaults.ERR_INVALID_PARAM, f"Status {status!r} is not valid")
        if status == "stopped":
            carrier.recordings.stop(sid)
        return jsonify(recording_json(recording))
