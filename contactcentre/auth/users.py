"""User accounts: creation with validation, password checks and bearer API tokens.

Passwords are hashed with Argon2; API tokens are random and stored only as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from contactcentre.store.models import Agent, ApiToken, Role, User
from contactcentre.store.types import utcnow

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verifying against a dummy hash when the user is unknown keeps response time from telling
# an attacker which emails exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
# A token's last use is kept to the minute: writing it on every request would make each API
# call a write transaction (on SQLite, one more turn at the single writer's gate).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class UserFieldError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalize_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise UserFieldError("email", f"not a valid email address: {exc}") from None


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserFieldError(
            "password", f"password must be at least {MIN_PASSWORD_LENGTH} characters"
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.email) == email.lower())).first()


def create_user(
    session: Session, *, email: str, name: str, password: str, role: str = "agent"
) -> User:
    email = normalize_email(email)
    if not name.strip():
        raise UserFieldError("name", "name must not be empty")
    try:
        Role(role)
    except ValueError:
        raise UserFieldError("role", "role must be agent, supervisor or admin") from None
    check_password_rules(password)
    if find_by_email(session, email) is not None:
        raise UserFieldError("email", f"a user with email {email} already exists")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_by_email(session, email.strip())
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue_api_token(session: Session, user: User, name: str) -> str:
    """Create a token; the plain value is returned once and never stored."""
    token = "cc_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_digest(token)))
    session.flush()
    return token


def live_api_token(session: Session, token: str) -> ApiToken | None:
    """The token's row with its user (and agent) loaded, unless it is revoked or its user is
    deactivated; marks its last use."""
    row = session.scalars(
        select(ApiToken)
        .where(ApiToken.token_hash == _digest(token))
        # One query: the caller's user and agent, who they are, not the agent's skills (a second
        # query, on every reply an agent sends); the session closes here, so any later reach
        # for them fails loudly instead of reading an empty list.
        .options(joinedload(ApiToken.user).joinedload(User.agent).lazyload(Agent.skills))
    ).first()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row


def user_for_token(session: Session, token: str) -> User | None:
    row = live_api_token(session, token)
    return row.user if row is not None else None


def revoke_api_token(session: Session, token: str) -> ApiToken | None:
    """Revoke a live token; returns its row, or None if it was unknown or no longer live."""
    row = live_api_token(session, token)
    if row is not None:
        row.revoked_at = utcnow()
    return row


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
