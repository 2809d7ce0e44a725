"""Constants of the emulated carrier: Twilio's documented defaults and the emulator's own knobs.

Twilio's values (timeouts, default attribute values, error texts) are kept in one place so they are
easy to check against Twilio's documentation.
"""

from __future__ import annotations

API_VERSION = "2010-04-01"
API_HOSTS = ("api.twilio.com",)

# Twilio gives a webhook 15 s to answer before it treats the request as failed (HTTP 11205).
WEBHOOK_TIMEOUT_SECONDS = 15.0
USER_AGENT = "TwilioProxy/1.1"
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
SIGNATURE_HEADER = "X-Twilio-Signature"

APPLICATION_ERROR_TEXT = "We are sorry, an application error has occurred. Goodbye."

# TwiML defaults from Twilio's verb reference pages.
GATHER_TIMEOUT = 5.0
GATHER_FINISH_ON_KEY = "#"
DIAL_TIMEOUT = 30.0
RECORD_MAX_LENGTH = 3600.0
RECORD_TIMEOUT = 5.0
RECORD_FINISH_ON_KEY = "1234567890*#"
OUTBOUND_RING_TIMEOUT = 60.0

# Emulated durations (in emulated seconds) for things Twilio does not define.
SAY_SECONDS_PER_WORD = 0.4
PLAY_SECONDS = 2.0
BEEP_SECONDS = 0.5
DEFAULT_RING_SECONDS = 1.0
AMD_DETECTION_SECONDS = 2.5
MACHINE_GREETING_SECONDS = 4.0
# A waitUrl document that ends is requested again, but never faster than this, so an empty wait
# document cannot spin the CPU.
WAIT_LOOP_MIN_SECONDS = 1.0
# Cap on how long an unattended party stays on the line, so a forgotten call cannot live forever.
MAX_CALL_SECONDS = 4 * 3600.0

# Twilio error codes used in the call log and the REST API.
ERR_HTTP_RETRIEVAL = 11200
ERR_HTTP_TIMEOUT = 11205
ERR_DOCUMENT_PARSE = 12100
ERR_SCHEMA = 12200
ERR_CONTENT_TYPE = 12300
ERR_NOT_FOUND = 20404
ERR_AUTH = 20003
ERR_MISSING_TO = 21201
ERR_MISSING_FROM = 21213
ERR_MISSING_URL = 21205
ERR_INVALID_PARAM = 21218
ERR_CALL_NOT_IN_PROGRESS = 21220
ERR_NOT_IN_CONFERENCE = 20404
MORE_INFO = "https://www.twilio.com/docs/errors/{code}"
