"""Access tokens for the Twilio Voice JS SDK in the agent console: identity agent_<id>, a Voice
grant for incoming calls (the agent leg) and outgoing ones through the configured TwiML app."""

from __future__ import annotations

from dataclasses import dataclass

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from contactcentre.settings import Settings


@dataclass(frozen=True)
class VoiceToken:
    token: str
    identity: str
    expires_in: int


def agent_identity(agent_id: int) -> str:
    return f"agent_{agent_id}"


def voice_token(settings: Settings, agent_id: int) -> VoiceToken:
    identity = agent_identity(agent_id)
    token = AccessToken(
        settings.twilio_account_sid,
        settings.twilio_api_key_sid,
        settings.twilio_api_key_secret,
        identity=identity,
        ttl=settings.voice_token_ttl_seconds,
    )
    token.add_grant(
        VoiceGrant(incoming_allow=True, outgoing_application_sid=settings.twilio_twiml_app_sid)
    )
    jwt = token.to_jwt()
    return VoiceToken(
        jwt if isinstance(jwt, str) else jwt.decode(), identity, settings.voice_token_ttl_seconds
    )
