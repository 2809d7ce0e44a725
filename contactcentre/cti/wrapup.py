"""Wrap-up: the agent's required disposition and notes end the contact's after-call work.

One per agent who handled the contact (a transferred chat or call has several); the contact's
disposition is the latest. The API then tells the router (WrapUpEnded) and clears the desk.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.store.models import Disposition, Interaction, WrapUp

MAX_NOTES = 4000
OPEN_STATUSES = ("created", "queued", "offered", "assigned")


class WrapUpError(ValueError):
    """A wrap-up the rules refuse; `status` and `code` say how the API answers it."""

    def __init__(self, status: int, code: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.field, self.message = status, code, field, message


def active_dispositions(session: Session) -> list[Disposition]:
    return list(
        session.scalars(
            select(Disposition).where(Disposition.active.is_(True)).order_by(Disposition.id)
        )
    )


def has_wrapped_up(session: Session, interaction_id: str, agent_id: int) -> bool:
    found = session.scalar(
        select(WrapUp.id).where(
            WrapUp.interaction_id == interaction_id, WrapUp.agent_id == agent_id
        )
    )
    return found is not None


def wrap_up(
    session: Session,
    interaction: Interaction,
    *,
    agent_id: int,
    code: str,
    notes: str,
    ended: bool,
) -> Disposition:
    """Record `agent_id`'s outcome; `ended` says whether the contact is over for that agent
    (from their desk: a transferred contact is over for its first agent while still live)."""
    disposition = session.scalars(
        select(Disposition).where(Disposition.code == code, Disposition.active.is_(True))
    ).first()
    if disposition is None:
        codes = ", ".join(d.code for d in active_dispositions(session))
        raise WrapUpError(
            422, "validation_error", "disposition_code", f"unknown code {code!r}; one of {codes}"
        )
    notes = notes.strip()
    if disposition.requires_note and not notes:
        raise WrapUpError(
            422,
            "validation_error",
            "notes",
            f"'{disposition.label}' needs a note saying what happens next",
        )
    if has_wrapped_up(session, interaction.id, agent_id):
        raise WrapUpError(
            409, "already_wrapped_up", "interaction_id", "you have already wrapped this contact up"
        )
    if not ended and interaction.ended_at is None and interaction.status in OPEN_STATUSES:
        raise WrapUpError(
            409, "contact_active", "interaction_id", "end the contact before wrapping it up"
        )
    session.add(
        WrapUp(
            interaction_id=interaction.id,
            agent_id=agent_id,
            disposition_id=disposition.id,
            notes=notes or None,
        )
    )
    interaction.disposition_id = disposition.id
    interaction.wrap_up_notes = notes or None
    event_log.append(
        session,
        NewEvent(
            interaction.id,
            "disposition",
            datetime.now(UTC),
            f"{interaction.id}:disposition:{agent_id}",
            actor=f"agent:{agent_id}",
            # No notes here: the event log holds no personal data.
            data={
                "code": disposition.code,
                "agent_id": str(agent_id),
                "resolved": disposition.resolved,
            },
        ),
    )
    return disposition
