"""Twilio's JSON shapes for the REST resources the emulator serves (snake_case, RFC 2822 dates).

Field names follow twilio-python's *Instance classes, which read exactly these keys.
"""

from __future__ import annotations

from typing import Any

from . import defaults
from .call import Call
from .clock import rfc2822
from .conference import Conference, Participant
from .recordings import Recording

JSON = dict[str, Any]


def _base(account_sid: str) -> str:
    return f"/{defaults.API_VERSION}/Accounts/{account_sid}"


def call_json(call: Call) -> JSON:
    uri = f"{_base(call.account_sid)}/Calls/{call.sid}"
    return {
        "sid": call.sid,
        "date_created": rfc2822(call.created_at),
        "date_updated": rfc2822(call.date_updated or call.created_at),
        "parent_call_sid": call.parent_call_sid,
        "account_sid": call.account_sid,
        "to": call.to,
        "to_formatted": call.to,
        "from": call.from_,
        "from_formatted": call.from_,
        "phone_number_sid": None,
        "status": str(call.status),
        "start_time": rfc2822(call.start_time),
        "end_time": rfc2822(call.end_time),
        "duration": None if call.duration is None else str(call.duration),
        "price": None,
        "price_unit": "USD",
        "direction": str(call.direction),
        "answered_by": call.answered_by,
        "api_version": defaults.API_VERSION,
        "forwarded_from": None,
        "group_sid": None,
        "caller_name": call.caller_name,
        "queue_time": str(call.queue_time),
        "trunk_sid": None,
        "uri": f"{uri}.json",
        "subresource_uris": {
            "recordings": f"{uri}/Recordings.json",
            "notifications": f"{uri}/Notifications.json",
        },
    }


def conference_json(conference: Conference) -> JSON:
    uri = f"{_base(conference.account_sid)}/Conferences/{conference.sid}"
    return {
        "account_sid": conference.account_sid,
        "date_created": rfc2822(conference.date_created),
        "date_updated": rfc2822(conference.date_updated),
        "api_version": defaults.API_VERSION,
        "friendly_name": conference.friendly_name,
        "region": "us1",
        "sid": conference.sid,
        "status": conference.status,
        "uri": f"{uri}.json",
        "subresource_uris": {
            "participants": f"{uri}/Participants.json",
            "recordings": f"{uri}/Recordings.json",
        },
        "reason_conference_ended": conference.reason_ended,
        "call_sid_ending_conference": conference.call_sid_ending,
    }


def participant_json(conference: Conference, participant: Participant) -> JSON:
    return {
        "account_sid": conference.account_sid,
        "call_sid": participant.call_sid,
        "label": participant.label,
        "call_sid_to_coach": participant.call_sid_to_coach,
        "coaching": participant.coaching,
        "conference_sid": conference.sid,
        "date_created": rfc2822(participant.date_created),
        "date_updated": rfc2822(participant.date_updated),
        "end_conference_on_exit": participant.end_conference_on_exit,
        "muted": participant.muted,
        "hold": participant.hold,
        "start_conference_on_enter": participant.start_conference_on_enter,
        "status": participant.status,
        "queue_time": None,
        "uri": (
            f"{_base(conference.account_sid)}/Conferences/{conference.sid}"
            f"/Participants/{participant.call_sid}.json"
        ),
    }


def recording_json(recording: Recording) -> JSON:
    return {
        "account_sid": recording.account_sid,
        "api_version": defaults.API_VERSION,
        "call_sid": recording.call_sid,
        "conference_sid": recording.conference_sid,
        "date_created": rfc2822(recording.start_time),
        "date_updated": rfc2822(recording.start_time),
        "start_time": rfc2822(recording.start_time),
        "duration": str(recording.duration),
        "sid": recording.sid,
        "price": None,
        "price_unit": "USD",
        "status": recording.status,
        "channels": recording.channels,
        "source": recording.source,
        "error_code": None,
        "uri": recording.uri,
        "media_url": recording.media_url,
        "encryption_details": None,
        "subresource_uris": {},
    }


def page(key: str, items: list[JSON], uri: str, page_number: int, page_size: int) -> JSON:
    """One page of a list resource, with Twilio's paging fields."""
    start = page_number * page_size
    chunk = items[start : start + page_size]
    has_next = start + page_size < len(items)
    return {
        key: chunk,
        "first_page_uri": f"{uri}?PageSize={page_size}&Page=0",
        "next_page_uri": f"{uri}?PageSize={page_size}&Page={page_number + 1}" if has_next else None,
        "previous_page_uri": (
            f"{uri}?PageSize={page_size}&Page={page_number - 1}" if page_number > 0 else None
        ),
        "page": page_number,
        "page_size": page_size,
        "start": start,
        "end": start + max(0, len(chunk) - 1),
        "uri": f"{uri}?PageSize={page_size}&Page={page_number}",
    }
