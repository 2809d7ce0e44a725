"""The Telephony port on the twilio SDK. With a base URL (the emulator) the SDK's own requests
are re-addressed there; everything else is twilio-python unchanged."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from contactcentre.telephony.port import ConferenceEvents, Leg, NotOnTheCall, TelephonyError

HTTP_TIMEOUT_SECONDS = 10
# The SDK logs every request and response, headers and callers' numbers included, at INFO: on
# a logger of ours held at WARNING, so a production INFO log carries no personal data.
SDK_LOG = logging.getLogger("contactcentre.telephony.sdk")
SDK_LOG.setLevel(logging.WARNING)


class RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends what the SDK addresses to https://*.twilio.com to `base_url` instead."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        if (parts.hostname or "").endswith("twilio.com"):
            base = urlsplit(self.base_url)
            url = urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


def twilio_client(account_sid: str, auth_token: str, base_url: str | None) -> Client:
    http = (
        RebasedHttpClient(base_url, timeout=HTTP_TIMEOUT_SECONDS, logger=SDK_LOG)
        if base_url
        else TwilioHttpClient(timeout=HTTP_TIMEOUT_SECONDS, logger=SDK_LOG)
    )
    return Client(account_sid, auth_token, http_client=http)


class TwilioTelephony:
    def __init__(self, client: Client) -> None:
        self._client = client

    def call(
        self,
        to: str,
        from_: str,
        url: str,
        status_callback: str,
        *,
        machine_detection: str | None = None,
    ) -> Leg:
        options: dict[str, Any] = {}
        if machine_detection is not None:
            options["machine_detection"] = machine_detection
        try:
            call = self._client.calls.create(
                to=to,
                from_=from_,
                url=url,
                method="POST",
                status_callback=status_callback,
                status_callback_event=["initiated", "answered", "completed"],
                **options,
            )
        except TwilioException as exc:
            raise _refused(exc) from exc
        return Leg(call.sid)

    def call_status(self, call_sid: str) -> str:
        try:
            return str(self._client.calls(call_sid).fetch().status)
        except TwilioException as exc:
            raise _refused(exc) from exc

    def redirect(self, call_sid: str, url: str) -> None:
        try:
            self._client.calls(call_sid).update(url=url, method="POST")
        except TwilioException as exc:
            raise _refused(exc) from exc

    def hang_up(self, call_sid: str) -> None:
        try:
            self._client.calls(call_sid).update(status="completed")
        except TwilioException as exc:
            raise _refused(exc) from exc

    def add_participant(
        self,
        conference: str,
        to: str,
        from_: str,
        *,
        label: str,
        status_callback: str,
        events: ConferenceEvents,
        end_conference_on_exit: bool = False,
        muted: bool = False,
        coach: str | None = None,
    ) -> Leg:
        coaching: dict[str, Any] = {"coaching": True, "call_sid_to_coach": coach} if coach else {}
        try:
            participant = self._client.conferences(conference).participants.create(
                from_=from_,
                to=to,
                label=label,
                beep="false",
                start_conference_on_enter=True,
                end_conference_on_exit=end_conference_on_exit,
                muted=muted,
                status_callback=status_callback,
                status_callback_event=["initiated", "answered", "completed"],
                conference_status_callback=events.url,
                conference_status_callback_event=list(events.events),
                **coaching,
            )
        except TwilioException as exc:
            raise _refused(exc) from exc
        return Leg(participant.call_sid, participant.conference_sid)

    def update_participant(
        self,
        conference: str,
        call_sid: str,
        *,
        hold: bool | None = None,
        muted: bool | None = None,
        hold_url: str | None = None,
        coach: str | None = None,
    ) -> None:
        changes: dict[str, Any] = {}
        if hold is not None:
            changes["hold"] = hold
            if hold and hold_url:
                changes.update(hold_url=hold_url, hold_method="POST")
        if muted is not None:
            changes["muted"] = muted
        if coach is not None:
            changes.update(coaching=bool(coach), **({"call_sid_to_coach": coach} if coach else {}))
        try:
            self._client.conferences(conference).participants(call_sid).update(**changes)
        except TwilioException as exc:
            raise _refused(exc) from exc

    def remove_participant(self, conference: str, call_sid: str) -> None:
        try:
            self._client.conferences(conference).participants(call_sid).delete()
        except TwilioException as exc:
            raise _refused(exc) from exc

    def announce(self, conference: str, url: str) -> None:
        try:
            self._client.conferences(conference).update(announce_url=url, announce_method="POST")
        except TwilioException as exc:
            raise _refused(exc) from exc

    def start_recording(self, call_sid: str, status_callback: str) -> str:
        try:
            recording = self._client.calls(call_sid).recordings.create(
                recording_status_callback=status_callback,
                recording_status_callback_event=["in-progress", "completed"],
            )
        except TwilioException as exc:
            raise _refused(exc) from exc
        return str(recording.sid)

    def stop_recording(self, call_sid: str, recording_sid: str) -> None:
        try:
            self._client.calls(call_sid).recordings(recording_sid).update(status="stopped")
        except TwilioException as exc:
            raise _refused(exc) from exc


def _refused(exc: TwilioException) -> TelephonyError:
    """The SDK's error in the port's terms (a 404 is a leg that is not on the call)."""
    status = exc.status if isinstance(exc, TwilioRestException) else None
    kind = NotOnTheCall if status == 404 else TelephonyError
    return kind(str(exc), status)
