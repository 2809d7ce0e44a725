"""Twilio's standard voice request parameters, built from a call's state.

Every webhook about a call (voice URL, actions, status callbacks) starts from these names; the
verb-specific ones (Digits, DialCallStatus, QueueResult...) are added by the caller.
"""

from __future__ import annotations

from . import defaults
from .call import Call

# Crude country-code lookup: enough to fill FromCountry/ToCountry with plausible values.
_COUNTRY_PREFIXES = (("+44", "GB"), ("+33", "FR"), ("+49", "DE"), ("+61", "AU"), ("+1", "US"))


def _country(address: str) -> str:
    for prefix, country in _COUNTRY_PREFIXES:
        if address.startswith(prefix):
            return country
    return ""


def _geo(prefix: str, address: str) -> dict[str, str]:
    # Twilio sends geographic fields for phone numbers; they are empty for clients.
    if not address.startswith("+"):
        return {}
    return {
        f"{prefix}City": "",
        f"{prefix}State": "",
        f"{prefix}Zip": "",
        f"{prefix}Country": _country(address),
    }


def call_params(call: Call) -> dict[str, str]:
    """AccountSid, ApiVersion, CallSid, CallStatus, Called, Caller, Direction, From, To and geo."""
    params = {
        "AccountSid": call.account_sid,
        "ApiVersion": defaults.API_VERSION,
        "CallSid": call.sid,
        "CallStatus": str(call.status),
        "Called": call.to,
        "Caller": call.from_,
        "Direction": str(call.direction),
        "From": call.from_,
        "To": call.to,
    }
    for prefix, address in (("From", call.from_), ("To", call.to)):
        params.update(_geo(prefix, address))
    for prefix, address in (("Caller", call.from_), ("Called", call.to)):
        params.update(_geo(prefix, address))
    if call.parent_call_sid:
        params["ParentCallSid"] = call.parent_call_sid
    if call.caller_name:
        params["CallerName"] = call.caller_name
    if call.answered_by:
        params["AnsweredBy"] = call.answered_by
    return params


def flag(value: bool) -> str:
    """Twilio's spelling of booleans in webhooks."""
    return "true" if value else "false"
