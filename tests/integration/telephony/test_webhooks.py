"""Webhook delivery: Twilio-valid signatures, retries and duplicates, and application errors."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests
from flask import Response
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from contactcentre.telephony.emulator import CallerScript, WebhookPolicy

from .account import AUTH_TOKEN, CUSTOMER, NUMBER


def _say(text: str):
    def answer(params):
        response = VoiceResponse()
        response.say(text)
        return response

    return answer


def test_every_webhook_carries_a_signature_the_twilio_validator_accepts(emulator, app_under_test):
    """Signatures are computed over the exact URL and sorted params with the auth token."""
    app_under_test.route("/voice", _say("Hello"))
    call = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    call.wait_until_over()
    emulator.drain_callbacks()
    received = app_under_test.requests()
    assert {r.path for r in received} == {"/voice", "/status"}
    assert all(r.signature_valid for r in received)
    assert received[0].headers["User-Agent"].startswith("TwilioProxy")


def test_a_tampered_or_forged_request_fails_validation(emulator, app_under_test):
    """Changing one parameter, or signing with another token, breaks the signature."""
    app_under_test.route("/voice", _say("Hello"))
    emulator.place_call(CUSTOMER, NUMBER, CallerScript()).wait_until_over()
    original = app_under_test.wait_for("/voice")
    url = app_under_test.url("/voice")
    signature = original.headers["X-Twilio-Signature"]
    validator = RequestValidator(AUTH_TOKEN)
    assert validator.validate(url, original.params, signature)
    tampered = dict(original.params, From="+19995550000")
    assert not validator.validate(url, tampered, signature)
    forged = RequestValidator("another-token").compute_signature(url, tampered)
    response = requests.post(url, data=tampered, headers={"X-Twilio-Signature": forged}, timeout=5)
    assert response.status_code == 200
    assert not app_under_test.requests("/voice")[-1].signature_valid


def test_get_webhooks_sign_the_url_with_its_query_string(emulator, app_under_test):
    """With method GET the params travel in the query string, which is what gets signed."""
    emulator.configure_number(NUMBER, app_under_test.url("/voice"), method="GET")
    app_under_test.route("/voice", _say("Hello"))
    emulator.place_call(CUSTOMER, NUMBER, CallerScript()).wait_until_over()
    received = app_under_test.wait_for("/voice")
    assert received.method == "GET" and received.params["CallSid"]
    assert received.signature_valid
    query = urlencode(received.params)
    assert RequestValidator(AUTH_TOKEN).validate(
        f"{app_under_test.url('/voice')}?{query}", {}, received.headers["X-Twilio-Signature"]
    )


@pytest.mark.parametrize("policy", [WebhookPolicy(duplicates=1)])
def test_duplicate_delivery_resends_the_identical_request(emulator, app_under_test, policy):
    """A re-sent webhook has the same params, signature and idempotency token as the first."""
    app_under_test.route("/voice", _say("Hello"))
    emulator.place_call(CUSTOMER, NUMBER, CallerScript()).wait_until_over()
    first, second = app_under_test.requests("/voice")
    assert first.params == second.params
    assert first.headers["X-Twilio-Signature"] == second.headers["X-Twilio-Signature"]
    token = "I-Twilio-Idempotency-Token"
    assert first.headers[token] == second.headers[token]


@pytest.mark.parametrize("policy", [WebhookPolicy(retries=2)])
def test_a_failed_webhook_is_retried_before_giving_up(emulator, app_under_test, policy):
    """A 5xx answer is retried; when a retry succeeds the call proceeds normally."""
    attempts: list[int] = []

    def flaky(params):
        attempts.append(1)
        if len(attempts) == 1:
            return Response("overloaded", 503)
        return _say("Second time lucky")(params)

    app_under_test.route("/voice", flaky)
    call = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    call.wait_until_over()
    assert call.said() == ["Second time lucky"]
    assert len(attempts) == 2 and not call.errors


def test_connection_override_fragment_sets_retries_and_is_not_sent(emulator, app_under_test):
    """A #rc=1&rp=5xx fragment retries 5xx answers once and is stripped from the request."""
    emulator.configure_number(NUMBER, app_under_test.url("/voice") + "#rc=1&rp=5xx")
    app_under_test.route("/voice", lambda p: Response("down", 500))
    call = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    call.wait_until_over()
    assert len(app_under_test.requests("/voice")) == 2
    assert all(r.signature_valid for r in app_under_test.requests("/voice"))


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (lambda p: Response("<Response><Say>unclosed</Response>", mimetype="text/xml"), 12100),
        (lambda p: Response("<Response><Dance/></Response>", mimetype="text/xml"), 12200),
        (lambda p: Response("<html>oops</html>", mimetype="text/html"), 12300),
        (lambda p: Response("boom", 500), 11200),
    ],
    ids=["parse-error", "unknown-verb", "not-xml", "http-500"],
)
def test_bad_twiml_is_an_application_error_and_the_call_hangs_up(
    emulator, app_under_test, answer, code
):
    """Invalid TwiML or a failing webhook makes the caller hear the application error."""
    app_under_test.route("/voice", answer)
    call = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    assert call.wait_until_over() == "completed"
    assert "error" in call.kinds()
    [error] = emulator.log.application_errors(call.sid)
    assert error.detail["code"] == code
