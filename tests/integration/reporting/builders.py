"""Small builders for reporting tests: interactions and their events, through the real event log.

Times are given as seconds after a start the test chooses, so worked examples read as numbers.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.store.models import Interaction


def add_contact(session: Session, channel: str = "voice", queue_id: int | None = None) -> str:
    """An interaction row for events to belong to."""
    interaction_id = str(uuid.uuid4())
    session.add(Interaction(id=interaction_id, channel=channel, queue_id=queue_id))
    session.flush()
    return interaction_id


def log(
    session: Session,
    interaction_id: str,
    start: datetime,
    *steps: tuple[str, float, dict[str, Any]],
) -> None:
    """Append each (type, seconds after start, data) step to the interaction's event log."""
    for index, (kind, seconds, data) in enumerate(steps):
        at = start + timedelta(seconds=seconds)
        key = f"{interaction_id}:{kind}:{index}"
        event_log.append(session, NewEvent(interaction_id, kind, at, key, data=data))
