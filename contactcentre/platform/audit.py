"""Audit entries for supervisor/admin actions, written in the caller's transaction.

The actor is taken from the request (user and address) when there is one, else "system".
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from contactcentre.store.models import AuditEntry


def audit(
    session: Session,
    action: str,
    target_type: str,
    target_id: object,
    details: dict[str, Any] | None = None,
    *,
    actor: str | None = None,
) -> AuditEntry:
    user_id: int | None = None
    ip: str | None = None
    if has_request_context():
        user = g.get("api_user") or (current_user if current_user.is_authenticated else None)
        if user is not None:
            user_id = user.id
            actor = actor or f"user:{user.id} ({user.email})"
        ip = request.remote_addr
    entry = AuditEntry(
        actor_user_id=user_id,
        actor=actor or "system",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=_jsonable(details or {}),
        ip=ip,
    )
    session.add(entry)
    return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
