"""Call events into the interaction event log, with keys derived from Twilio's identifiers so a
retried webhook writes nothing twice. Data carries ids and measurements only, never PII.

Times are when the app learnt of the thing (Twilio calls back within milliseconds), one clock for
every event of a call, so their order is the order things happened."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent


def log_call_event(
    session: Session,
    interaction_id: str,
    kind: str,
    at: datetime,
    key: str,
    *,
    actor: str = "telephony",
    data: dict[str, Any] | None = None,
) -> None:
    event_log.append(
        session,
        NewEvent(interaction_id, kind, at, f"{interaction_id}:{key}", actor, dict(data or {})),
    )
