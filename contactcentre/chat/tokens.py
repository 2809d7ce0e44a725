"""Signed conversation tokens: the only thing that binds a browser to its own conversation.

A token names the conversation and its nonce; rotating the nonce revokes every token handed out.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "cc.chat.conversation"


class TokenError(ValueError):
    """A token that is missing, forged, altered, expired or revoked; `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ConversationClaim:
    conversation_id: str
    nonce: str


class ConversationTokens:
    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self._max_age = max_age_seconds

    def issue(self, conversation_id: str, nonce: str) -> str:
        return self._serializer.dumps({"c": conversation_id, "n": nonce})

    def read(self, token: object) -> ConversationClaim:
        """The claim of a well-signed, unexpired token; the caller still checks the nonce."""
        if not isinstance(token, str) or not token or len(token) > 512:
            raise TokenError("invalid_token", "a conversation token is required")
        try:
            data = self._serializer.loads(token, max_age=self._max_age)
        except SignatureExpired:
            raise TokenError(
                "token_expired", "this conversation has expired; start a new one"
            ) from None
        except BadSignature:
            raise TokenError("invalid_token", "the conversation token is not valid") from None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            raise TokenError("invalid_token", "the conversation token is not valid")
        return ConversationClaim(data["c"], str(data.get("n", "")))
