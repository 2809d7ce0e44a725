"""The Twilio adapter through the real SDK against the emulator: what it logs and how it fails."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from contactcentre.telephony.port import NotOnTheCall
from contactcentre.telephony.twilio_adapter import TwilioTelephony, twilio_client
from tests.integration.voice.calls import ACCOUNT_SID, AUTH_TOKEN


def test_sdk_requests_leave_no_trace_in_an_info_log(
    emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A REST request at INFO logs neither its URL, its headers nor the numbers it carries."""
    telephony = TwilioTelephony(twilio_client(ACCOUNT_SID, AUTH_TOKEN, emulator.base_url))
    with caplog.at_level(logging.INFO), pytest.raises(NotOnTheCall):
        telephony.hang_up("CA" + "0" * 32)
    assert not [r for r in caplog.records if "Twilio API Request" in r.getMessage()]
    assert not [r for r in caplog.records if "/Calls/" in r.getMessage()]


def test_a_leg_the_carrier_does_not_know_is_not_on_the_call(emulator: Any) -> None:
    """The carrier's 404 is NotOnTheCall, with its status kept."""
    telephony = TwilioTelephony(twilio_client(ACCOUNT_SID, AUTH_TOKEN, emulator.base_url))
    with pytest.raises(NotOnTheCall) as refused:
        telephony.redirect("CA" + "0" * 32, "http://127.0.0.1:9/x")
    assert refused.value.status == 404
